"""A small database-backed queue for imports: no broker. `enqueue` either runs the job at once
(settings.IMPORTS_RUN_IMMEDIATELY, used by tests) or leaves it QUEUED for `manage.py run_import_worker`,
which claims jobs with SELECT ... FOR UPDATE SKIP LOCKED, so several workers never take the same one.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import BooleanField, F, Func, IntegerField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_core import access
from gis_core.storage import local_copy, local_file
from planning import import_budget, imports
from planning.import_writers import write_rows
from planning.models import ImportJob

PREVIEW_FEATURES = 300
WARNINGS_LISTED = 1000
ACCEPTED_EXTENSIONS = (*imports.GEOMETRY_EXTENSIONS, *imports.TABLE_EXTENSIONS)
GEOGRAPHY_TARGETS = ("municipios", "agebs")


def create_job(upload, options: dict[str, Any], user) -> ImportJob:
    extension = Path(upload.name).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise imports.ImportRefused(
            _(
                "Formato no admitido (%(s)s): use ZIP de Shapefile, GeoPackage, GeoJSON, TopoJSON, "
                "FlatGeobuf, CSV o XLSX."
            )
            % {"s": extension or "?"}
        )
    imports.Options(**options)  # refuses unknown targets and modes before anything is stored
    if import_budget.is_budget(options["target"]):
        import_budget.refuse_unless_allowed(user, options["target"])
        import_budget.refuse_extension(extension)
        options = {**options, "mode": "all"}  # a budget is loaded whole or not at all
    job = ImportJob(
        token=secrets.token_hex(16),
        extension=extension,
        original_name=upload.name[:200],
        options=options,
        created_by=user,
    )
    job.file.save("archivo", upload, save=False)
    job.save()
    return job


def _options(job: ImportJob) -> imports.Options:
    return imports.Options(**job.options)


def check(job: ImportJob) -> tuple[imports.Outcome, imports.Table]:
    options = _options(job)
    user = job.created_by
    if options.target in GEOGRAPHY_TARGETS and user is not None and not access.scope_of(user).everywhere:
        raise imports.ImportRefused(_("Solo un administrador importa la geografía del INEGI."))
    with local_copy(job.file.name, job.file.storage) as path:
        table = imports.read_table(path, options)
    return imports.check_rows(table, options, job.original_name), table


def _store(job: ImportJob, outcome: imports.Outcome, table: imports.Table) -> None:
    job.total = len(table.rows)
    job.progress = job.total
    job.summary = {
        **outcome.summary(),
        "columns": table.columns,
        "crs": table.crs,
        "encoding": table.encoding,
    }
    job.summary["warnings"] = [
        {"row": r.row, "key": r.key, "warnings": r.warnings} for r in outcome.kept if r.warnings
    ][:WARNINGS_LISTED]
    job.rejected = [{"row": r.row, "key": r.key, "reason": r.reason} for r in outcome.rejected]
    job.rejected_csv = outcome.rejected_csv(table)


def _rehearse(job: ImportJob, outcome: imports.Outcome) -> None:
    """Write and roll back, so the preview lists the rows the actions refuse this user (outside
    their scope, or matching by key an object outside it). An administrator's rows are never
    refused for their place, so theirs are not rehearsed. A row the write itself would refuse
    (a database constraint) stops the rehearsal; the real run reports it."""
    user = job.created_by
    if user is None or access.scope_of(user).everywhere:
        return
    notes = list(outcome.notes)
    try:
        write_rows(outcome, _options(job), acting_user=user, dry_run=True)
    except (ValueError, ValidationError, DatabaseError):
        pass
    outcome.forget_writes()
    outcome.notes[:] = notes


def preview(job: ImportJob) -> ImportJob:
    """Read and check without writing; keep the report and a GeoJSON sample for the map."""
    if import_budget.is_budget(job.options["target"]):
        return import_budget.preview(job)
    try:
        outcome, table = check(job)
        _rehearse(job, outcome)
    except imports.ImportRefused as error:
        job.status, job.error = ImportJob.Status.FAILED, str(error)
        job.save()
        return job
    _store(job, outcome, table)
    job.preview = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"fila": r.row, "clave": r.key},
                "geometry": json.loads(r.geom.geojson),
            }
            for r in outcome.kept[:PREVIEW_FEATURES]
            if r.geom is not None
        ],
    }
    job.save()
    return job


def enqueue(job: ImportJob) -> ImportJob:
    job.status = ImportJob.Status.QUEUED
    job.error = ""
    job.save(update_fields=["status", "error"])
    if getattr(settings, "IMPORTS_RUN_IMMEDIATELY", False):
        run(job.pk)
        job.refresh_from_db()
    return job


# Several workers, on several hosts, share the queue. A job is claimed with FOR UPDATE SKIP LOCKED
# (two workers never take the same row) and its worker also holds a session advisory lock on it
# while it runs. A worker that dies (killed, its host lost) loses its connection and with it the
# lock: a RUNNING job whose lock can be taken is an orphan, and the next claim runs it again (its
# rows were written in one transaction, so nothing of the dead run remains).
JOB_LOCK_SPACE = 7_321_000  # first key of the (int, int) advisory lock: this queue's own space


class _TryJobLock(Func):
    function = "pg_try_advisory_lock"
    output_field = BooleanField()


class _JobUnlock(Func):
    function = "pg_advisory_unlock"
    output_field = BooleanField()


def _job_lock(pk: int, func: type[Func]) -> bool:
    got = (
        ImportJob.objects.filter(pk=pk)
        .annotate(got=func(Value(JOB_LOCK_SPACE), Cast(F("pk"), IntegerField())))
        .values_list("got", flat=True)
        .first()
    )
    return bool(got)


def _orphan() -> ImportJob | None:
    """A RUNNING job whose worker is gone (its lock is free), now locked by this worker."""
    running = ImportJob.objects.select_for_update(skip_locked=True).filter(status=ImportJob.Status.RUNNING)
    for job in running.order_by("started_at")[:20]:
        if _job_lock(job.pk, _TryJobLock):
            return job
    return None


def claim_next() -> int | None:
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ImportJob.Status.QUEUED)
            .order_by("created_at")
            .first()
        )
        if job is not None:
            if not _job_lock(job.pk, _TryJobLock):
                return None  # run in a web process right now (IMPORTS_RUN_IMMEDIATELY)
        else:
            job = _orphan()
            if job is None:
                return None
        job.status, job.started_at, job.progress = ImportJob.Status.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "progress"])
        return job.pk


def run(pk: int) -> None:
    """Check again (the file is the truth, not the preview) and write in one transaction.

    The job's advisory lock (taken by claim_next, or here when run at once) is let go at the end."""
    job = ImportJob.objects.select_related("created_by").get(pk=pk)
    if job.status == ImportJob.Status.QUEUED:
        _job_lock(pk, _TryJobLock)
        job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        _run(job)
    finally:
        try:
            _job_lock(pk, _JobUnlock)
        except (OperationalError, InterfaceError):
            pass  # the connection is gone, and its lock with it


