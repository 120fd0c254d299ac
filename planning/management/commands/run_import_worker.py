"""The import queue's worker: claims QUEUED jobs from the database and runs them one at a time;
a lost database connection is retried with backoff (planning.worker)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from planning import worker


class Command(BaseCommand):
    help = "Procesa las importaciones en cola (base de datos; sin intermediario externo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="procesar lo que haya en cola y salir")
        parser.add_argument("--sleep", type=float, default=2.0, help="segundos entre consultas a la cola")

    def handle(self, *args, **opts) -> None:
        worker.serve(once=opts["once"], sleep=opts["sleep"], report=lambda line: self.stdout.write(line))
