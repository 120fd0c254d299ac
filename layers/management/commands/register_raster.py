"""Register a GeoTIFF as a raster map layer (converted to a Cloud-Optimized GeoTIFF)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from layers.actions import do_register_raster
from layers.raster import COLORMAPS


class Command(BaseCommand):
    help = (
        "Registra un GeoTIFF como capa ráster (COG en el almacenamiento de medios), "
        "p. ej. una rejilla GHS-POP."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="nombre corto de la capa (slug), p. ej. poblacion-leon")
        parser.add_argument("path", type=Path, help="GeoTIFF de origen")
        parser.add_argument("--title", required=True)
        parser.add_argument("--units", default="")
        parser.add_argument("--attribution", default="")
        parser.add_argument("--description", default="")
        parser.add_argument("--colormap", default="population", choices=sorted(COLORMAPS))
        parser.add_argument("--minzoom", type=int, default=6)
        parser.add_argument("--maxzoom", type=int, default=16)
        parser.add_argument("--private", action="store_true", help="no publicar en el mapa")
        parser.add_argument(
            "--population",
            action="store_true",
            help="las celdas cuentan personas: usarlo para la población dentro de un polígono",
        )

    def handle(self, *args, **opts) -> None:
        if not opts["path"].is_file():
            raise CommandError(f"No existe el archivo {opts['path']}")
        try:
            layer = do_register_raster(
                opts["name"],
                opts["path"],
                title=opts["title"],
                units=opts["units"],
                attribution=opts["attribution"],
                description=opts["description"],
                colormap=opts["colormap"],
                minzoom=opts["minzoom"],
                maxzoom=opts["maxzoom"],
                public=not opts["private"],
                counts_population=opts["population"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{layer.name} v{layer.version}: {layer.cog_path} ({layer.source_crs})")
