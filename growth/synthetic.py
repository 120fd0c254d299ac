"""Synthetic, clearly labelled demo data: centres, guidance texts and children with measurements and
screenings in the demo zones. Children are attached to synthetic demo households (their dwelling
is where they count); codes start with "SINT-" and every row has synthetic=True.

Measurements are drawn as z-scores around the WHO medians (with some stunting, wasting and
overweight, and a few deliberate implausible values that are stored flagged) and turned back into
weights and lengths with the WHO curves, then scored by the same bulk code as any import.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.contrib.gis.db.models import Union
from django.db import transaction
from django.utils import timezone

from growth import actions, screening, who
from growth.models import Centre, Child, GuidanceText, Measurement, Screening
from priority_zones.models import Household, Municipio, Zone

SYNTHETIC_PREFIX = "SINT-"
AS_OF = dt.date(2026, 6, 30)

GUIDANCE = {
    "ON_TRACK": (
        "Va bien",
        "Siga jugando, platicando y leyendo con su niña o niño todos los días. Ofrezca agua simple, "
        "frutas y verduras; evite refrescos y jugos embotellados. Llévele a su control de niño sano.",
    ),
    "FOLLOW_UP": (
        "Conviene dar seguimiento",
        "Algunas respuestas piden atención. Practique las actividades de su edad, revise la "
        "alimentación (menos bebidas azucaradas y botanas, más agua, frutas y verduras) y vuelva a "
        "responder en un mes. Si algo le preocupa, acuda a su centro de salud.",
    ),
    "REFER": (
        "Acuda a su centro de salud",
        "Le recomendamos que una persona de salud revise a su niña o niño. Lleve su cartilla de "
        "vacunación. Acudir pronto ayuda a atender a tiempo cualquier problema.",
    ),
}


def ensure_guidance() -> int:
    made = 0
    for result, (title, body) in GUIDANCE.items():
        _, created = GuidanceText.objects.get_or_create(
            result=result, band="", defaults={"title": title, "body": body}
        )
        made += created
    return made


def ensure_centres() -> int:
    """Two synthetic centres per municipio that holds a synthetic zone (at the zone's interior point)."""
    made = 0
    zones = Zone.objects.filter(synthetic=True).select_related("municipio").order_by("pk")
    seen: set[int] = set()
    for zone in zones:
        if zone.municipio_id is None or zone.municipio_id in seen:
            continue
        seen.add(zone.municipio_id)
        p = zone.geom.point_on_surface
        for kind, label, dx in (
            (Centre.Kind.SALUD, "Centro de salud", 0.0),
            (Centre.Kind.DESARROLLO, "CADI", 0.004),
        ):
            name = f"{label} {zone.municipio.name} (sintético)"
            _, created = Centre.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "location": p.__class__(p.x + dx, p.y, srid=4326),
                    "municipio": zone.municipio,
                    "address": "Domicilio ficticio de demostración",
                    "synthetic": True,
                },
            )
            made += created
    return made


def generate_children(n: int, seed: int = 2026) -> int:
    """`n` synthetic children in synthetic households inside the demo zones (fewer if fewer households)."""
    if Child.objects.filter(code__startswith=SYNTHETIC_PREFIX).exists():
        return 0
    rng = np.random.default_rng(seed)
    zones = Zone.objects.all()  # the demo's zones: synthetic urban ZAP and the DOF 2026 rural ZAP
    area = zones.aggregate(u=Union("geom"))["u"]
    if area is None:
        return 0
    households = list(
        Household.objects.filter(synthetic=True, location__intersects=area).order_by("pk")[: n * 3]
    )
    if not households:
        return 0
    picked = [households[i] for i in rng.choice(len(households), size=min(n, len(households)), replace=False)]
    municipios = {m.pk: m for m in Municipio.objects.filter(pk__in={h.municipio_id for h in picked})}
    count = len(picked)
    male = rng.random(count) < 0.5
    age_at = rng.integers(0, 1800, count)
    births = [AS_OF - dt.timedelta(days=int(a)) for a in age_at]
    # Two measurements each: one now, one ~120 days earlier when the child was already born.
    z_h = rng.normal(-0.6, 1.1, count)
    z_w = rng.normal(0.3, 1.1, count)
    with transaction.atomic():
        children = Child.objects.bulk_create(
            Child(
                code=f"{SYNTHETIC_PREFIX}{i:05d}",
                sex="H" if male[i] else "M",
                birth_date=births[i],
                household=h,
                municipio=municipios[h.municipio_id],
                location=h.location,
                consent_at=timezone.now(),
                privacy_notice_version="DEMO",
                caregiver_relationship="madre (sintético)",
                retain_until=actions.retention_date(births[i]),
                synthetic=True,
            )
            for i, h in enumerate(picked)
        )
        rows = []
        for offset in (0, 120):
            age = age_at - offset
            ok = age >= 0
            idx = np.nonzero(ok)[0]
            a = age[idx]
            lying = a <= 730
            height = who.value_at_many("lhfa", z_h[idx], male[idx], a.astype(float)) + rng.normal(
                0, 0.3, len(idx)
            )
            weight = who.weight_for_height_at(z_w[idx], male[idx], a, height)
            # A few implausible values, stored flagged: they must never count.
            bad = rng.random(len(idx)) < 0.004
            weight = np.where(bad, weight * 2.2, weight)
            res = who.zscores(male[idx], a, np.round(weight, 2), np.round(height, 1), lying)
            classes = who.classify(res)
            for j, i in enumerate(idx):
                flags = [k for k in who.INDICATORS if res.flags[k][j]]
                rows.append(
                    Measurement(
                        child=children[i],
                        measured_on=AS_OF - dt.timedelta(days=offset),
                        age_days=int(a[j]),
                        weight_kg=Decimal(f"{weight[j]:.2f}"),
                        height_cm=Decimal(f"{height[j]:.1f}"),
                        position="L" if lying[j] else "H",
                        z_wfa=_f(res.wfa[j]),
                        z_lhfa=_f(res.lhfa[j]),
                        z_wflh=_f(res.wflh[j]),
                        z_bmi=_f(res.bmi[j]),
                        flags=flags,
                        source=Measurement.Source.DEMO,
                        **{
                            k: _b(classes[k][j])
                            for k in ("stunted", "wasted", "underweight", "overweight", "obese")
                        },
                    )
                )
        Measurement.objects.bulk_create(rows, batch_size=5000)
        screenings = []
        version = screening.questionnaire()["version"]
        for child in children:
            if rng.random() > 0.6:
                continue
            band = screening.band_for(screening.age_months(child.birth_date, AS_OF))
            answers = {
                item["id"]: str(
                    rng.choice(["si", "si", "si", "a_veces", "no"], p=[0.3, 0.3, 0.25, 0.1, 0.05])
                )
                for item in band["items"]
            }
            outcome = screening.score(band, answers)
            screenings.append(
                Screening(
                    child=child,
                    answered_on=AS_OF,
                    questionnaire_version=version,
                    band=outcome.band,
                    answers=outcome.answers,
                    scores={"total": outcome.total, "dominios": outcome.by_domain, "alertas": outcome.alerts},
                    result=outcome.result,
                    respondent=Screening.Respondent.STAFF,
                )
            )
        Screening.objects.bulk_create(screenings, batch_size=5000)
        actions.refresh_units()
    return count


def _f(v: float) -> float | None:
    return None if np.isnan(v) else round(float(v), 2)


def _b(v: float) -> bool | None:
    return None if np.isnan(v) else bool(v)
