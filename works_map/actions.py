"""Every write to works goes through here: validation, one transaction, layer versions bumped.

With an `acting_user`, the actions that place a work (create, update, delete) also decide whether
that user may: the work as stored before and the work as it stands after the write must both pass
the work gate, so no caller (form, import, revert, admin) can move a work out of the user's scope.
The "after" check runs once the rows are written, inside the transaction, because an agency's
claim on a work lives in its WorkAgency rows; a refusal rolls the whole write back.

`bulk=True` is for a caller that writes many rows (the register import) and holds its own savepoint
around each call, letting every error out of it (planning.import_writers): the action then opens no
savepoint of its own, and leaves the model constraints (check and unique) and the existence of
related rows it was handed as loaded instances to the database, which enforces all of them,
instead of one query per constraint and per relation; a constraint the database refuses becomes
the ValidationError `full_clean` would have raised, with the constraint's own message
(gis_core.constraints.violation_message). Every other check (field values, choices, lengths,
geometry, the gate) runs as without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_core.access import Action, require_in_place
from gis_core.constraints import violation_message
from gis_core.geometry import area_m2, validate_geometry
from gis_core.history import record as record_version
from gis_core.versions import bump_layers, bumps_once
from priority_zones.models import Municipio
from works_map import public_areas
from works_map.models import (
    Agency,
    Category,
    FundingSource,
    ProgressReport,
    PublicArea,
    Work,
    WorkAgency,
    WorkFunding,
)

WORK_LAYERS = ("works", "work_footprints")
# The amounts of a funding row, as the action's `funding` rows carry them (forms and admin alike).
FUNDING_AMOUNTS = ("amount_approved", "amount_modified", "amount_exercised", "amount_paid")


def _outside(work: Work) -> str:
    return _("La obra %(f)s está fuera de su ámbito de trabajo.") % {"f": work.folio}


def _would_leave(work: Work) -> str:
    return _("Con este cambio la obra %(f)s quedaría fuera de su ámbito de trabajo; no se guardó nada.") % {
        "f": work.folio
    }


def defer_totals() -> None:
    """In the current transaction, the works' totals and membership triggers only note the works
    written, without the totals' advisory lock, until apply_deferred_totals() (which the same
    transaction must call before it commits) brings them up to date at once: a bulk write (the
    register import) then holds the lock from that call to its commit, not for its whole run, so an
    unrelated amount change does not wait for the whole import (works_map/sql/deferred_totals.sql)."""
    if not connection.in_atomic_block:
        raise RuntimeError("defer_totals() needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT works_map_defer_totals()")


def apply_deferred_totals() -> None:
    """Memberships and running totals of every work written since defer_totals(), in a few
    statements under the advisory lock; the triggers work as before afterwards."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT works_map_apply_deferred_totals()")


def _clean(obj: models.Model, *, bulk: bool, exclude: Iterable[str] = ()) -> None:
    """full_clean; in bulk, without the queries the database answers anyway (see the module doc)."""
    if not bulk:
        obj.full_clean(exclude=list(exclude) or None)
        return
    loaded = [
        f.name
        for f in obj._meta.concrete_fields
        if f.is_relation
        and f.is_cached(obj)  # type: ignore[attr-defined]
        and (related := f.get_cached_value(obj)) is not None  # type: ignore[attr-defined]
        and not related._state.adding
    ]
    obj.full_clean(exclude=[*exclude, *loaded], validate_unique=False, validate_constraints=False)


def _save(obj: models.Model, *, bulk: bool, **options) -> None:
    """save; in bulk, a constraint the database refuses is the ValidationError full_clean gives.
    (The IntegrityError leaves the transaction to be rolled back: the ValidationError leaves the
    caller's savepoint, which rolls it back.)"""
    if not bulk:
        obj.save(**options)
        return
    try:
        obj.save(**options)
    except IntegrityError as error:
        raise ValidationError(violation_message(error), code="constraint") from error


def do_create_work(
    *,
    acting_user=None,
    funding: Iterable[tuple[FundingSource, dict]] = (),
    agencies: Iterable[tuple[Agency, str]] = (),
    bulk: bool = False,
    **fields,
) -> Work:
    with transaction.atomic(savepoint=not bulk):
        work = Work(**fields)
        work.geom = validate_geometry(work.geom)
        _clean(work, bulk=bulk, exclude=["point"])
        _save(work, bulk=bulk)
        _replace_funding_and_agencies(work, funding, agencies, bulk=bulk, created=True)
        require_in_place(acting_user, Action.CREATE, work, _would_leave)
        record_version(work, acting_user, "CREATE", first=True)
        bump_layers(*WORK_LAYERS)
    return work


