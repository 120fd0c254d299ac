"""Erase the records of every child whose retention period ended (run daily, e.g. from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from growth.actions import do_purge_expired


class Command(BaseCommand):
    help = "Suprime los datos de las niñas y niños cuyo plazo de conservación terminó."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"registros suprimidos por fin del plazo de conservación: {do_purge_expired()}")
