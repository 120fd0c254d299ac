"""Load a ZAP declaration (rural: municipio keys; urbana: urban AGEB keys) for one fiscal year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from priority_zones.actions import do_apply_zap_declaration
from priority_zones.models import SourceDocument
from priority_zones.zap_declarations import KINDS, Source, plan_declaration, read_declaration


class Command(BaseCommand):
    help = (
        "Carga la Declaratoria de ZAP de un ejercicio desde su lista publicada (CSV o XLSX): una zona por "
        "clave, con su documento fuente. Rechaza todo si alguna clave no existe en la geografía cargada; "
        "un ejercicio ya cargado solo se reemplaza con --replace, que muestra y aplica las diferencias."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="lista de claves (CSV o XLSX)")
        parser.add_argument("--year", type=int, required=True, help="ejercicio fiscal, p. ej. 2026")
        parser.add_argument(
            "--kind", required=True, choices=sorted(KINDS), help="rural (municipios) o urbana (AGEB)"
        )
        parser.add_argument("--source-date", required=True, help="fecha de publicación AAAA-MM-DD")
        parser.add_argument("--source-code", required=True, help="código de la publicación, p. ej. 5773718")
        parser.add_argument("--source-title", required=True)
        parser.add_argument("--source-url", default="")
        parser.add_argument(
            "--source-kind", default=SourceDocument.Kind.DOF, choices=SourceDocument.Kind.values
        )
        parser.add_argument(
            "--only", default="", help="solo las claves que empiezan así, p. ej. 11 (Guanajuato)"
        )
        parser.add_argument("--replace", action="store_true", help="reemplazar la declaratoria ya cargada")
        parser.add_argument("--dry-run", action="store_true", help="solo revisar y mostrar diferencias")

    def handle(self, *args, **opts) -> None:
        if not opts["file"].is_file():
            raise CommandError(f"No existe el archivo {opts['file']}")
        if not 2000 <= opts["year"] <= 2100:
            raise CommandError("--year debe estar entre 2000 y 2100.")
        try:
            published = dt.date.fromisoformat(opts["source_date"])
        except ValueError as exc:
            raise CommandError("--source-date debe ser una fecha AAAA-MM-DD.") from exc
        code = opts["source_code"].strip()
        reference = f"{opts['source_kind']} {code}" if code.isdigit() else code
        source = Source(
            kind=opts["source_kind"],
            reference=reference,
            title=opts["source_title"],
            published_on=published,
            url=opts["source_url"],
        )
        try:
            declaration = read_declaration(
                opts["file"], KINDS[opts["kind"]], opts["year"], source, opts["only"]
            )
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        plan = plan_declaration(declaration)
        for line in plan.lines():
            self.stdout.write(line)
        if not plan.ok:
            raise CommandError(f"{len(plan.refused)} claves rechazadas; no se escribió nada.")
        if plan.replaces and not opts["replace"]:
            raise CommandError(
                f"La declaratoria {opts['kind']} {opts['year']} ya está cargada; use --replace para aplicar "
                "las diferencias mostradas."
            )
        if opts["dry_run"]:
            self.stdout.write("Revisión sin escribir (--dry-run).")
            return
        try:
            result = do_apply_zap_declaration(plan, replace=opts["replace"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Zonas: {result.created} nuevas, {result.updated} actualizadas, "
                f"{result.unchanged} sin cambios, {result.deleted} retiradas"
                + (
                    f", {result.synthetic_deleted} sintéticas reemplazadas"
                    if result.synthetic_deleted
                    else ""
                )
            )
        )
