"""The demo's synthetic budget (after load_demo: its works and municipios must exist)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from budget.models import BudgetLoad
from budget.synthetic import load_demo_budget


class Command(BaseCommand):
    help = "Carga el presupuesto sintético de demostración (etiquetado) y liga las obras a sus programas."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, **options) -> None:
        if BudgetLoad.objects.filter(synthetic=True).exists() and not options["force"]:
            self.stdout.write("Presupuesto sintético ya cargado; nada que hacer (--force lo regenera).")
            return
        self.stdout.write("Presupuesto sintético de demostración:")
        counts = load_demo_budget(report=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Listo: {counts}"))
