"""The write step of planning.imports: one transaction, upserts by key (re-importing changes nothing),
writes of zones and works through their domain actions (so they keep versions and bump the tiles)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gis_core.versions import bump_layers, bumps_once
from planning.import_rows import CheckedRow, ImportRefused, Options, Outcome, as_text, municipio_at, row_folio

# Zones and works are written through their actions, which bump their own layers; INEGI geography
# is written here directly, so its layer is bumped here.
GEOGRAPHY_LAYERS = {"municipios": ("municipios",), "agebs": ("agebs",)}


def write_rows(
    outcome: Outcome, options: Options, *, acting_user=None, progress: Callable[[int], None] | None = None
) -> Outcome:
    """One transaction. With mode "all" any rejected row means nothing is written."""
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
    with transaction.atomic(), bumps_once():
        for done, row in enumerate(outcome.kept, start=1):
            result = writer(row, options, context, acting_user)
            if result == "created":
                outcome.created += 1
            elif result == "updated":
                outcome.updated += 1
            else:
                outcome.unchanged += 1
            if progress is not None and done % 10 == 0:
                progress(done)
        if options.target in GEOGRAPHY_LAYERS and (outcome.created or outcome.updated):
            bump_layers(*GEOGRAPHY_LAYERS[options.target])
    outcome.written = True
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


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from the stored object (geometries compared exactly, to 1e-9 degrees)."""
    changed = {}
    for name, value in values.items():
        current = getattr(obj, name)
        if name == "geom":
            differs = current is None or not current.equals_exact(value, 1e-9)
        else:
            differs = current != value
        if differs:
            changed[name] = value
    return changed


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = _changes(obj, values)
    for name, value in changed.items():
        setattr(obj, name, value)
    return bool(changed)


def _write_municipio(row: CheckedRow, options: Options, context: dict, acting_user) -> str:
    from priority_zones.models import Municipio

    cvegeo = as_text(row.values.get("cvegeo"))
    values: dict[str, Any] = {"geom": row.geom}
    if as_text(row.values.get("name")):
        values["name"] = as_text(row.values.get("name"))
    if row.values.get("population") is not None:
        values["population_2020"] = row.values["population"]
    existing = Municipio.objects.filter(cvegeo=cvegeo).first()
    if existing is None:
        municipio = Municipio(cvegeo=cvegeo, frame_version=options.frame_version or "IMPORT", **values)
        municipio.full_clean()
        municipio.save()
        return "created"
    if options.frame_version:
        values["frame_version"] = options.frame_version
    if not _apply(existing, values):
        return "unchanged"
    existing.full_clean()
    existing.save()
    return "updated"


def _write_ageb(row: CheckedRow, options: Options, context: dict, acting_user) -> str:
    from priority_zones.models import Ageb, Municipio

    cvegeo = as_text(row.values.get("cvegeo"))
    municipio = Municipio.objects.filter(cvegeo=cvegeo[:5]).first()
    if municipio is None:
        raise ValidationError(
            _("Fila %(r)s: no existe el municipio %(m)s.") % {"r": row.row, "m": cvegeo[:5]}
        )
    values = {"geom": row.geom, "municipio": municipio, "population_2020": row.values.get("population")}
    existing = Ageb.objects.filter(cvegeo=cvegeo).first()
    if existing is None:
        ageb = Ageb(cvegeo=cvegeo, ambito="U", frame_version=options.frame_version or "IMPORT", **values)
        ageb.full_clean()
        ageb.save()
        return "created"
    if not _apply(existing, values):
        return "unchanged"
    existing.full_clean()
    existing.save()
    return "updated"


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
