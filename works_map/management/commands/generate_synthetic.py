"""Generate labelled synthetic works, households and zones at any scale (COPY, vectorised)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from works_map.demo import delete_synthetic, generate_all


class Command(BaseCommand):
    help = (
        "Genera datos sintéticos de demostración (obras, hogares con personas, zonas y comités) "
        "dentro de los municipios reales; deterministas para una semilla."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--works", type=int, default=0, help="número de obras y acciones")
        parser.add_argument("--households", type=int, default=0, help="número de hogares (con sus personas)")
        parser.add_argument(
            "--zones", type=int, default=0, help="número de zonas sintéticas (y algunos comités)"
        )
        parser.add_argument("--seed", type=int, default=1, help="semilla (misma semilla, mismos datos)")
        parser.add_argument(
            "--replace", action="store_true", help="borrar antes todos los datos sintéticos existentes"
        )

    def handle(self, *args, **options) -> None:
        sizes = {key: options[key] for key in ("works", "households", "zones")}
        if any(value < 0 for value in sizes.values()):
            raise CommandError("Los tamaños no pueden ser negativos.")
        if not (0 <= options["seed"] < 2**31):
            raise CommandError("La semilla debe estar entre 0 y 2147483647.")
        started = time.perf_counter()
        if options["replace"]:
            deleted = delete_synthetic()
            self.stdout.write(
                "Datos sintéticos borrados: " + ", ".join(f"{v:,} {k}" for k, v in deleted.items())
            )
        try:
            totals = generate_all(**sizes, seed=options["seed"], report=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        rows = sum(totals.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Listo: {rows:,} filas en {elapsed:.1f} s ({rows / max(elapsed, 1e-9):,.0f} filas/s)."
            )
        )
