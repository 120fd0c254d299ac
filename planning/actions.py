"""Writes of the planner's workspace that the domain apps do not have: progress photos, reverts."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction

from gis_core import access, history
from gis_core.access import Action
from gis_core.models import Version
from planning.models import ImportMapping, ProgressPhoto
from priority_zones.actions import do_update_zone
from priority_zones.models import Zone
from works_map.actions import do_create_work, do_record_progress, do_review_progress, do_update_work
from works_map.models import ProgressReport, Work


def do_record_progress_with_photos(
    work: Work, *, photos: list[dict], acting_user=None, **fields
) -> ProgressReport:
    """The report and its photos together; photo files written before a failure are removed again."""
    written: list[str] = []
    try:
        with transaction.atomic():
            report = do_record_progress(work, acting_user=acting_user, **fields)
            for photo in photos:
                row = ProgressPhoto(
                    report=report,
                    token=photo["token"],
                    extension=photo["extension"],
                    content_type=photo["content_type"],
                    size=photo["size"],
                )
                row.file.save("foto", photo["file"], save=False)
                written.append(row.file.name)
                row.save()
    except Exception:
        for name in written:
            default_storage.delete(name)
        raise
    return report


@transaction.atomic
def do_revert(obj: Work | Zone, version: Version, *, acting_user=None) -> Work | Zone:
    """Bring a zone or work back to `version` through its update action (which bumps the layers)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if version.model != history.label_of(obj) or version.object_id != obj.pk:
        raise ValidationError(_("Esa versión no es de este objeto."))
    changes = history.changes_for_revert(obj, version)
    if not changes:
        raise ValidationError(_("El objeto ya está como en la versión %(n)s.") % {"n": version.number})
    if isinstance(obj, Work):
        obj = do_update_work(obj, acting_user=acting_user, **changes)
    else:
        obj = do_update_zone(obj, acting_user=acting_user, **changes)
    # The update action just wrote the newest version; mark it as the revert it is.
    latest = history.versions_of(type(obj), obj.pk).values_list("pk", flat=True)[:1]
    Version.objects.filter(pk__in=list(latest)).update(
        change=Version.Change.REVERT, note=_("Revertida a la versión %(n)s") % {"n": version.number}
    )
    return obj


@transaction.atomic
def do_save_import_mapping(
    *, name: str, target: str, columns: dict, values: dict, options: dict, acting_user=None
) -> ImportMapping:
    """Save (or replace) a named mapping for a target: the next file of the same register reuses it."""
    mapping = ImportMapping.objects.filter(target=target, name=name).first() or ImportMapping(
        target=target, name=name
    )
    mapping.columns, mapping.values, mapping.options = columns, values, options
    mapping.created_by = mapping.created_by or acting_user
    mapping.full_clean()
    mapping.save()
    return mapping


@transaction.atomic
def do_save_work(
    existing: Work | None, *, fields: dict, rows: dict, progress: dict | None = None, acting_user=None
) -> tuple[Work, ProgressReport | None]:
    """The planner's work form: the work with its funding and agency rows through the work actions
    (which check the scope as stored and as it will stand), and, when one was filled in, a progress
    report through do_record_progress, approved at once if the gate lets this user approve it. One
    transaction: a refused report leaves the work as it was."""
    if existing is None:
        work = do_create_work(acting_user=acting_user, **fields, **rows)
    else:
        work = do_update_work(existing, acting_user=acting_user, **fields, **rows)
    report = None
    if progress is not None:
        if acting_user is not None:
            access.require(acting_user, Action.RECORD_PROGRESS, work)
        report = do_record_progress(work, acting_user=acting_user, **progress)
        if acting_user is not None and access.may(acting_user, Action.APPROVE, report):
            report = do_review_progress(report, approve=True, acting_user=acting_user)
    return work, report
