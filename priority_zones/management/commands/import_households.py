"""Import households and persons from a CUIS-like CSV or GeoPackage (docs/household_schema.md)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from priority_zones.actions import do_import_households


class Command(BaseCommand):
    help = "Importa hogares y personas (CSV o GeoPackage) validando todo; sin --keep-valid, todo o nada."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--keep-valid", action="store_true", help="Escribe los hogares válidos aunque haya rechazos"
        )
        parser.add_argument("--report", type=Path, help="Escribe aquí el informe de rechazos (CSV)")
        parser.add_argument(
            "--json", action="store_true", help="Informe completo en JSON por la salida estándar"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No existe el archivo {path}")
        try:
            report = do_import_households(path, keep_valid=options["keep_valid"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["report"]:
            options["report"].write_text(report.rejected_csv(), encoding="utf-8")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        else:
            for r in report.rejections[:50]:
                self.stdout.write(f"línea {r.row} folio {r.key or '-'}: {r.column}: {r.reason}")
            self.stdout.write(
                f"{report.read} filas; {report.households_valid} hogares válidos, "
                f"{report.households_rejected} rechazados; escritos {report.households_written} hogares "
                f"y {report.persons_written} personas ({report.mode})"
            )
        if report.households_rejected and not options["keep_valid"]:
            raise CommandError(
                "Archivo rechazado: no se escribió nada (use --keep-valid para cargar los válidos)."
            )
