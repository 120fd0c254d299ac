"""The demo's synthetic set as a whole: works, households, zones and the committees that tie works to
zones, generated and removed together (labelled, deterministic; see priority_zones.synthetic and
works_map.synthetic for each part)."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from django.db import transaction

from gis_core.versions import bump_layers
from priority_zones.models import Household, Person, SourceDocument, Zone
from priority_zones.synthetic import generate_households, generate_zones
from priority_zones.synthetic_base import (
    LAST_YEAR,
    MunicipioFrame,
    analyze,
    batch_statements,
    folio_prefix,
    load_frame,
    purge,
)
from works_map.models import Committee, ProgressReport, Work, WorkAgency, WorkFunding
from works_map.synthetic import generate_works


def delete_synthetic() -> dict[str, int]:
    """Remove every synthetic row (works, households, zones, committees) and their dependants."""
    with transaction.atomic():
        batch_statements()
        # Withdrawn first, in one statement: the running totals and cross-tab cells let go of every
        # synthetic work at once, and the deletes below (funding, agencies, the works) find nothing
        # counted left to refresh.
        Work.objects.filter(synthetic=True, published=True).update(published=False)
        deleted = {
            "comités": purge(Committee.objects.filter(synthetic=True)),
            "obras": purge(Work.objects.filter(synthetic=True)),
            "hogares": purge(Household.objects.filter(synthetic=True)),
            "zonas": purge(Zone.objects.filter(synthetic=True)),
        }
        SourceDocument.objects.filter(reference__startswith="SINTETICO-", zones__isnull=True).delete()
    bump_layers("works", "work_footprints", "zones")
    return deleted


def generate_all(*, works: int, households: int, zones: int, seed: int, report=print) -> dict[str, int]:
    """Works first (committees link to them), then households, then zones and committees.

    Repeated runs with the same seed append (folio serials continue) rather than collide.
    """
    frame = load_frame(seed)
    prefix = folio_prefix(seed)
    totals: dict[str, int] = {}
    steps = (
        ("obras", works, lambda: generate_works(frame, works, seed,
                                                start=Work.objects.filter(folio__startswith=prefix).count())),
        ("hogares", households, lambda: generate_households(
            frame, households, seed, start=Household.objects.filter(folio__startswith=prefix).count())),
        ("zonas", zones, lambda: _zones_and_committees(frame, zones, seed)),
    )  # fmt: skip
    for label, size, step in steps:
        if not size:
            continue
        started = time.perf_counter()
        counts = step()
        elapsed = time.perf_counter() - started
        rows = sum(counts.values())
        report(
            f"  {label}: "
            + ", ".join(f"{value:,} {key}" for key, value in counts.items())
            + f" en {elapsed:.2f} s ({rows / max(elapsed, 1e-9):,.0f} filas/s)"
        )
        totals.update(counts)
    analyze(Work, WorkFunding, WorkAgency, ProgressReport, Household, Person, Zone, Committee)
    bump_layers("works", "work_footprints", "zones")
    return totals


def _zones_and_committees(frame: MunicipioFrame, k: int, seed: int) -> dict[str, int]:
    counts, zone_ids = generate_zones(frame, k, seed)
    return {**counts, "comités": generate_committees(frame, zone_ids, seed)}


def generate_committees(frame: MunicipioFrame, zone_ids: np.ndarray, seed: int) -> int:
    """A few committees on the zones just drawn: per Zona Impulso, Comités de la Gente (11 members),
    contraloría social of works."""
    rng = np.random.default_rng([seed, 29])
    position = {int(pk): i for i, pk in enumerate(frame.ids)}
    drawn = list(Zone.objects.filter(pk__in=[int(pk) for pk in zone_ids]).order_by("pk"))
    kinds = np.array([zone.kind for zone in drawn])
    impulso = np.flatnonzero(kinds == "ZONA_IMPULSO")
    zap = np.flatnonzero(kinds == "ZAP_URBANA")
    total = max(3, len(kinds) // 10)
    committees: list[Committee] = []
    links: list[tuple[int, str]] = []
    for j in range(total):
        kind = ["ZONA_IMPULSO", "DE_LA_GENTE", "CONTRALORIA_SOCIAL", "DE_OBRA"][j % 4]
        pool = impulso if kind == "ZONA_IMPULSO" and len(impulso) else zap if len(zap) else impulso
        zone = drawn[int(pool[int(rng.integers(0, len(pool)))])] if len(pool) else None
        m = position[zone.municipio_id] if zone is not None else int(rng.integers(0, len(frame)))
        year = zone.fiscal_year if zone is not None else LAST_YEAR
        label = {
            "ZONA_IMPULSO": "Comité ciudadano de Zona Impulso",
            "DE_LA_GENTE": "Comité de la Gente",
            "CONTRALORIA_SOCIAL": "Comité de contraloría social",
            "DE_OBRA": "Comité de obra",
        }[kind]
        committees.append(
            Committee(
                kind=kind,
                name=f"{label} {j + 1}, {frame.names[m]} (sintético)",
                zone=zone if kind in ("ZONA_IMPULSO", "DE_LA_GENTE") else None,
                constituted_on=dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(20, 300))),
                members_count=11 if kind == "DE_LA_GENTE" else int(rng.integers(3, 12)),
                synthetic=True,
            )
        )
        if kind in ("CONTRALORIA_SOCIAL", "DE_OBRA"):
            links.append((j, frame.cvegeos[m]))
    created = Committee.objects.bulk_create(committees)
    through = Committee.works.through
    prefix = folio_prefix(seed)
    link_rows = []
    for j, cvegeo in links:
        works = Work.objects.filter(folio__startswith=prefix, municipio__cvegeo=cvegeo).order_by("folio")
        picked = list(works.values_list("id", flat=True)[: 1 if created[j].kind == "DE_OBRA" else 3])
        link_rows += [through(committee_id=created[j].pk, work_id=w) for w in picked]
    through.objects.bulk_create(link_rows)
    return len(created)