def _run(job: ImportJob) -> None:
    if import_budget.is_budget(job.options["target"]):
        _run_budget(job)
        return
    try:
        outcome, table = check(job)
        job.total = len(outcome.kept)
        job.save(update_fields=["total"])
        write_rows(outcome, _options(job), acting_user=job.created_by, progress=_progress_writer(job))
    except Exception as error:  # the transaction rolled back; the job says why
        job.status, job.error, job.finished_at = ImportJob.Status.FAILED, _describe(error), timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        if not isinstance(error, ValueError | ValidationError | DatabaseError):
            raise
        return
    _store(job, outcome, table)
    job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
    job.save()
    _forget_progress(job)


def _run_budget(job: ImportJob) -> None:
    """A budget file: checked again and written whole by the budget app (planning.import_budget)."""
    try:
        error = import_budget.write(job, _progress_writer(job))
    except Exception as raised:  # the transaction rolled back; the job says why
        job.status, job.error, job.finished_at = ImportJob.Status.FAILED, _describe(raised), timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        _forget_progress(job)
        if not isinstance(raised, ValueError | ValidationError | DatabaseError):
            raise
        return
    job.status = ImportJob.Status.FAILED if error else ImportJob.Status.DONE
    job.error, job.finished_at = error, timezone.now()
    job.save()
    _forget_progress(job)


def _forget_progress(job: ImportJob) -> None:
    if (path := _progress_path(job)) is not None:
        path.unlink(missing_ok=True)
    else:
        cache.delete(_progress_key(job))


# The write runs in one transaction, so a progress count saved on the job would only be seen when it
# commits. The worker writes it beside the uploaded file instead when the media storage is a shared
# directory (web and worker read the upload from it), else in the shared cache (Redis with S3).


def _progress_path(job: ImportJob) -> Path | None:
    own = local_file(job.file.storage, job.file.name)
    return own.with_suffix(".progreso") if own is not None else None


def _progress_key(job: ImportJob) -> str:
    return f"import-progress:{job.pk}"


def _progress_writer(job: ImportJob):
    path = _progress_path(job)

    def write(done: int) -> None:
        if path is None:
            cache.set(_progress_key(job), done, 86400)
            return
        partial = path.with_suffix(".progreso.tmp")
        partial.write_text(str(done))
        partial.replace(path)  # atomic: a reader never sees half a number

    return write


def progress_of(job: ImportJob) -> int:
    """Rows written so far: from the worker's progress file while it runs, else the job's own count."""
    if job.status != ImportJob.Status.RUNNING:
        return job.progress
    path = _progress_path(job)
    if path is None:
        return int(cache.get(_progress_key(job)) or 0)
    try:
        return int(path.read_text() or 0)
    except (OSError, ValueError):
        return 0


def _describe(error: Exception) -> str:
    messages = getattr(error, "messages", None)
    return " ".join(messages) if messages else str(error)
