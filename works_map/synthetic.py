"""Synthetic public works for demos and benchmarks: labelled, deterministic, fast (COPY).

Each work gets a category, a funding scheme (WorkFunding rows that add up to its amount), the
agencies that fit the scheme and year (SEDESHU/SICOM until 2024, SENCO/SOP after), a status in
the lifecycle, a point/line/polygon inside its real municipio and, once started, a history of
progress reports whose latest approved one is the work's denormalised progress.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from django.db import transaction

from priority_zones.synthetic_base import (
    AS_OF,
    DEG_LAT_PER_M,
    DEG_LON_PER_M,
    FIRST_YEAR,
    LAST_YEAR,
    NULL,
    SYNTHETIC_NOTE,
    MunicipioFrame,
    allocate,
    as_bool,
    as_dates,
    as_ewkb,
    as_text,
    batch_statements,
    constant,
    copy_rows,
    folio_prefix,
    now_text,
    pick,
    relaxed_commit,
    reserve_ids,
    sample_points,
)
from works_map.actions import apply_deferred_totals, defer_totals
from works_map.catalogs import PRESIDENCIA_MUNICIPIOS, STATE_TRANSITION, municipal_agency_code
from works_map.models import (
    Agency,
    Category,
    FundingSource,
    ProgressReport,
    Work,
    WorkAgency,
    WorkFunding,
    WorkStatus,
)
from works_map.synthetic_profiles import PROFILES

CHUNK = 50_000  # works per batch; fixed so that a seed gives the same data at any size
S = WorkStatus


# Funding scheme -> (source code, share); MUN = municipal own resources.
SCHEMES: dict[str, tuple[tuple[str, float], ...]] = {
    "FISMDF": (("FAIS-FISMDF", 1.0),),
    "FISMDF_BENEF": (("FAIS-FISMDF", 0.9), ("BENEFICIARIOS", 0.1)),
    "FISE": (("FAIS-FISE", 0.5), ("MUN-RECURSOS-PROPIOS", 0.5)),
    "FORTAMUN": (("FORTAMUN-DF", 1.0),),
    "AGUA_FED": (("FED-CONVENIO-AGUA", 0.5), ("GTO-RECURSOS-ESTATALES", 0.3), ("MUN-RECURSOS-PROPIOS", 0.2)),
    "MCC": (("GTO-MI-COLONIA-A-COLOR", 0.5), ("MUN-RECURSOS-PROPIOS", 0.5)),
    "IMPULSO": (("GTO-IMPULSO-SOCIAL", 0.7), ("MUN-RECURSOS-PROPIOS", 0.3)),
    "ESTATAL": (("GTO-RECURSOS-ESTATALES", 1.0),),
    "ESTATAL_MUN": (("GTO-RECURSOS-ESTATALES", 0.6), ("MUN-RECURSOS-PROPIOS", 0.4)),
    "MUNICIPAL": (("MUN-RECURSOS-PROPIOS", 1.0),),
}
# Who executes under each scheme: the municipio's Dirección de Obras Públicas or a state agency.
STATE_EXECUTED = {"ESTATAL", "AGUA_FED"}
STATE_MAYBE = {"FISE": 0.5, "ESTATAL_MUN": 0.5, "IMPULSO": 0.3}

STATUSES = [s.value for s in WorkStatus]
# Status probabilities by age of the fiscal year (0 = current year of the synthetic world).
STATUS_BY_AGE = {
    0: {
        S.PLANEACION: 8,
        S.PROGRAMADA: 10,
        S.EN_CONTRATACION: 10,
        S.CONTRATADA: 10,
        S.EN_EJECUCION: 35,
        S.SUSPENDIDA: 4,
        S.TERMINADA: 13,
        S.ENTREGADA: 5,
        S.CANCELADA: 5,
    },
    1: {
        S.PROGRAMADA: 1,
        S.EN_CONTRATACION: 1,
        S.CONTRATADA: 2,
        S.EN_EJECUCION: 12,
        S.SUSPENDIDA: 4,
        S.TERMINADA: 20,
        S.ENTREGADA: 25,
        S.FINIQUITADA: 20,
        S.CERRADA: 10,
        S.CANCELADA: 5,
    },
    2: {
        S.EN_EJECUCION: 1,
        S.SUSPENDIDA: 2,
        S.TERMINADA: 4,
        S.ENTREGADA: 10,
        S.FINIQUITADA: 20,
        S.CERRADA: 58,
        S.CANCELADA: 5,
    },
}
STARTED = {S.EN_EJECUCION, S.SUSPENDIDA, S.TERMINADA, S.ENTREGADA, S.FINIQUITADA, S.CERRADA}
FINISHED = {S.TERMINADA, S.ENTREGADA, S.FINIQUITADA, S.CERRADA}
MODALITY_LABEL = {
    "CONSTRUCCION": "Construcción de",
    "AMPLIACION": "Ampliación de",
    "REHABILITACION": "Rehabilitación de",
    "MANTENIMIENTO": "Mantenimiento de",
    "EQUIPAMIENTO": "Equipamiento con",
    "MEJORAMIENTO": "Mejoramiento con",
    "OTRA": "Entrega de",
}
COLONIAS = [
    "Centro",
    "San Juan",
    "Las Flores",
    "El Carmen",
    "La Joya",
    "Los Pinos",
    "Guadalupe",
    "San Isidro",
    "El Mirador",
    "La Loma",
    "Bellavista",
    "Lomas del Sol",
    "San José",
    "Santa Cecilia",
    "El Pedregal",
    "Jardines",
    "La Cruz",
    "Independencia",
    "Las Huertas",
    "San Antonio",
    "Valle Verde",
    "Benito Juárez",
    "La Presa",
    "El Refugio",
]
COMUNIDADES = [
    "San Pedro",
    "El Sauz",
    "La Estancia",
    "Ojo de Agua",
    "Santa Rosa",
    "El Capulín",
    "La Palma",
    "Los Ángeles",
    "San Miguel",
    "El Tepetate",
    "La Ciénega",
    "Rancho Nuevo",
    "El Maguey",
    "Puerto de Sosa",
    "Cerro Prieto",
    "San Bartolo",
    "La Soledad",
    "Mesa de Escalante",
    "El Charco",
    "Tierra Colorada",
]
CALLES = [
    "Hidalgo",
    "Morelos",
    "Juárez",
    "Allende",
    "Aldama",
    "Zaragoza",
    "Guerrero",
    "Madero",
    "Reforma",
    "Insurgentes",
    "Libertad",
    "Constitución",
    "Obregón",
    "Victoria",
    "Matamoros",
    "Galeana",
]
REJECTION_REASONS = [
    "El avance reportado no coincide con la evidencia fotográfica.",
    "Falta la estimación firmada por la supervisión.",
    "El avance financiero excede lo pagado según el sistema contable.",
]


@dataclass
class Lookups:
    categories: dict[str, int]
    units: dict[str, str]
    sources: dict[str, int]
    agencies: dict[str, int]

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            categories=dict(Category.objects.values_list("code", "id")),
            units=dict(Category.objects.values_list("code", "unit")),
            sources=dict(FundingSource.objects.values_list("code", "id")),
            agencies=dict(Agency.objects.values_list("code", "id")),
        )


def _state_agency(kind: str, years: np.ndarray) -> np.ndarray:
    """The state agency of that kind in force in each fiscal year (the 2024 renaming)."""
    after = years >= STATE_TRANSITION.year + 1
    old, new = {
        "SOCIAL": ("GTO-SEDESHU", "GTO-SENCO"),
        "OBRAS": ("GTO-SICOM", "GTO-SOP"),
        "AGUA": ("MUN", "GTO-SAMA"),
    }[kind]
    return np.where(after, new, old)


def _shapes(
    rng: np.random.Generator,
    frame: MunicipioFrame,
    m: int,
    x: np.ndarray,
    y: np.ndarray,
    shape: np.ndarray,
    length_m: np.ndarray,
) -> np.ndarray:
    """Points, lines or small polygons at (x, y); a shape leaving the municipio falls back to the point."""
    geoms = shapely.points(x, y)
    lines = np.flatnonzero(shape == "L")
    if len(lines):
        k = len(lines)
        nv = 4
        heading = rng.uniform(0, 2 * np.pi, k)
        turns = np.cumsum(rng.normal(0, 0.35, (k, nv - 1)), axis=1) + heading[:, None]
        seg = (length_m[lines] / (nv - 1))[:, None]
        dx = np.cos(turns) * seg * DEG_LON_PER_M
        dy = np.sin(turns) * seg * DEG_LAT_PER_M
        xs = np.concatenate([x[lines, None], x[lines, None] + np.cumsum(dx, axis=1)], axis=1)
        ys = np.concatenate([y[lines, None], y[lines, None] + np.cumsum(dy, axis=1)], axis=1)
        geoms[lines] = shapely.linestrings(np.stack([xs, ys], axis=-1))
    areas = np.flatnonzero(shape == "A")
    if len(areas):
        k = len(areas)
        side = np.sqrt(length_m[areas])
        a = side * rng.uniform(0.35, 0.65, k)
        b = side * rng.uniform(0.35, 0.65, k)
        theta = rng.uniform(0, np.pi, k)
        corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=np.float64)
        u = corners[None, :, 0] * a[:, None]
        v = corners[None, :, 1] * b[:, None]
        cx = x[areas, None] + (u * np.cos(theta)[:, None] - v * np.sin(theta)[:, None]) * DEG_LON_PER_M
        cy = y[areas, None] + (u * np.sin(theta)[:, None] + v * np.cos(theta)[:, None]) * DEG_LAT_PER_M
        geoms[areas] = shapely.polygons(np.stack([cx, cy], axis=-1))
    extended = np.flatnonzero(shape != "P")
    if len(extended):
        outside = ~shapely.contains(frame.polygons[m], geoms[extended])
        geoms[extended[outside]] = shapely.points(x[extended[outside]], y[extended[outside]])
    return geoms


def generate_works(frame: MunicipioFrame, n: int, seed: int, *, start: int = 0) -> dict[str, int]:
    """Generate n works (in fixed-size chunks) and their funding, agencies and progress reports."""
    lookups = Lookups.load()
    missing = [code for code in PROFILES if code not in lookups.categories]
    if missing:
        raise RuntimeError(f"Faltan categorías del catálogo: {missing[:3]}… ejecute load_demo primero.")
    counts = {"obras": 0, "financiamientos": 0, "dependencias": 0, "reportes": 0}
    for chunk_start in range(start, start + n, CHUNK):
        size = min(CHUNK, start + n - chunk_start)
        with transaction.atomic():
            relaxed_commit()
            batch_statements()
            # The totals, memberships and cross-tab cells brought up to date once per chunk, not
            # once per statement of it (works, funding, agencies, reports).
            defer_totals()
            for key, value in _generate_chunk(frame, lookups, seed, chunk_start, size).items():
                counts[key] += value
            apply_deferred_totals()
    return counts


def _generate_chunk(frame: MunicipioFrame, lookups: Lookups, seed: int, first: int, n: int) -> dict[str, int]:
    rng = np.random.default_rng([seed, 11, first])
    codes = list(PROFILES)
    profiles = [PROFILES[c] for c in codes]
    cat_idx = rng.choice(len(codes), size=n, p=_norm([p.weight for p in profiles]))
    years = rng.choice(
        np.arange(FIRST_YEAR, LAST_YEAR + 1),
        size=n,
        p=_norm(np.linspace(0.9, 1.6, LAST_YEAR - FIRST_YEAR + 1)),
    )
    muni_weight = frame.population**0.6
    # The order of works follows municipio so that geometry is built per polygon, vectorised.
    per_muni = allocate(rng, n, muni_weight)
    muni_idx = np.repeat(np.arange(len(frame)), per_muni)

    shape = np.array([profiles[i].shape for i in cat_idx])
    goal_lo = np.array([profiles[i].goal[0] for i in cat_idx])
    goal_hi = np.array([profiles[i].goal[1] for i in cat_idx])
    goal = np.round(np.exp(rng.uniform(np.log(goal_lo), np.log(goal_hi))), 0)
    # Lines: length in metres from the goal (metres, or km for roads); polygons: area in m².
    length_m = np.where(goal_hi <= 30, goal * 1000.0, goal)
    length_m = np.where(shape == "L", np.clip(length_m, 80, 6000), np.clip(length_m, 600, 40_000))

    geoms = np.empty(n, dtype=object)
    centre_of = np.empty(n, dtype=np.int64)
    offset = 0
    for m, count in enumerate(per_muni):
        if count == 0:
            continue
        sl = slice(offset, offset + count)
        x, y, c = sample_points(rng, frame, m, int(count))
        geoms[sl] = _shapes(rng, frame, m, x, y, shape[sl], length_m[sl])
        centre_of[sl] = c
        offset += count

    # --- status and dates ---
    age = np.clip(LAST_YEAR - years, 0, 2)
    status = np.empty(n, dtype=object)
    for a, table in STATUS_BY_AGE.items():
        sel = np.flatnonzero(age == a)
        keys = list(table)
        status[sel] = pick(
            [str(k) for k in keys], rng.choice(len(keys), size=len(sel), p=_norm(list(table.values())))
        )
    year_start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    planned_start = year_start + 14 + rng.integers(0, 240, n)
    duration = rng.integers(30, 300, n)
    planned_end = planned_start + duration
    started = np.isin(status, [str(s) for s in STARTED]) | ((status == S.CANCELADA) & (rng.random(n) < 0.4))
    finished = np.isin(status, [str(s) for s in FINISHED])
    as_of = np.datetime64(AS_OF)
    actual_start = planned_start + np.clip(rng.normal(10, 20, n), 0, 90).astype(np.int64)
    actual_start = np.minimum(actual_start, as_of - 30)
    actual_end = actual_start + np.maximum((duration * rng.uniform(0.9, 1.4, n)).astype(np.int64), 1)
    actual_end = np.minimum(actual_end, as_of - 1)

    # --- money (cents as int64 so the per-source split adds up exactly) ---
    median = np.array([profiles[i].median_amount for i in cat_idx])
    approved = np.round(median * rng.lognormal(0, 0.55, n) * 100).astype(np.int64)
    modified_null = ~np.isin(status, [str(s) for s in STARTED | {S.CONTRATADA}]) | (rng.random(n) < 0.55)
    modified = np.round(approved * rng.uniform(0.9, 1.2, n)).astype(np.int64)
    current = np.where(modified_null, approved, modified)

    # --- progress reports ---
    final_phys = np.zeros(n)
    final_phys[status == S.EN_EJECUCION] = rng.uniform(5, 95, int((status == S.EN_EJECUCION).sum()))
    final_phys[status == S.SUSPENDIDA] = rng.uniform(10, 70, int((status == S.SUSPENDIDA).sum()))
    final_phys[finished] = 100.0
    cancelled_started = (status == S.CANCELADA) & started
    final_phys[cancelled_started] = rng.uniform(5, 40, int(cancelled_started.sum()))
    fin_ratio = np.where(np.isin(status, [S.FINIQUITADA, S.CERRADA]), 1.0, rng.uniform(0.6, 1.0, n))
    final_fin = np.minimum(final_phys * fin_ratio, 100.0)
    end_for_reports = np.where(finished, actual_end, as_of - 1)
    months = np.maximum((end_for_reports - actual_start).astype(np.int64) // 30, 1)
    n_reports = np.where(started, np.minimum(months, 8), 0)
    work_ids = reserve_ids(Work, n)
    report_cols, phys_now, fin_now = _reports(
        rng, work_ids, n_reports, actual_start, end_for_reports, final_phys, final_fin, status
    )

    exercised = np.round(current * fin_now / 100).astype(np.int64)
    paid = np.where(
        np.isin(status, [S.FINIQUITADA, S.CERRADA]),
        exercised,
        np.round(exercised * rng.uniform(0.8, 1.0, n)).astype(np.int64),
    )

    # --- people ---
    unit = np.array([profiles[i].unit for i in cat_idx])
    beneficiaries = (
        np.round(np.where(unit == "PERSONAS", 60, 15) * rng.lognormal(1.3, 0.9, n)).astype(np.int64) + 1
    )
    women = np.round(beneficiaries * rng.uniform(0.48, 0.54, n)).astype(np.int64)
    no_beneficiaries = rng.random(n) < 0.05
    people_null = no_beneficiaries | (unit != "PERSONAS")

    # --- text ---
    modality = np.empty(n, dtype=object)
    scheme = np.empty(n, dtype=object)
    for i, profile in enumerate(profiles):
        sel = np.flatnonzero(cat_idx == i)
        modality[sel] = pick(profile.modalities, rng.integers(0, len(profile.modalities), len(sel)))
        scheme[sel] = pick(profile.schemes, rng.integers(0, len(profile.schemes), len(sel)))
    # Impulso Social ended with the 2018–2024 administration.
    scheme[(scheme == "IMPULSO") & (years > STATE_TRANSITION.year)] = "ESTATAL_MUN"
    rural = centre_of != 0
    place_idx = rng.integers(0, 10_000, n)
    street_idx = rng.integers(0, len(CALLES), n)
    muni_names = [frame.names[m] for m in muni_idx]
    names, addresses = [], []
    for i in range(n):
        place = (
            f"comunidad {COMUNIDADES[place_idx[i] % len(COMUNIDADES)]}"
            if rural[i]
            else f"colonia {COLONIAS[place_idx[i] % len(COLONIAS)]}"
        )
        subject = profiles[cat_idx[i]].subject
        names.append(f"{MODALITY_LABEL[modality[i]]} {subject} en {place}, {muni_names[i]}")
        addresses.append(f"Calle {CALLES[street_idx[i]]} s/n, {place}")
    prefix = folio_prefix(seed)
    serial = np.arange(first, first + n)
    folios = [f"{prefix}{k:07d}" for k in serial]
    description = f"{SYNTHETIC_NOTE} (semilla {seed}); no corresponde a una obra real."
    kind = np.array([profiles[i].kind for i in cat_idx])
    published = ~(((status == S.PLANEACION) & (rng.random(n) < 0.5)) | (rng.random(n) < 0.01))
    execution = np.where(rng.random(n) < 0.85, "CONTRATO", "ADMINISTRACION_DIRECTA")
    category_ids = np.array([lookups.categories[codes[i]] for i in cat_idx])
    not_started = ~started

    copy_rows(
        Work,
        {
            "id": as_text(work_ids),
            "folio": folios,
            "fiscal_year": as_text(years),
            "kind": kind.tolist(),
            "name": names,
            "description": constant(description, n),
            "category_id": as_text(category_ids),
            "modality": modality.tolist(),
            "execution_mode": execution.tolist(),
            "geom": as_ewkb(geoms),
            "municipio_id": as_text(frame.ids[muni_idx]),
            "localidad_id": constant(NULL, n),
            "address": addresses,
            "status": status.tolist(),
            "amount_approved": as_text(approved / 100),
            "amount_modified": as_text(modified / 100, modified_null),
            "amount_exercised": as_text(exercised / 100),
            "amount_paid": as_text(paid / 100),
            "planned_start": as_dates(planned_start),
            "planned_end": as_dates(planned_end),
            "actual_start": as_dates(actual_start, not_started),
            "actual_end": as_dates(actual_end, ~finished),
            "goal_quantity": as_text(goal),
            "goal_unit": pick([lookups.units[c] for c in codes], cat_idx).tolist(),
            "beneficiaries": as_text(beneficiaries, no_beneficiaries),
            "beneficiaries_women": as_text(women, people_null),
            "beneficiaries_men": as_text(beneficiaries - women, people_null),
            "beneficiary_unit": unit.tolist(),
            "physical_progress": as_text(phys_now),
            "financial_progress": as_text(fin_now),
            "published": as_bool(published),
            "synthetic": constant("t", n),
            "created_at": now_text(n),
            "updated_at": now_text(n),
        },
    )
    n_reports_written = copy_rows(ProgressReport, report_cols)
    money = {
        "amount_approved": approved,
        "amount_modified": modified,
        "amount_exercised": exercised,
        "amount_paid": paid,
    }
    n_funding = _funding(lookups, work_ids, scheme, money, modified_null)
    n_agencies = _agencies(rng, frame, lookups, work_ids, scheme, cat_idx, profiles, years, muni_idx)
    return {
        "obras": n,
        "financiamientos": n_funding,
        "dependencias": n_agencies,
        "reportes": n_reports_written,
    }


def _norm(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


def _reports(rng, work_ids, n_reports, start, end, final_phys, final_fin, status):
    """Monotonic report series per work; returns COPY columns and the latest approved values per work."""
    total = int(n_reports.sum())
    n = len(work_ids)
    group = np.repeat(np.arange(n), n_reports)
    first_of = np.cumsum(n_reports) - n_reports
    pos = np.arange(total) - np.repeat(first_of, n_reports)
    last = pos == np.repeat(n_reports, n_reports) - 1
    frac = rng.uniform(0.05, 1.0, total)
    frac[last] = 1.0
    order = np.lexsort((frac, group))
    frac = frac[order]
    phys = np.round(final_phys[group] * frac, 2)
    fin = np.round(final_fin[group] * frac**1.15, 2)
    span = np.maximum((end - start).astype(np.int64), n_reports)
    step = np.maximum(span // np.maximum(n_reports, 1), 1)
    dates = start[group] + (pos + 1) * step[group]
    in_progress = np.isin(status, [S.EN_EJECUCION, S.SUSPENDIDA])
    pending = last & in_progress[group] & (rng.random(total) < 0.2)
    rejected = ~last & (rng.random(total) < 0.05)
    state = np.where(pending, "PENDING", np.where(rejected, "REJECTED", "APPROVED"))
    approved_pos = np.where(state == "APPROVED", np.arange(total), -1)
    latest = np.full(n, -1, dtype=np.int64)
    has = n_reports > 0
    if total:
        latest[has] = np.maximum.reduceat(approved_pos, first_of[has])
    phys_now = np.where(latest >= 0, phys[np.maximum(latest, 0)] if total else 0, 0.0)
    fin_now = np.where(latest >= 0, fin[np.maximum(latest, 0)] if total else 0, 0.0)
    reasons = pick(REJECTION_REASONS, rng.integers(0, len(REJECTION_REASONS), total))
    cols = {
        "work_id": as_text(work_ids[group]),
        "reported_on": as_dates(dates),
        "physical_pct": as_text(phys),
        "financial_pct": as_text(fin),
        "note": constant(SYNTHETIC_NOTE, total),
        "state": state.tolist(),
        "author_id": constant(NULL, total),
        "reviewer_id": constant(NULL, total),
        "review_reason": np.where(state == "REJECTED", reasons, "").tolist(),
        "created_at": now_text(total),
    }
    return cols, phys_now, fin_now


def _funding(
    lookups: Lookups,
    work_ids: np.ndarray,
    scheme: np.ndarray,
    money: dict[str, np.ndarray],
    modified_null: np.ndarray,
) -> int:
    """One WorkFunding row per source of the work's scheme; shares in cents, the last takes the rest."""
    cols: dict[str, list[str]] = {"work_id": [], "source_id": [], **{key: [] for key in money}}
    for name, parts in SCHEMES.items():
        sel = np.flatnonzero(scheme == name)
        if not len(sel):
            continue
        remaining = {key: values[sel].copy() for key, values in money.items()}
        for j, (code, share) in enumerate(parts):
            cols["work_id"] += as_text(work_ids[sel])
            cols["source_id"] += constant(str(lookups.sources[code]), len(sel))
            for key, values in money.items():
                piece = (
                    remaining[key] if j == len(parts) - 1 else np.round(values[sel] * share).astype(np.int64)
                )
                remaining[key] = remaining[key] - piece
                null = modified_null[sel] if key == "amount_modified" else None
                cols[key] += as_text(piece / 100, null)
    return copy_rows(WorkFunding, cols)