def do_update_work(
    work: Work,
    *,
    acting_user=None,
    funding: Iterable[tuple[FundingSource, dict]] | None = None,
    agencies: Iterable[tuple[Agency, str]] | None = None,
    bulk: bool = False,
    **changes,
) -> Work:
    """Change a work's fields; `funding` and `agencies`, when given, replace all its rows of that kind
    (None leaves them as they are). One transaction: a refused row leaves the work as it was."""
    with transaction.atomic(savepoint=not bulk):
        require_in_place(acting_user, Action.CHANGE, work, _outside, as_stored=True)
        for name, value in changes.items():
            setattr(work, name, value)
        if "geom" in changes:
            work.geom = validate_geometry(work.geom)
        _clean(work, bulk=bulk, exclude=["point"])
        _save(work, bulk=bulk)
        _replace_funding_and_agencies(work, funding, agencies, bulk=bulk)
        require_in_place(acting_user, Action.CHANGE, work, _would_leave)
        record_version(work, acting_user, "UPDATE")
        bump_layers(*WORK_LAYERS)
    return work


@transaction.atomic
def do_delete_work(work: Work, *, acting_user=None) -> None:
    require_in_place(acting_user, Action.DELETE, work, _outside, as_stored=True)
    record_version(work, acting_user, "DELETE")
    work.delete()
    bump_layers(*WORK_LAYERS)


@dataclass
class PublishOutcome:
    """What a bulk publish or unpublish did: the works changed, those already so, and those refused
    (out of the user's scope, or not valid as stored) with the reason."""

    changed: list[Work] = field(default_factory=list)
    unchanged: list[Work] = field(default_factory=list)
    refused: list[tuple[Work, str]] = field(default_factory=list)


def do_set_published(works: Iterable[Work], *, published: bool, acting_user=None) -> PublishOutcome:
    """Publish or unpublish many works (the workspace's bulk action, the admin's actions). Each work goes
    through do_update_work, so the gate checks it as stored and as it will stand and one version is
    recorded per work changed; a work refused is left as it was and reported, the others still change.
    The works layers are bumped once at the end."""
    outcome = PublishOutcome()
    with bumps_once():
        for work in works:
            if work.published == published:
                outcome.unchanged.append(work)
                continue
            try:
                outcome.changed.append(do_update_work(work, published=published, acting_user=acting_user))
            except PermissionDenied as refusal:
                work.published = not published
                outcome.refused.append((work, str(refusal)))
            except ValidationError as error:
                work.published = not published
                outcome.refused.append((work, " ".join(error.messages)))
    return outcome


CatalogueEntry = Agency | FundingSource | Category


@transaction.atomic
def do_save_catalogue_entry(entry: CatalogueEntry, *, acting_user=None) -> CatalogueEntry:
    """An agency, funding source or category as the admin edits it: checked, a version recorded, and
    the works layers bumped, since their tiles carry the category code and filter by these codes."""
    change = "UPDATE" if entry.pk is not None else "CREATE"
    entry.full_clean()
    entry.save()
    record_version(entry, acting_user, change)
    bump_layers(*WORK_LAYERS)
    return entry


@transaction.atomic
def do_delete_catalogue_entry(entry: CatalogueEntry, *, acting_user=None) -> None:
    """Remove an entry no work refers to (the database protects the ones in use)."""
    record_version(entry, acting_user, "DELETE")
    entry.delete()
    bump_layers(*WORK_LAYERS)


def _replace_funding_and_agencies(
    work: Work,
    funding: Iterable[tuple[FundingSource, dict]] | None,
    agencies: Iterable[tuple[Agency, str]] | None,
    *,
    bulk: bool = False,
    created: bool = False,
) -> None:
    """`created`: the work was just inserted, so it has no rows of either kind to delete."""
    # Duplicates are named here, before any row is written: the database constraint would refuse
    # them too, but its message cannot say which source or agency repeats.
    if funding is not None:
        funding = list(funding)
        _refuse_repeats(
            [source for source, _amounts in funding],
            _("La fuente de financiamiento «%(item)s» aparece más de una vez."),
        )
        if not created:
            work.funding.all().delete()
        for source, amounts in funding:
            row = WorkFunding(work=work, source=source, **amounts)
            _clean(row, bulk=bulk)
            _save(row, bulk=bulk)
    if agencies is not None:
        agencies = list(agencies)
        _refuse_repeats(
            [(agency, role) for agency, role in agencies],
            _("La dependencia «%(item)s» aparece más de una vez con el mismo papel."),
            describe=lambda pair: (
                f"{pair[0].acronym} ({dict(WorkAgency.Role.choices).get(pair[1], pair[1])})"
            ),
        )
        if not created:
            work.agency_roles.all().delete()
        for agency, role in agencies:
            agency_row = WorkAgency(work=work, agency=agency, role=role)
            _clean(agency_row, bulk=bulk)
            _save(agency_row, bulk=bulk)


def _refuse_repeats(items: list, message: str, describe=str) -> None:
    seen: list = []
    for item in items:
        if item in seen:
            raise ValidationError(message % {"item": describe(item)}, code="duplicate")
        seen.append(item)


