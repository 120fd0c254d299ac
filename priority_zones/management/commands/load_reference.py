"""Load INEGI reference geography (municipios, localidades, urban AGEBs) from the files INEGI publishes."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from priority_zones import geography_import as gi


class Command(BaseCommand):
    help = (
        "Carga la geografía de referencia del INEGI (municipios, localidades con población del ITER y "
        "polígonos del Marco Geoestadístico, AGEB urbanas con población del censo). Idempotente: una "
        "segunda corrida con los mismos archivos no crea ni cambia nada."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipios", type=Path, help="polígonos de municipios (GeoJSON, SHP, GPKG)")
        parser.add_argument(
            "--localidades",
            type=Path,
            help="puntos de localidades con población (ITER, CSV con longitud/latitud)",
        )
        parser.add_argument(
            "--localidades-poligonos", type=Path, help="polígonos de localidades del Marco Geoestadístico"
        )
        parser.add_argument("--agebs", type=Path, help="polígonos de AGEB urbanas")
        parser.add_argument(
            "--agebs-censo", type=Path, help="tabla censal por AGEB (RESAGEBURB_*.csv) con pobtot"
        )
        parser.add_argument("--frame-version", default="IMPORT", help="marco geoestadístico, p. ej. MG2024")
        parser.add_argument(
            "--only",
            default="",
            help="solo las claves que empiezan así: una entidad (11) o un municipio (11020)",
        )
        parser.add_argument("--encoding", default=None, help="codificación de los atributos, p. ej. cp1252")
        parser.add_argument("--json", action="store_true", help="informe en JSON")

    def handle(self, *args, **opts) -> None:
        files = [
            opts[k] for k in ("municipios", "localidades", "localidades_poligonos", "agebs", "agebs_censo")
        ]
        if not any(files):
            raise CommandError("Indique al menos un archivo (--municipios, --localidades, --agebs…).")
        for path in files:
            if path is not None and not path.is_file():
                raise CommandError(f"No existe el archivo {path}")
        if opts["agebs_censo"] and not opts["agebs"]:
            raise CommandError("--agebs-censo acompaña a --agebs (los polígonos).")
        if opts["only"] and not opts["only"].isdigit():
            raise CommandError("--only es un prefijo numérico de CVEGEO, p. ej. 11 o 11020.")
        options = gi.LoadOptions(
            frame_version=opts["frame_version"], only=opts["only"], encoding=opts["encoding"]
        )
        reports = []
        try:
            if opts["municipios"]:
                with transaction.atomic():
                    reports.append(gi.load_municipios(opts["municipios"], options))
            if opts["localidades"] or opts["localidades_poligonos"]:
                with transaction.atomic():
                    reports.append(
                        gi.load_localidades(opts["localidades"], opts["localidades_poligonos"], options)
                    )
            if opts["agebs"]:
                with transaction.atomic():
                    reports.append(gi.load_agebs(opts["agebs"], opts["agebs_censo"], options))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"No se pudo leer el archivo: {exc}") from exc
        if opts["json"]:
            out = []
            for r in reports:
                rejected = [{"row": x.row, "key": x.key, "reason": x.reason} for x in r.rejected]
                out.append({**r.summary(), "rejections": rejected})
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        for report in reports:
            for line in report.lines():
                self.stdout.write(line)
