"""Write the PMTiles archives of the static layers (layers.pmtiles), only where the layer's data
version has no archive yet: run it from cron or after loading geography or closing a year."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from layers import pmtiles
from priority_zones.models import Zone


class Command(BaseCommand):
    help = (
        "Exporta municipios, localidades, AGEB y las zonas de ejercicios cerrados como archivos "
        "PMTiles (uno por capa y versión de datos); omite los que ya están al día."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--layer", action="append", choices=[n for n in pmtiles.EXPORTABLE if n != "zones"], default=None
        )
        parser.add_argument(
            "--zones-year",
            action="append",
            type=int,
            default=None,
            help="ejercicio cerrado cuyas zonas se exportan (por omisión, todos los anteriores al actual)",
        )
        parser.add_argument("--maxzoom", type=int, default=12, help="último zoom (MapLibre amplía el resto)")
        parser.add_argument("--force", action="store_true", help="reescribe aunque la versión tenga archivo")

    def handle(self, *args, **options):
        if not 0 <= options["maxzoom"] <= 16:
            raise CommandError("--maxzoom debe estar entre 0 y 16")
        layers = options["layer"] or [n for n in pmtiles.EXPORTABLE if n != "zones"]
        years = options["zones_year"]
        if years is None:
            current = timezone.localdate().year
            years = sorted(
                set(
                    Zone.objects.filter(status=Zone.Status.PUBLISHED, fiscal_year__lt=current)
                    .values_list("fiscal_year", flat=True)
                    .distinct()
                )
            )
        if any(year < 2000 or year >= timezone.localdate().year for year in years):
            raise CommandError("--zones-year: sólo ejercicios cerrados (anteriores al actual)")
        archives = [pmtiles.archive_for(name) for name in layers]
        archives += [pmtiles.archive_for("zones", year) for year in years]
        for archive in archives:
            name = archive.name()
            if default_storage.exists(name) and not options["force"]:
                self.stdout.write(f"{name}: al día")
                continue
            try:
                saved, count = pmtiles.write_archive(archive, options["maxzoom"])
            except ValueError as exc:
                self.stderr.write(f"{archive.stem}: {exc}")
                continue
            self.stdout.write(f"{saved}: {count} teselas")
