"""Load the growth demo: synthetic centres, guidance texts and synthetic children (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from growth import synthetic


class Command(BaseCommand):
    help = (
        "Carga centros, textos de orientación y niñas y niños sintéticos (etiquetados) para la demostración."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=1500, help="cuántas niñas y niños sintéticos")

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"textos de orientación: {synthetic.ensure_guidance()} nuevos")
        self.stdout.write(f"centros sintéticos: {synthetic.ensure_centres()} nuevos")
        made = synthetic.generate_children(options["children"])
        self.stdout.write(
            f"niñas y niños sintéticos: {made} nuevos" if made else "niñas y niños sintéticos: ya cargados"
        )