def _agencies(rng, frame, lookups, work_ids, scheme, cat_idx, profiles, years, muni_idx) -> int:
    """EJECUTORA always; NORMATIVA for FAIS (Bienestar) and federal water (CONAGUA); FINANCIADORA for state
    social programmes; SOLICITANTE the Presidencia Municipal for some state-executed works."""
    n = len(work_ids)
    state_kind = np.array([profiles[i].state_executor for i in cat_idx])
    by_state = np.isin(scheme, list(STATE_EXECUTED))
    for name, p in STATE_MAYBE.items():
        sel = scheme == name
        by_state |= sel & (rng.random(n) < p)
    dop = np.array([lookups.agencies[municipal_agency_code(c)] for c in frame.cvegeos])[muni_idx]
    executor = dop.copy()
    for kind in ("SOCIAL", "OBRAS", "AGUA"):
        sel = by_state & (state_kind == kind)
        codes = _state_agency(kind, years[sel])
        executor[sel] = [
            dop[i] if code == "MUN" else lookups.agencies[code]
            for i, code in zip(np.flatnonzero(sel), codes, strict=True)
        ]
    rows_work: list[np.ndarray] = [work_ids]
    rows_agency: list[np.ndarray] = [executor]
    rows_role: list[np.ndarray] = [np.full(n, "EJECUTORA", dtype=object)]
    fais = np.isin(scheme, ["FISMDF", "FISMDF_BENEF", "FISE"])
    rows_work.append(work_ids[fais])
    rows_agency.append(np.full(int(fais.sum()), lookups.agencies["FED-BIENESTAR"]))
    rows_role.append(np.full(int(fais.sum()), "NORMATIVA", dtype=object))
    water = scheme == "AGUA_FED"
    rows_work.append(work_ids[water])
    rows_agency.append(np.full(int(water.sum()), lookups.agencies["FED-CONAGUA"]))
    rows_role.append(np.full(int(water.sum()), "NORMATIVA", dtype=object))
    social = np.isin(scheme, ["MCC", "IMPULSO"])
    social_agency = np.array(
        [lookups.agencies[c] for c in _state_agency("SOCIAL", years[social])], dtype=np.int64
    )
    rows_work.append(work_ids[social])
    rows_agency.append(social_agency)
    rows_role.append(np.full(int(social.sum()), "FINANCIADORA", dtype=object))
    has_pm = np.isin(np.array(frame.cvegeos)[muni_idx], PRESIDENCIA_MUNICIPIOS)
    requester = by_state & has_pm & (rng.random(n) < 0.5)
    pm = [lookups.agencies[municipal_agency_code(frame.cvegeos[m], "PM")] for m in muni_idx[requester]]
    rows_work.append(work_ids[requester])
    rows_agency.append(np.array(pm, dtype=np.int64))
    rows_role.append(np.full(int(requester.sum()), "SOLICITANTE", dtype=object))
    return copy_rows(
        WorkAgency,
        {
            "work_id": as_text(np.concatenate(rows_work)),
            "agency_id": as_text(np.concatenate(rows_agency)),
            "role": np.concatenate(rows_role).tolist(),
        },
    )
