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
        parser.add_argument("--target", required=True, choices=imports.TARGETS)
        parser.add_argument(
            "--mode", default="all", choices=imports.MODES, help="all: todo o nada; valid: solo válidas"
        )
        parser.add_argument(
            "--repair", action="store_true", help="reparar geometrías inválidas (si no, se rechazan)"
        )
        parser.add_argument("--map", action="append", default=[], metavar="CAMPO=COLUMNA")
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
        mapping = {}
        for item in opts["map"]:
            field, _, column = item.partition("=")
            if not column:
                raise CommandError(f"--map espera CAMPO=COLUMNA, no {item!r}")
            mapping[field] = column
        try:
            options = imports.Options(
                target=opts["target"],
                mode=opts["mode"],
                repair=opts["repair"],
                mapping=mapping,
                fiscal_year=opts["year"],
                zone_kind=opts["zone_kind"],
                category_code=opts["category"],
                frame_version=opts["frame_version"],
                source_srid=opts["srid"],
                encoding=opts["encoding"],
            )
            outcome, table = imports.run_import(opts["path"], options, write=not opts["dry_run"])
        except imports.ImportRefused as error:
            raise CommandError(str(error)) from None
        for rejected in outcome.rejected:
            self.stderr.write(f"fila {rejected.row} ({rejected.key}): {rejected.reason}")
        if opts["rejected"]:
            opts["rejected"].write_text(outcome.rejected_csv(table), encoding="utf-8")
        self.stdout.write(json.dumps(outcome.summary(), ensure_ascii=False))
