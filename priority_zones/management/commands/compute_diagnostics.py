"""Compute a new diagnostic version for households (all, or one municipio)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from priority_zones.actions import do_compute_diagnostics
from priority_zones.models import Household


class Command(BaseCommand):
    help = "Calcula una nueva versión del diagnóstico (carencias y clase de pobreza) de cada hogar."

    def add_arguments(self, parser):
        parser.add_argument("--municipio", help="CVEGEO del municipio (5 dígitos); por omisión, todos")
        parser.add_argument("--chunk", type=int, default=5000)

    def handle(self, *args, **options):
        qs = Household.objects.all()
        if options["municipio"]:
            qs = qs.filter(municipio__cvegeo=options["municipio"])
            if not qs.exists():
                raise CommandError(f"No hay hogares en el municipio {options['municipio']}.")
        started = time.perf_counter()
        created = do_compute_diagnostics(qs, chunk=max(100, options["chunk"]))
        seconds = time.perf_counter() - started
        self.stdout.write(f"{created} diagnósticos nuevos en {seconds:.1f} s")
