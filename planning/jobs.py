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
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_core import access
from planning import imports
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
    table = imports.read_table(Path(job.file.path), options)
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


def claim_next() -> int | None:
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ImportJob.Status.QUEUED)
            .order_by("created_at")
            .first()
        )
        if job is None:
            return None
        job.status, job.started_at, job.progress = ImportJob.Status.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "progress"])
        return job.pk


def run(pk: int) -> None:
    """Check again (the file is the truth, not the preview) and write in one transaction."""
    job = ImportJob.objects.select_related("created_by").get(pk=pk)
    if job.status == ImportJob.Status.QUEUED:
        job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
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
    _progress_path(job).unlink(missing_ok=True)


# The write runs in one transaction, so a progress count saved on the job would only be seen when it
# commits. The worker writes it beside the uploaded file instead (web and worker share the media
# storage already: the worker reads the upload from it), and the status page reads it from there.


def _progress_path(job: ImportJob) -> Path:
    return Path(job.file.path).with_suffix(".progreso")


def _progress_writer(job: ImportJob):
    path = _progress_path(job)

    def write(done: int) -> None:
        partial = path.with_suffix(".progreso.tmp")
        partial.write_text(str(done))
        partial.replace(path)  # atomic: a reader never sees half a number

    return write


def progress_of(job: ImportJob) -> int:
    """Rows written so far: from the worker's progress file while it runs, else the job's own count."""
    if job.status != ImportJob.Status.RUNNING:
        return job.progress
    try:
        return int(_progress_path(job).read_text() or 0)
    except (OSError, ValueError):
        return 0


def _describe(error: Exception) -> str:
    messages = getattr(error, "messages", None)
    return " ".join(messages) if messages else str(error)
