"""The write step of planning.imports: one transaction, upserts by key (re-importing changes nothing),
every row written through its domain action (versions recorded, layers bumped, scope checked).

The actions decide whether the importing user may write each row, on the object the key matches
as much as on the row's new place: a row they refuse is rejected with a reason, never written."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gis_core.history import first_versions_together
from gis_core.versions import bumps_once
from planning.import_rows import CheckedRow, ImportRefused, Options, Outcome, as_text, row_folio
from priority_zones.actions import changed_values as _changes

# The reason a row gets when its action refuses the importing user (the stored object or the new place).
OUT_OF_SCOPE = gettext_noop("fuera de su ámbito de trabajo")


def write_rows(
    outcome: Outcome,
    options: Options,
    *,
    acting_user=None,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> Outcome:
    """One transaction. With mode "all" any rejected row means nothing is written.

    `dry_run` writes and rolls back: the preview learns which rows the actions would refuse."""
    if options.mode == "all" and outcome.rejected:
        outcome.notes.append(_("Modo todo o nada: hay filas rechazadas, no se escribió nada."))
        return outcome
    writer = {
        "municipios": _write_municipio,
        "agebs": _write_ageb,
        "zones": _write_zone,
        "works": _write_work,
    }[options.target]
    context = _context(options, outcome)
    refused: list[CheckedRow] = []
    invalid: dict[int, str] = {}
    step = max(1, len(outcome.kept) // 100)  # about a hundred progress updates, whatever the size
    with transaction.atomic(), bumps_once():
        if options.target == "works":
            from works_map.actions import defer_totals

            defer_totals()  # the totals' lock from the end of the writes to the commit only
        # First versions inserted together, and approved progress figures set together, at the end
        # of the writes (still inside the transaction): two statements a row fewer.
        with first_versions_together() as versions, _progress_together(options):
            for done, row in enumerate(outcome.kept, start=1):
                mark = versions.mark()
                try:
                    with transaction.atomic():  # a refused row leaves nothing behind
                        result = writer(row, options, context, acting_user)
                except PermissionDenied:
                    versions.drop_since(mark)
                    refused.append(row)
                except ValidationError as error:  # a check only the database or the action makes
                    versions.drop_since(mark)
                    invalid[id(row)] = "; ".join(error.messages)
                else:
                    outcome.tally(result)
                if progress is not None and (done % step == 0 or done == len(outcome.kept)):
                    progress(done)
        outcome.withdraw(refused, _(OUT_OF_SCOPE))
        for row in [r for r in outcome.kept if id(r) in invalid]:
            outcome.withdraw([row], invalid[id(row)])
        failed = bool(refused or invalid)
        if dry_run or (failed and options.mode == "all"):
            transaction.set_rollback(True)
        elif options.target == "works":
            from works_map.actions import apply_deferred_totals

            apply_deferred_totals()
    if failed and options.mode == "all":
        outcome.forget_writes()
        outcome.notes.append(_("Modo todo o nada: hay filas rechazadas, no se escribió nada."))
        return outcome
    outcome.committed = not dry_run
    return outcome


def _progress_together(options: Options) -> AbstractContextManager[None]:
    if options.target != "works":
        return nullcontext()
    from works_map.actions import progress_refreshed_together

    return progress_refreshed_together()


def _context(options: Options, outcome: Outcome) -> dict[str, Any]:
    """What every row of one import would otherwise look up again: for works, the stored works the
    rows' keys match (with their funding and agency rows), read in a few queries. Keys are unique
    within a file (the check refuses repeats), so no row can match a work another row creates."""
    if options.target != "works":
        return {}
    from works_map.models import Work

    keys = {(row_folio(row.values), row.values["fiscal_year"]) for row in outcome.kept}
    existing: dict[tuple[str, int], Any] = {}
    by_year: dict[int, list[str]] = {}
    for folio, year in keys:
        by_year.setdefault(year, []).append(folio)
    for year, folios in by_year.items():
        for start in range(0, len(folios), 5000):
            found = Work.objects.filter(fiscal_year=year, folio__in=folios[start : start + 5000])
            for work in found.prefetch_related("funding", "agency_roles__agency"):
                existing[(work.folio, work.fiscal_year)] = work
    return {"existing_works": existing}


def _write_municipio(row: CheckedRow, options: Options, context: dict, acting_user) -> str:
    from priority_zones.actions import do_upsert_municipio

    values: dict[str, Any] = {"geom": row.geom}
    if as_text(row.values.get("name")):
        values["name"] = as_text(row.values.get("name"))
    if row.values.get("population") is not None:
        values["population_2020"] = row.values["population"]
    if options.frame_version:
        values["frame_version"] = options.frame_version
    return do_upsert_municipio(as_text(row.values.get("cvegeo")), acting_user=acting_user, **values)


def _write_ageb(row: CheckedRow, options: Options, context: dict, acting_user) -> str:
    from priority_zones.actions import do_upsert_ageb
    from priority_zones.models import Municipio

    cvegeo = as_text(row.values.get("cvegeo"))
    municipio = Municipio.objects.filter(cvegeo=cvegeo[:5]).first()
    if municipio is None:
        raise ValidationError(
            _("Fila %(r)s: no existe el municipio %(m)s.") % {"r": row.row, "m": cvegeo[:5]}
        )
    values = {"geom": row.geom, "municipio": municipio, "population_2020": row.values.get("population")}
    return do_upsert_ageb(
        cvegeo, acting_user=acting_user, frame_version=options.frame_version or "IMPORT", **values
    )


def _write_zone(row: CheckedRow, options: Options, context: dict, acting_user) -> str:
    from priority_zones.actions import do_create_zone, do_update_zone
    from priority_zones.models import Zone

    year = options.fiscal_year
    if year is None:
        raise ImportRefused(_("Indique el ejercicio fiscal de las zonas."))
    name = as_text(row.values.get("name"))
    cvegeo = as_text(row.values.get("cvegeo")) or None
    found = Zone.objects.filter(kind=options.zone_kind, fiscal_year=year)
    existing = (
        found.filter(cvegeo=cvegeo) if cvegeo else found.filter(name=name, cvegeo__isnull=True)
    ).first()
    values: dict[str, Any] = {"name": name, "geom": row.geom, "population": row.values.get("population")}
    if existing is None:
        do_create_zone(
            acting_user=acting_user,
            kind=options.zone_kind,
            fiscal_year=year,
            cvegeo=cvegeo,
            status=options.zone_status,
            **values,
        )
        return "created"
    changes = _changes(existing, values)
    if not changes:
        return "unchanged"
    do_update_zone(existing, acting_user=acting_user, **changes)
    return "updated"


def _write_work(row: CheckedRow, options: Options, context: dict, acting_user) -> str:
    """Create or update the work with folio + fiscal year; a version only when something changed."""
    from works_map.actions import do_create_work, do_update_work
    from works_map.models import Work

    checked = row.work
    folio, year = row_folio(row.values), row.values["fiscal_year"]
    values: dict[str, Any] = {**checked.fields, "geom": row.geom}
    if "existing_works" in context:
        existing = context["existing_works"].get((folio, year))
    else:
        existing = Work.objects.filter(folio=folio, fiscal_year=year).first()
    if existing is None:
        agencies = [(checked.agency, "EJECUTORA")] if checked.agency is not None else []
        work = do_create_work(
            acting_user=acting_user,
            folio=folio,
            fiscal_year=year,
            published=options.publish,
            funding=checked.funding or (),
            agencies=agencies,
            bulk=True,
            **values,
        )
        _record_progress(work, checked, acting_user, created=True)
        return "created"
    if options.publish and not existing.published:
        values["published"] = True  # never unpublished by an import that does not publish
    changes = _changes(existing, values)
    related: dict[str, Any] = {}
    if checked.funding is not None and _funding_rows(existing) != _new_funding_rows(checked.funding):
        related["funding"] = checked.funding
    if checked.agency is not None:
        roles = [(r.agency, r.role) for r in existing.agency_roles.all()]
        wanted = [pair for pair in roles if pair[1] != "EJECUTORA"] + [(checked.agency, "EJECUTORA")]
        if {(a.pk, r) for a, r in roles} != {(a.pk, r) for a, r in wanted}:
            related["agencies"] = wanted
    if changes or related:
        do_update_work(existing, acting_user=acting_user, bulk=True, **related, **changes)
    progressed = _record_progress(existing, checked, acting_user)
    return "updated" if changes or related or progressed else "unchanged"


FundingKey = set[tuple[int, Any, Any, Any, Any]]


def _funding_rows(work) -> FundingKey:
    return {
        (f.source_id, f.amount_approved, f.amount_modified, f.amount_exercised, f.amount_paid)
        for f in work.funding.all()
    }


def _new_funding_rows(funding) -> FundingKey:
    zero = Decimal("0.00")
    return {
        (
            source.pk,
            amounts.get("amount_approved", zero),
            amounts.get("amount_modified"),
            amounts.get("amount_exercised", zero),
            amounts.get("amount_paid", zero),
        )
        for source, amounts in funding
    }


def _record_progress(work, checked, acting_user, *, created: bool = False) -> bool:
    """A progress report dated by its column (or today) when the figures differ from the latest one;
    approved at once when the importing user may approve it (or a command acts for the system).
    `created`: the work was inserted by this row, so it has no report yet to compare with."""
    from gis_core.access import Action, may
    from works_map.actions import do_record_progress, do_review_progress

    if checked.progress is None:
        return False
    physical, financial = checked.progress
    latest = (
        None
        if created
        else work.progress_reports.exclude(state="REJECTED").order_by("-reported_on", "-created_at").first()
    )
    if latest is None and physical == financial == 0:
        return False
    if latest is not None and (latest.physical_pct, latest.financial_pct) == (physical, financial):
        return False
    report = do_record_progress(
        work,
        reported_on=checked.progress_date or timezone.localdate(),
        physical_pct=physical,
        financial_pct=financial,
        note=_("Importado del registro de obras"),
        acting_user=acting_user,
        bulk=True,
    )
    if acting_user is None or may(acting_user, Action.APPROVE, report):
        do_review_progress(report, approve=True, acting_user=acting_user, bulk=True)
    return True
