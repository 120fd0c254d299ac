"""Load a budget, income or transfer file (CSV or XLSX): all rows or none, a per-row report."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from budget.actions import do_load_budget
from budget.models import Kind


class Command(BaseCommand):
    help = "Carga un archivo de presupuesto de egresos, ingresos o transferencias a municipios."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", choices=Kind.values, default=Kind.EXPENSE)
        parser.add_argument("--replace", action="store_true", help="reemplazar ejercicios ya cargados")
        parser.add_argument("--json", action="store_true", help="el informe en JSON")
        parser.add_argument(
            "--mapping-file",
            type=Path,
            help='JSON {"columns": {campo: columna}}: la correspondencia guardada en el asistente de '
            "importación (sin ella, las columnas se reconocen por su nombre)",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No existe el archivo {path}")
        report = do_load_budget(
            path.read_bytes(),
            path.name,
            options["kind"],
            replace=options["replace"],
            mapping=self._mapping(options["mapping_file"]),
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        for d in report.difference():
            self.stdout.write(
                f"  {d['year']} {d['moment']}: {d['old']:,.2f} -> {d['new']:,.2f} ({d['change']:+,.2f})"
            )
        if not report.committed:
            for p in report.problems[:50]:
                self.stderr.write(f"  fila {p.row or '-'}: {p.reason}")
            raise CommandError(f"No se cargó nada: {report.problem_count} problema(s).")
        self.stdout.write(
            self.style.SUCCESS(f"Cargadas {report.rows:,} filas ({', '.join(map(str, report.years))}).")
        )

    def _mapping(self, path: Path | None) -> dict[str, str] | None:
        if path is None:
            return None
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"No se pudo leer --mapping-file {path}: {error}") from None
        columns = stored.get("columns") if isinstance(stored, dict) else None
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise CommandError('--mapping-file espera {"columns": {campo: columna}}')
        return columns
