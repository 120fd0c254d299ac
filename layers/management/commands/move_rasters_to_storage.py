"""Move the COGs of raster layers registered before the media storage into it (once, after upgrading)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from layers.actions import do_move_raster_to_storage
from layers.models import RasterLayer


class Command(BaseCommand):
    help = (
        "Copia al almacenamiento de medios (MEDIA_STORAGE, carpeta rasters/) los COG de las capas ráster "
        "registradas cuando se guardaban en RASTER_ROOT, y apunta las capas a la copia. Se puede repetir."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--remove-old", action="store_true", help="borrar cada archivo antiguo una vez movido"
        )

    def handle(self, *args, **opts) -> None:
        failed = []
        for layer in RasterLayer.objects.order_by("name"):
            try:
                done = do_move_raster_to_storage(layer, remove_old=opts["remove_old"])
            except ValidationError as exc:
                failed.append(layer.name)
                self.stderr.write(f"{layer.name}: {'; '.join(exc.messages)}")
                continue
            self.stdout.write(f"{layer.name}: {done}")
        if failed:
            raise CommandError(f"{len(failed)} capa(s) sin mover: {', '.join(failed)}")
