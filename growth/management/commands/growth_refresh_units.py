"""Rebuild the growth disclosure units (the public figures) from the child records: run on a timer
when GROWTH_REFRESH_ON_WRITE is off."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from growth.actions import refresh_units
from growth.models import GrowthUnit


class Command(BaseCommand):
    help = "Recalcula las unidades de divulgación de crecimiento infantil (cifras públicas)."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        refresh_units()
        self.stdout.write(f"{GrowthUnit.objects.count()} unidades en {time.perf_counter() - started:.1f} s")
