"""The worker's loop (manage.py run_import_worker): sends what the outbox holds (outbox.dispatch)
and serves planning.jobs' import queue, survives its database connection dropping (a PostgreSQL
restart, pg_terminate_backend) by reconnecting with backoff, and shows it is alive with a heartbeat
row that /health reads."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone

from chat import maintenance as chat_maintenance
from consultations import jobs as follow_jobs
from outbox import dispatch
from planning import jobs
from planning.models import ImportJob, WorkerHeartbeat

log = logging.getLogger(__name__)

# A dropped connection is retried after 1, 2, 4 … seconds, never more than this apart.
MAX_BACKOFF_SECONDS = 30
CONNECTION_ERRORS = (OperationalError, InterfaceError)
# With --once (a cron job, the tests) the worker gives up after this many failed attempts in a row.
ONCE_ATTEMPTS = 5
# Chat notices (followed works that changed) and the deletion of inactive numbers, this often.
CHAT_EVERY_SECONDS = 60


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str) -> None:
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


class Heartbeat(threading.Thread):
    """Beats every WORKER_HEARTBEAT_SECONDS from its own thread (so its own database connection),
    also while a long import runs; a beat lost to a dropped connection is retried on the next."""

    def __init__(self, name: str) -> None:
        super().__init__(name="import-worker-heartbeat", daemon=True)
        self.worker = name
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                beat(self.worker)
            except CONNECTION_ERRORS as error:
                log.warning("heartbeat: database unavailable (%s)", str(error).strip()[:200])
                connection.close()
            self.stopped.wait(settings.WORKER_HEARTBEAT_SECONDS)
        connection.close()

    def stop(self) -> None:
        self.stopped.set()


def _reconnect_pause(backoff: float) -> float:
    """Drop the broken connection (Django opens a new one on the next query), wait, back off."""
    try:
        connection.close()
    except CONNECTION_ERRORS:
        pass
    time.sleep(backoff)
    return min(backoff * 2, MAX_BACKOFF_SECONDS)


def release(pk: int) -> None:
    """A job interrupted by a lost connection wrote nothing (it writes in one transaction): queue
    it again for the next claim."""
    ImportJob.objects.filter(pk=pk, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.QUEUED, started_at=None
    )


def serve(
    *,
    once: bool = False,
    sleep: float = 2.0,
    report: Callable[[str], None] = log.info,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Claim and run queued jobs until stopped (or, with once, until the queue is empty)."""
    heartbeat = Heartbeat(worker_name())
    heartbeat.start()
    backoff = 1.0
    interrupted: int | None = None
    failures = 0
    chat_due = 0.0
    try:
        while not should_stop():
            if not connection.in_atomic_block:  # (in a test's transaction the connection must stay)
                close_old_connections()  # a connection past CONN_MAX_AGE or left unusable is replaced
            try:
                if interrupted is not None:
                    release(interrupted)
                    interrupted = None
                follow_jobs.run_due()  # the follows' digests, when FOLLOW_DIGEST_SECONDS have passed
                if time.monotonic() >= chat_due:  # chat notices are queued before the outbox is sent
                    chat_due = time.monotonic() + CHAT_EVERY_SECONDS
                    _chat_maintenance(report)
                sent = dispatch.run_due()  # outgoing e-mail and chat replies first: they are short
                pk = jobs.claim_next()
            except CONNECTION_ERRORS as error:
                failures += 1
                if once and failures > ONCE_ATTEMPTS:
                    raise
                reason = str(error).strip()[:200]
                report(f"base de datos no disponible, reintento en {backoff:.0f} s: {reason}")
                backoff = _reconnect_pause(backoff)
                continue
            backoff, failures = 1.0, 0
            if pk is None:
                if once and not sent:
                    return
                if sent:
                    continue
                time.sleep(sleep)
                continue
            try:
                jobs.run(pk)
            except CONNECTION_ERRORS as error:
                report(f"importación {pk}: conexión perdida ({str(error).strip()[:200]}); vuelve a la cola")
                interrupted = pk
                backoff = _reconnect_pause(backoff)
                continue
            except Exception as error:  # recorded on the job; the worker keeps serving the queue
                report(f"importación {pk}: {error}")
            report(f"importación {pk} procesada")
    finally:
        heartbeat.stop()
        heartbeat.join(timeout=5)


def _chat_maintenance(report: Callable[[str], None]) -> None:
    try:
        done = chat_maintenance.run()
    except CONNECTION_ERRORS:
        raise
    except Exception as error:  # the chat's upkeep must not stop the imports or the outbox
        report(f"chat: mantenimiento fallido: {type(error).__name__}")
        return
    if done.notices or done.subscribers_deleted:
        report(f"chat: {done.notices} avisos, {done.subscribers_deleted} números inactivos borrados")


def health() -> str:
    """ok: a worker beat within WORKER_STALE_SECONDS; stale: the last beat is older; absent: none ever."""
    last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if last is None:
        return "absent"
    fresh = timezone.now() - last <= timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return "ok" if fresh else "stale"
