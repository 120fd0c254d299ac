"""The write step of planning.imports: one transaction, upserts by key (re-importing changes nothing),
every row written through its domain action (versions recorded, layers bumped, scope checked).

The actions decide whether the importing user may write each row, on the object the key matches
as much as on the row's new place: a row they refuse is rejected with a reason, never written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gis_core.versions import bumps_once
from planning.import_rows import CheckedRow, ImportRefused, Options, Outcome, as_text, municipio_at, row_folio
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
    context = _context(options)
    refused: list[CheckedRow] = []
    with transaction.atomic(), bumps_once():
        for done, row in enumerate(outcome.kept, start=1):
            try:
                with transaction.atomic():  # a refused row leaves nothing behind
                    result = writer(row, options, context, acting_user)
            except PermissionDenied:
                refused.append(row)
                continue
            outcome.tally(result)
            if progress is not None and done % 10 == 0:
                progress(done)
        outcome.withdraw(refused, _(OUT_OF_SCOPE))
        if dry_run or (refused and options.mode == "all"):
            transaction.set_rollback(True)
    if refused and options.mode == "all":
        outcome.forget_writes()
        outcome.notes.append(_("Modo todo o nada: hay filas rechazadas, no se escribió nada."))
        return outcome
    outcome.committed = not dry_run
    return outcome


def _context(options: Options) -> dict[str, Any]:
    from works_map.models import Category

    context: dict[str, Any] = {}
    if options.target == "works":
        category = Category.objects.filter(code=options.category_code).first()
        if category is None:
            raise ImportRefused(
                _("Indique una categoría existente para las obras (clave «%(c)s»).")
                % {"c": options.category_code}
            )
        context["category"] = category
    return context


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
    from works_map.actions import do_create_work, do_update_work
    from works_map.models import Work

    municipio = municipio_at(row.geom) if row.geom is not None else None
    if municipio is None:
        raise ValidationError(_("Fila %(r)s: el punto no cae en ningún municipio cargado.") % {"r": row.row})
    folio = row_folio(row.values)
    values: dict[str, Any] = {
        "name": as_text(row.values.get("name"))[:300],
        "amount_approved": row.values["amount_approved"],
        "municipio": municipio,
        "geom": row.geom,
    }
    existing = Work.objects.filter(folio=folio, fiscal_year=row.values["fiscal_year"]).first()
    if existing is None:
        do_create_work(
            acting_user=acting_user,
            folio=folio,
            fiscal_year=row.values["fiscal_year"],
            category=context["category"],
            status="PROGRAMADA",
            published=False,
            **values,
        )
        return "created"
    changes = _changes(existing, values)
    if not changes:
        return "unchanged"
    do_update_work(existing, acting_user=acting_user, **changes)
    return "updated"
