"""Import a geographic file (zipped Shapefile, GeoPackage, GeoJSON, TopoJSON, CSV/XLSX) into works,
zones or INEGI geography, in one transaction; prints the report and can write the rejected rows."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planning import imports


class Command(BaseCommand):
    help = "Importa un archivo geográfico (todo o nada, o solo las filas válidas) con reporte de rechazos."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--target",
            required=True,
            # Budget files have their own command (manage.py load_budget) and the wizard.
            choices=[t for t in imports.TARGETS if t not in imports.BUDGET_TARGETS],
        )
        parser.add_argument(
            "--mode", default="all", choices=imports.MODES, help="all: todo o nada; valid: solo válidas"
        )
        parser.add_argument(
            "--repair", action="store_true", help="reparar geometrías inválidas (si no, se rechazan)"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="CAMPO=COLUMNA",
            help="columna de un campo (obras: folio, fiscal_year, name, status, amount_exercised…; "
            "funding:<clave de fuente> para una columna por fuente)",
        )
        parser.add_argument(
            "--value-map",
            action="append",
            default=[],
            metavar="CAMPO:VALOR=CLAVE",
            help="equivalencia de un valor (p. ej. status:Vigente=EN_EJECUCION; RECHAZAR rechaza la fila)",
        )
        parser.add_argument(
            "--mapping-file",
            type=Path,
            help='JSON: {"columns": {campo: columna}, "values": {campo: {valor: clave}}, "options": {...}}',
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publicar las obras importadas (según el permiso de cada una)",
        )
        parser.add_argument(
            "--default-status",
            default=None,
            help="estatus de las obras sin estatus (PROGRAMADA si no se indica)",
        )
        parser.add_argument("--funding-file", default="", help="tabla larga de fuentes: folio, fuente, monto")
        parser.add_argument("--funding-sheet", default="", help="hoja del XLSX con la tabla de fuentes")
        parser.add_argument("--year", type=int, help="ejercicio fiscal (zonas; obras sin columna de año)")
        parser.add_argument("--zone-kind", default="ZONA_IMPULSO", choices=["ZONA_IMPULSO", "DRAWN"])
        parser.add_argument("--category", default="", help="clave de la categoría de las obras")
        parser.add_argument("--frame-version", default="", help="marco geoestadístico (p. ej. MG2025)")
        parser.add_argument(
            "--srid", type=int, help="SRC de origen si el archivo no lo declara o lo declara mal"
        )
        parser.add_argument("--encoding", default="", help="codificación del texto si la detección falla")
        parser.add_argument("--dry-run", action="store_true", help="solo validar, no escribir")
        parser.add_argument("--rejected", type=Path, help="escribir las filas rechazadas en este CSV")

    def handle(self, *args, **opts) -> None:
        if not opts["path"].is_file():
            raise CommandError(f"No existe el archivo {opts['path']}")
        stored = self._mapping_file(opts["mapping_file"])
        mapping = dict(stored.get("columns", {}))
        for item in opts["map"]:
            field, _, column = item.partition("=")
            if not column:
                raise CommandError(f"--map espera CAMPO=COLUMNA, no {item!r}")
            mapping[field] = column
        value_maps: dict[str, dict[str, str]] = {f: dict(m) for f, m in stored.get("values", {}).items()}
        for item in opts["value_map"]:
            field, _, rest = item.partition(":")
            value, _, code = rest.rpartition("=")
            if not (field and value and code):
                raise CommandError(f"--value-map espera CAMPO:VALOR=CLAVE, no {item!r}")
            value_maps.setdefault(field, {})[value] = code
        saved = stored.get("options", {})
        unknown = sorted(set(saved) - set(SAVED_OPTIONS))
        if unknown:
            raise CommandError(f"Opciones desconocidas en --mapping-file: {', '.join(unknown)}")
        try:
            options = imports.Options(
                target=opts["target"],
                mode=opts["mode"] if opts["mode"] != "all" else saved.get("mode", "all"),
                repair=opts["repair"] or bool(saved.get("repair", False)),
                mapping=mapping,
                fiscal_year=opts["year"] or saved.get("fiscal_year"),
                zone_kind=opts["zone_kind"],
                category_code=opts["category"] or saved.get("category", ""),
                frame_version=opts["frame_version"],
                source_srid=opts["srid"] or saved.get("source_srid"),
                encoding=opts["encoding"] or saved.get("encoding", ""),
                value_maps=value_maps,
                publish=opts["publish"] or bool(saved.get("publish", False)),
                default_status=opts["default_status"] or saved.get("default_status", "PROGRAMADA"),
                funding_path=opts["funding_file"],
                funding_sheet=opts["funding_sheet"] or saved.get("funding_sheet", ""),
            )
            outcome, table = imports.run_import(opts["path"], options, write=not opts["dry_run"])
        except imports.ImportRefused as error:
            raise CommandError(str(error)) from None
        for rejected in outcome.rejected:
            self.stderr.write(f"fila {rejected.row} ({rejected.key}): {rejected.reason}")
        if opts["rejected"]:
            opts["rejected"].write_text(outcome.rejected_csv(table), encoding="utf-8")
        self.stdout.write(json.dumps(outcome.summary(), ensure_ascii=False, default=str))

    def _mapping_file(self, path: Path | None) -> dict:
        if path is None:
            return {}
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"No se pudo leer --mapping-file {path}: {error}") from None
        if not isinstance(stored, dict) or set(stored) - {"columns", "values", "options"}:
            raise CommandError('--mapping-file espera un objeto con "columns", "values" y "options"')
        return stored


# What a mapping file's "options" may set (the command-line option wins when both are given).
SAVED_OPTIONS = (
    "mode",
    "repair",
    "fiscal_year",
    "category",
    "source_srid",
    "encoding",
    "publish",
    "default_status",
    "funding_sheet",
)
