"""The import queue's worker: claims QUEUED jobs from the database and runs them one at a time."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from planning import jobs


class Command(BaseCommand):
    help = "Procesa las importaciones en cola (base de datos; sin intermediario externo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="procesar lo que haya en cola y salir")
        parser.add_argument("--sleep", type=float, default=2.0, help="segundos entre consultas a la cola")

    def handle(self, *args, **opts) -> None:
        while True:
            pk = jobs.claim_next()
            if pk is None:
                if opts["once"]:
                    return
                time.sleep(opts["sleep"])
                continue
            try:
                jobs.run(pk)
            except Exception as error:  # recorded on the job; the worker keeps serving the queue
                self.stderr.write(f"importación {pk}: {error}")
            self.stdout.write(f"importación {pk} procesada")