def do_record_progress(
    work: Work,
    *,
    reported_on: date,
    physical_pct: Decimal,
    financial_pct: Decimal,
    note: str = "",
    acting_user=None,
    bulk: bool = False,
) -> ProgressReport:
    with transaction.atomic(savepoint=not bulk):
        report = ProgressReport(
            work=work,
            reported_on=reported_on,
            physical_pct=physical_pct,
            financial_pct=financial_pct,
            note=note,
            author=acting_user,
        )
        _clean(report, bulk=bulk)
        _save(report, bulk=bulk)
    return report


@transaction.atomic
def do_correct_progress(report: ProgressReport, *, acting_user=None, **changes) -> ProgressReport:
    """Correct a pending report's figures; a reviewed report is part of the record and stays as it is."""
    stored = ProgressReport.objects.get(pk=report.pk)
    if stored.state != ProgressReport.State.PENDING:
        raise ValidationError(_("Este reporte ya fue revisado; no se corrige."))
    for name, value in changes.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    return report


def do_review_progress(
    report: ProgressReport, *, approve: bool, reason: str = "", acting_user=None, bulk: bool = False
) -> ProgressReport:
    """Approve or reject a report; approval refreshes the work's public progress figures."""
    if report.state != ProgressReport.State.PENDING:
        raise ValidationError(_("Este reporte ya fue revisado."))
    with transaction.atomic(savepoint=not bulk):
        report.state = ProgressReport.State.APPROVED if approve else ProgressReport.State.REJECTED
        report.review_reason = reason
        report.reviewer = acting_user
        _clean(report, bulk=bulk)
        _save(report, bulk=bulk)
        if approve:
            pending = _progress_pending.get()
            if pending is not None:
                pending.add(report.work_id)
            else:
                _refresh_progress(report.work)
    return report


# Works whose progress figures progress_refreshed_together() refreshes at its end; None: at once.
_progress_pending: ContextVar[set[int] | None] = ContextVar("progress_pending", default=None)


@contextmanager
def progress_refreshed_together() -> Iterator[None]:
    """Within the block (a caller's transaction that approves many reports: the register import), an
    approval notes its work, and at the end of the block one UPDATE per 5,000 works sets the public
    progress figures from each work's latest approved report, as _refresh_progress does one by one.
    A row rolled back after noting its work is harmless: the figures are recomputed from what is stored."""
    if _progress_pending.get() is not None:  # already gathering: the outer block refreshes
        yield
        return
    pending: set[int] = set()
    token = _progress_pending.set(pending)
    try:
        yield
    finally:
        _progress_pending.reset(token)
    ids = sorted(pending)
    latest = ProgressReport.objects.filter(work=OuterRef("pk"), state=ProgressReport.State.APPROVED).order_by(
        "-reported_on", "-created_at"
    )
    for start in range(0, len(ids), 5000):
        Work.objects.filter(pk__in=ids[start : start + 5000]).update(
            physical_progress=Coalesce(Subquery(latest.values("physical_pct")[:1]), Decimal(0)),
            financial_progress=Coalesce(Subquery(latest.values("financial_pct")[:1]), Decimal(0)),
            updated_at=timezone.now(),
        )
    if ids:
        bump_layers(*WORK_LAYERS)


def _refresh_progress(work: Work) -> None:
    latest = (
        work.progress_reports.filter(state=ProgressReport.State.APPROVED)
        .order_by("-reported_on", "-created_at")
        .first()
    )
    work.physical_progress = latest.physical_pct if latest else Decimal(0)
    work.financial_progress = latest.financial_pct if latest else Decimal(0)
    work.save(update_fields=["physical_progress", "financial_progress", "updated_at"])
    bump_layers(*WORK_LAYERS)


def do_save_public_area(geom) -> tuple[PublicArea, bool]:
    """Save a polygon drawn on the citizen map as a public area (or find it: the same polygon, once
    normalised, is the same area). Returns (area, created). Refuses a polygon outside every
    municipio of Guanajuato. Anyone may call it; the API throttles callers."""
    shape = public_areas.normalised(geom)
    fingerprint = public_areas.digest(shape)
    found = PublicArea.objects.filter(digest=fingerprint).first()
    if found is not None:
        return found, False
    if Municipio.objects.exists() and not Municipio.objects.filter(geom__intersects=shape).exists():
        raise ValidationError({"geometry": _("El área no toca ningún municipio de Guanajuato.")})
    taken = set(
        PublicArea.objects.filter(code__in=public_areas.code_candidates(fingerprint)).values_list(
            "code", flat=True
        )
    )
    code = next(c for c in public_areas.code_candidates(fingerprint) if c not in taken)
    with transaction.atomic():
        area, created = PublicArea.objects.get_or_create(
            digest=fingerprint,
            defaults={"code": code, "geom": shape, "area_km2": round(area_m2(shape) / 1e6, 3)},
        )
    return area, created
