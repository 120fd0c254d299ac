from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = _("Presupuesto ciudadano")

    def ready(self) -> None:
        # The budget's datasets join the open-data catalogue (works_map.datasets' registry).
        from budget.datasets import LISTINGS
        from works_map.datasets import register_listing

        for listing in LISTINGS:
            register_listing(listing)
