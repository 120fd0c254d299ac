"""Synthetic zones and households for demos and benchmarks (labelled, deterministic, COPY).

Never an official list: synthetic urban ZAP cite a SourceDocument that says it is fictitious, and
no rural ZAP is ever generated (the only rural ZAP are the DOF 2026 ones loaded as real data).
Households follow plausible Guanajuato-like distributions by ámbito, with some unanswered
questions left null, as the carencia rules must cope with them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import shapely
from django.db import transaction

from priority_zones.models import Household, Person, SourceDocument, Zone
from priority_zones.reference_data import sync_row
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
    column_state,
    constant,
    copy_rows,
    folio_prefix,
    now_text,
    pick,
    relaxed_commit,
    reserve_ids,
    sample_points,
)

HOUSEHOLD_CHUNK = 50_000
AGEB_CELL_DEG = 0.009  # ~1 km synthetic urban AGEB cells around each cabecera
COLONIAS = [
    "Centro", "San Juan", "Las Flores", "El Carmen", "La Joya", "Los Pinos", "Guadalupe", "San Isidro",
    "El Mirador", "La Loma", "Bellavista", "Lomas del Sol", "San José", "Santa Cecilia", "El Pedregal",
    "Independencia", "Las Huertas", "San Antonio", "Valle Verde", "Benito Juárez", "La Presa", "El Refugio",
]  # fmt: skip


# --- zones ---------------------------------------------------------------------------------------


def _ageb_cells(frame: MunicipioFrame, m: int) -> tuple[np.ndarray, list[str]]:
    """Square cells around the cabecera that lie inside the municipio, nearest first, with stable keys."""
    cx, cy = frame.centres[m][0]
    r = np.arange(-8, 9)
    gx, gy = np.meshgrid(r, r)
    order = np.argsort(np.hypot(gx, gy).ravel(), kind="stable")
    gx, gy = gx.ravel()[order], gy.ravel()[order]
    x0 = cx + gx * AGEB_CELL_DEG
    y0 = cy + gy * AGEB_CELL_DEG
    cells = shapely.box(x0, y0, x0 + AGEB_CELL_DEG, y0 + AGEB_CELL_DEG)
    keep = shapely.contains(frame.polygons[m], cells)
    idx = np.flatnonzero(keep)
    # CVEGEO = municipio (5) + cabecera localidad 0001 + AGEB (3 digits + check character 0-9/A).
    keys = [f"{frame.cvegeos[m]}0001{k + 1:03d}{'0123456789A'[k % 11]}" for k in idx]
    return cells[idx], keys


def _synthetic_zap_source(year: int) -> SourceDocument:
    doc, _ = sync_row(
        SourceDocument,
        {"kind": SourceDocument.Kind.OTRO, "reference": f"SINTETICO-ZAPU-{year}"},
        {
            "title": f"{SYNTHETIC_NOTE}: lista ficticia de ZAP urbanas {year}; no es la Declaratoria oficial",
            "published_on": dt.date(year - 1, 12, 1),
            "url": "",
        },
    )
    return doc


def _blob(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, radius_m: np.ndarray) -> np.ndarray:
    """Irregular convex polygons (a colonia-sized blob) around each centre."""
    k = len(x)
    angles = np.sort(rng.uniform(0, 2 * np.pi, (k, 9)), axis=1)
    radii = radius_m[:, None] * rng.uniform(0.55, 1.0, (k, 9))
    px = x[:, None] + np.cos(angles) * radii * DEG_LON_PER_M
    py = y[:, None] + np.sin(angles) * radii * DEG_LAT_PER_M
    rings = np.concatenate([np.stack([px, py], -1), np.stack([px[:, :1], py[:, :1]], -1)], axis=1)
    return shapely.convex_hull(shapely.polygons(rings))


@transaction.atomic
def generate_zones(frame: MunicipioFrame, k: int, seed: int) -> tuple[dict[str, int], np.ndarray]:
    """About 70% synthetic urban ZAP (per year, on stable fake AGEB keys), 25% Zonas Impulso, 5% drawn.

    Returns the counts and the new zones' ids (committees are drawn on them by works_map.demo)."""
    rng = np.random.default_rng([seed, 23])
    n_zap = int(round(k * 0.70))
    n_impulso = int(round(k * 0.25))
    n_drawn = k - n_zap - n_impulso
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    urban_weight = frame.population**0.8
    rows: dict[str, list] = {key: [] for key in ("kind", "year", "cvegeo", "name", "m", "geom", "source",
                                                  "status", "population")}  # fmt: skip

    def add(kind, year, cvegeo, name, m, geom, source, status, population):
        for key, value in zip(
            rows, (kind, year, cvegeo, name, m, geom, source, status, population), strict=True
        ):
            rows[key].append(value)

    cells = {}
    taken: dict[int, set[str]] = {int(y): set() for y in years}
    for y, key in Zone.objects.filter(kind=Zone.Kind.ZAP_URBANA).values_list("fiscal_year", "cvegeo"):
        taken.setdefault(y, set()).add(key)
    for year, count in zip(years.tolist(), allocate(rng, n_zap, np.ones(len(years))), strict=True):
        source = _synthetic_zap_source(int(year)).pk
        for m, c in enumerate(allocate(rng, int(count), urban_weight)):
            if c == 0:
                continue
            if m not in cells:
                cells[m] = _ageb_cells(frame, m)
            geoms, keys = cells[m]
            free = np.flatnonzero([key not in taken[year] for key in keys])
            c = min(int(c), len(free))
            near = 1 / (1 + free) ** 0.7
            for j in rng.choice(free, size=c, replace=False, p=near / near.sum()):
                name = f"AGEB {keys[j]}, {frame.names[m]} (sintética)"
                add(
                    "ZAP_URBANA",
                    year,
                    keys[j],
                    name,
                    m,
                    geoms[j],
                    source,
                    "PUBLISHED",
                    int(rng.integers(600, 5500)),
                )

    for kind, total in (("ZONA_IMPULSO", n_impulso), ("DRAWN", n_drawn)):
        for m, c in enumerate(allocate(rng, total, urban_weight)):
            if c == 0:
                continue
            x, y, _ = sample_points(rng, frame, m, int(c), uniform_share=0.1, spread=0.8)
            blobs = _blob(rng, x, y, rng.uniform(220, 700, int(c)))
            inside = shapely.contains(frame.polygons[m], blobs)
            for j in np.flatnonzero(inside):
                colonia = COLONIAS[int(rng.integers(0, len(COLONIAS)))]
                if kind == "ZONA_IMPULSO":
                    year = int(rng.integers(FIRST_YEAR, LAST_YEAR + 1))
                    label = "Zona Impulso" if year <= 2024 else "Zona de atención prioritaria estatal"
                    name = f"{label} {colonia}, {frame.names[m]} (sintética)"
                    status = "PUBLISHED"
                else:
                    year = int(rng.integers(LAST_YEAR - 1, LAST_YEAR + 1))
                    name = f"Polígono de intervención {colonia}, {frame.names[m]} (sintético)"
                    status = "DRAFT" if rng.random() < 0.5 else "PUBLISHED"
                add(kind, year, None, name, m, blobs[j], None, status, int(rng.integers(800, 9000)))

    n = len(rows["kind"])
    ids = reserve_ids(Zone, n)
    multi = shapely.multipolygons(np.array(rows["geom"], dtype=object)[:, None]) if n else np.empty(0)
    copy_rows(Zone, {
        "id": as_text(ids),
        "kind": rows["kind"],
        "fiscal_year": as_text(np.array(rows["year"])),
        "cvegeo": [c or NULL for c in rows["cvegeo"]],
        "name": rows["name"],
        "municipio_id": as_text(frame.ids[np.array(rows["m"], dtype=np.int64)]),
        "geom": as_ewkb(multi),
        "source_id": [NULL if s is None else str(s) for s in rows["source"]],
        "status": rows["status"],
        "author_id": constant(NULL, n),
        "population": as_text(np.array(rows["population"])),
        "synthetic": constant("t", n),
        "created_at": now_text(n),
        "updated_at": now_text(n),
    })  # fmt: skip
    return {"zonas": n}, ids


# --- households ------------------------------------------------------------------------------------

# Categorical answers as (choices, urban probabilities, rural probabilities).
DWELLING = {
    "floor": (["TIERRA", "CEMENTO", "RECUBRIMIENTO"], [2, 55, 43], [7, 75, 18]),
    "roof": (["LOSA", "LAMINA", "CARTON", "TEJA", "PALMA", "DESECHO"], [80, 14, 2, 3, 0.2, 0.8],
             [55, 30, 5, 7, 2, 1]),
    "wall": (["TABIQUE", "ADOBE", "MADERA", "LAMINA", "CARTON", "EMBARRO", "CARRIZO", "DESECHO"],
             [93, 3, 1, 1, 0.5, 0.5, 0.5, 0.5], [78, 12, 2, 3, 1, 2, 1.5, 0.5]),
    "water": (["DENTRO", "TERRENO", "OTRA_VIVIENDA", "LLAVE_PUBLICA", "PIPA", "POZO", "RIO", "LLUVIA"],
              [78, 17, 1, 0.5, 2, 0.5, 0.2, 0.8], [45, 35, 3, 2, 7, 5, 1, 2]),
    "drainage": (["RED_PUBLICA", "FOSA", "BARRANCA", "RIO", "NINGUNO"], [90, 7, 0.5, 0.5, 2],
                 [45, 40, 2, 1, 12]),
    "electricity": (["RED", "PANEL", "PLANTA", "NINGUNA"], [99.5, 0.1, 0.1, 0.3], [97, 1, 0.2, 1.8]),
    "cooking_fuel": (["GAS", "ELECTRICIDAD", "LENA", "CARBON", "OTRO"], [90, 3, 5, 1, 1], [62, 1, 34, 2, 1]),
}  # fmt: skip
# Keys understood by priority_zones.carencias (EMSA items and food-consumption groups).
ADULT_ITEMS = [f"a{i}" for i in range(1, 7)]
MINOR_ITEMS = [f"m{i}" for i in range(1, 7)]
FOOD_GROUPS = {"cereales": 0.95, "verduras": 0.6, "frutas": 0.45, "leguminosas": 0.55, "carne_huevo": 0.5,
               "lacteos": 0.5, "grasas": 0.6, "azucar": 0.6}  # fmt: skip
# Monthly amount of the federal pension for older adults (bimonthly payment / 2), by survey year.
ELDER_PENSION = {2023: 2400, 2024: 3000, 2025: 3100, 2026: 3200}
RELATIVES = ["HIJO", "PADRE", "SUEGRO", "OTRO_PARIENTE", "NO_PARIENTE", "TRABAJADOR_DOMESTICO", "HUESPED"]
RELATIVE_P = [80, 5, 2, 10.5, 1.5, 0.5, 0.5]
# Final attainment (NINGUNO, PRIMARIA, SECUNDARIA, MEDIA_SUPERIOR, SUPERIOR) of adults born up to
# 1960, 1961-1980 and after 1980.
COHORT_LAST_BIRTH_YEARS = [1960, 1980]
EDUCATION_BY_COHORT = [[18, 55, 15, 7, 5], [6, 38, 30, 14, 12], [2, 12, 40, 26, 20]]
EDU_LEVELS = ["NINGUNO", "PRIMARIA", "SECUNDARIA", "MEDIA_SUPERIOR", "SUPERIOR"]


def _choose(rng, n, urban, spec, missing=0.02):
    choices, pu, pr = spec
    pu, pr = np.asarray(pu, float), np.asarray(pr, float)
    idx = np.where(
        urban, rng.choice(len(choices), n, p=pu / pu.sum()), rng.choice(len(choices), n, p=pr / pr.sum())
    )
    values = pick(choices, idx)
    null = rng.random(n) < missing
    return values, null


def _emsa_json(
    has_minors: np.ndarray, level_a: np.ndarray, level_m: np.ndarray, unanswered: np.ndarray
) -> list[str]:
    """EMSA answers as JSON: the first `level` items true (a Guttman-like scale), the rest false."""
    table = {}
    for minors in (False, True):
        for a in range(7):
            for m in range(7):
                items = [f'"{k}": {"true" if i < a else "false"}' for i, k in enumerate(ADULT_ITEMS)]
                if minors:
                    items += [f'"{k}": {"true" if i < m else "false"}' for i, k in enumerate(MINOR_ITEMS)]
                table[(minors, a, m)] = "{" + ", ".join(items) + "}"
    return [
        "{}" if skip else table[(bool(h), int(a), int(m))]
        for h, a, m, skip in zip(has_minors, level_a, level_m, unanswered, strict=True)
    ]


def _food_groups_json(rng, n, poor, unanswered) -> list[str]:
    parts = []
    for group, p in FOOD_GROUPS.items():
        days = rng.binomial(7, np.where(poor, p * 0.7, p)).astype(np.str_)
        parts.append(np.strings.add(f'"{group}": ', days))
    text = parts[0]
    for part in parts[1:]:
        text = np.strings.add(np.strings.add(text, ", "), part)
    text = np.strings.add(np.strings.add("{", text), "}")
    return np.where(unanswered, "{}", text).tolist()


def generate_households(frame: MunicipioFrame, n: int, seed: int, *, start: int = 0) -> dict[str, int]:
    counts = {"hogares": 0, "personas": 0}
    for chunk_start in range(start, start + n, HOUSEHOLD_CHUNK):
        size = min(HOUSEHOLD_CHUNK, start + n - chunk_start)
        with transaction.atomic():
            relaxed_commit()
            h, p = _household_chunk(frame, seed, chunk_start, size)
        counts["hogares"] += h
        counts["personas"] += p
    return counts


def _household_chunk(frame: MunicipioFrame, seed: int, first: int, n: int) -> tuple[int, int]:
    rng = np.random.default_rng([seed, 31, first])
    per_muni = allocate(rng, n, frame.population**0.8)
    muni_idx = np.repeat(np.arange(len(frame)), per_muni)
    xs, ys, cs = [], [], []
    for m, count in enumerate(per_muni):
        x, y, c = sample_points(rng, frame, m, int(count), uniform_share=0.1, spread=0.7)
        xs.append(x)
        ys.append(y)
        cs.append(c)
    x, y, centre = np.concatenate(xs), np.concatenate(ys), np.concatenate(cs)
    urban = (centre == 0) | ((centre > 0) & (rng.random(n) < 0.3))
    poor = rng.random(n) < np.where(urban, 0.25, 0.5)

    first_survey = np.datetime64("2023-01-01")
    survey_day = first_survey + rng.integers(0, int((np.datetime64(AS_OF) - first_survey).astype(int)), n)
    survey_year = survey_day.astype("datetime64[Y]").astype(int) + 1970
    answers = {field: _choose(rng, n, urban, spec) for field, spec in DWELLING.items()}
    size = np.minimum(1 + rng.poisson(np.where(urban, 2.5, 2.8)), 12)
    residents_null = rng.random(n) < 0.01
    rooms = np.minimum(1 + rng.poisson(np.where(urban, 2.0, 1.4) * np.where(poor, 0.7, 1.0)), 10)
    bedrooms = 1 + rng.binomial(rooms - 1, 0.5)
    rooms_null = rng.random(n) < 0.03
    fuel, fuel_null = answers["cooking_fuel"]
    smoky = np.isin(fuel, ["LENA", "CARBON"]) & ~fuel_null
    chimney = rng.random(n) < 0.35

    # --- persons (vectorised across the chunk) ---
    total = int(size.sum())
    group = np.repeat(np.arange(n), size)
    first_of = np.cumsum(size) - size
    pos = np.arange(total) - np.repeat(first_of, size)
    rel = pick(RELATIVES, rng.choice(len(RELATIVES), total, p=np.array(RELATIVE_P) / sum(RELATIVE_P)))
    spouse = (pos == 1) & (rng.random(total) < 0.75)
    rel[spouse] = "CONYUGE"
    rel[pos == 0] = "JEFE"
    head_age = np.clip(rng.normal(48, 14, n), 18, 95).astype(np.int64)
    head_male = rng.random(n) < 0.68
    ha = head_age[group]
    age = np.select(
        [rel == "JEFE", rel == "CONYUGE", rel == "HIJO", np.isin(rel, ["PADRE", "SUEGRO"]),
         rel == "OTRO_PARIENTE"],
        [ha, ha + rng.normal(-2, 5, total), ha - rng.normal(27, 6, total), ha + rng.normal(26, 5, total),
         rng.uniform(0, 80, total)],
        rng.uniform(16, 70, total),
    )  # fmt: skip
    age = np.clip(np.round(age), np.where(rel == "CONYUGE", 16, 0), 105).astype(np.int64)
    male = np.where(
        rel == "JEFE",
        head_male[group],
        np.where(rel == "CONYUGE", ~head_male[group] ^ (rng.random(total) < 0.03), rng.random(total) < 0.49),
    )
    age_null = rng.random(total) < 0.015
    birth_year = survey_year[group] - age - (rng.random(total) < 0.5)
    birth_null = age_null | (rng.random(total) < 0.01)
    minors = np.zeros(n, dtype=bool)
    np.logical_or.at(minors, group, age < 18)

    # Education: cohort-based attainment for adults, age-based for school ages.
    edu = np.empty(total, dtype=object)
    cohort = np.searchsorted(COHORT_LAST_BIRTH_YEARS, birth_year, side="left")
    for k, p in enumerate(EDUCATION_BY_COHORT):
        sel = cohort == k
        edu[sel] = pick(EDU_LEVELS, rng.choice(5, int(sel.sum()), p=np.array(p) / 100))
    completed = rng.random(total) < 0.8
    school_age = age < 16
    edu[school_age & (age >= 3)] = "PREESCOLAR"
    edu[school_age & (age >= 6)] = "PRIMARIA"
    edu[school_age & (age >= 12)] = np.where(rng.random(int((school_age & (age >= 12)).sum())) < 0.9,
                                             "SECUNDARIA", "PRIMARIA")  # fmt: skip
    completed[school_age] = (age[school_age] >= 12) & (edu[school_age] == "PRIMARIA")
    completed[edu == "NINGUNO"] = False
    edu_null = (age < 3) | (rng.random(total) < 0.02)
    attend_p = np.select([age < 3, age < 6, age < 15, age < 18, age < 25], [0, 0.7, 0.96, 0.75, 0.35], 0.03)
    attends = rng.random(total) < attend_p

    works = rng.random(total) < np.select(
        [age < 12, age < 16, age < 65], [0, 0.08, np.where(male, 0.78, 0.45)], 0.25
    )
    works_null = (age < 12) | (rng.random(total) < 0.02)
    subordinate = works & (rng.random(total) < 0.7)
    formal = subordinate & (rng.random(total) < np.where(urban[group], 0.6, 0.35))
    independent = works & ~subordinate
    medical = formal | (independent & (rng.random(total) < 0.08))
    sick_leave = formal & (rng.random(total) < 0.95)
    sar = formal | (independent & (rng.random(total) < 0.05))
    benefits_null = ~works | works_null
    household_formal = np.zeros(n, dtype=bool)
    np.logical_or.at(household_formal, group, formal)
    health = np.where(
        formal | (household_formal[group] & (rng.random(total) < 0.8)),
        pick(['["IMSS"]', '["ISSSTE"]', '["ISSSTE_ESTATAL"]'], rng.choice(3, total, p=[0.85, 0.12, 0.03])),
        pick(['["IMSS_BIENESTAR"]', "[]", '["PRIVADO"]', '["IMSS_BIENESTAR", "PRIVADO"]'],
             rng.choice(4, total, p=[0.62, 0.33, 0.03, 0.02])),
    )  # fmt: skip
    health_null = rng.random(total) < 0.02
    if column_state(Person, "health_affiliations") != "NULL":  # before the migration allowing "unanswered"
        health_null[:] = False
    # Covered through a relative in another household or an own contract: only asked of the uncovered.
    other_route = rng.random(total) < 0.06
    other_route_null = health_null | (health != "[]")
    pensioner = (age >= 60) & (rng.random(total) < np.where(male, 0.32, 0.15))
    elder = (age >= 65) & (rng.random(total) < 0.85)
    pension_by_year = np.array([ELDER_PENSION[y] for y in sorted(ELDER_PENSION)], dtype=np.float64)
    elder_amount = pension_by_year[np.clip(survey_year[group], 2023, 2026) - 2023]
    income = np.where(works, rng.lognormal(np.log(np.where(urban[group], 7500, 4500)), 0.6, total), 0.0)
    income = np.where(pensioner, income + rng.lognormal(np.log(5000), 0.5, total), income)
    income_null = rng.random(total) < 0.08
    disability = rng.random(total) < np.where(age >= 70, 0.2, 0.04)
    indigenous = rng.random(total) < np.where(urban[group], 0.003, 0.01)

    ids = reserve_ids(Household, n)
    prefix = folio_prefix(seed)
    level_a = rng.choice(7, n, p=[0.6, 0.1, 0.08, 0.07, 0.06, 0.05, 0.04])
    level_a = np.where(poor, np.minimum(level_a + rng.integers(0, 3, n), 6), level_a)
    copy_rows(Household, {
        "id": as_text(ids),
        "folio": [f"{prefix}H{k:08d}" for k in range(first, first + n)],
        "instrument_version": constant("CUIS-2024", n),
        "survey_date": as_dates(survey_day),
        "location": as_ewkb(shapely.points(x, y)),
        "municipio_id": as_text(frame.ids[muni_idx]),
        "localidad_id": constant(NULL, n),
        "ageb_id": constant(NULL, n),
        "ambito": np.where(urban, "U", "R").tolist(),
        "consent": as_bool(rng.random(n) < 0.995),
        "privacy_notice_version": constant("AP-2025-01", n),
        **{field: np.where(null, NULL, values).tolist() for field, (values, null) in answers.items()},
        "rooms": as_text(rooms, rooms_null),
        "bedrooms": as_text(bedrooms, rooms_null | (rng.random(n) < 0.01)),
        "residents": as_text(size, residents_null),
        "has_chimney": as_bool(chimney, ~smoky),
        "food_security": _emsa_json(minors, level_a, rng.binomial(level_a, 0.7), rng.random(n) < 0.03),
        "food_groups": _food_groups_json(rng, n, poor, rng.random(n) < 0.02),
        "synthetic": constant("t", n),
        "created_at": now_text(n),
    })  # fmt: skip
    copy_rows(Person, {
        "household_id": as_text(ids[group]),
        "number": as_text(pos + 1),
        "relationship": rel.tolist(),
        "sex": np.where(male, "H", "M").tolist(),
        "age": as_text(age, age_null),
        "birth_year": as_text(birth_year, birth_null),
        "education_level": np.where(edu_null, NULL, edu).tolist(),
        "education_completed": as_bool(completed, edu_null | (age < 6)),
        "attends_school": as_bool(attends, (age < 3) | (rng.random(total) < 0.01)),
        "health_affiliations": np.where(health_null, NULL, health).tolist(),
        **(
            {"health_other_route": as_bool(other_route, other_route_null)}
            if column_state(Person, "health_other_route")
            else {}
        ),
        "works": as_bool(works, works_null),
        "job_type": np.where(benefits_null, NULL, np.where(subordinate, "SUBORDINADO", "INDEPENDIENTE"))
        .tolist(),
        "has_medical_benefit": as_bool(medical, benefits_null),
        "has_sick_leave": as_bool(sick_leave, benefits_null | independent),
        "has_retirement_savings": as_bool(sar, benefits_null),
        "is_pensioner": as_bool(pensioner, age < 16),
        "elder_programme_amount": as_text(np.where(elder, elder_amount, 0.0), age < 65),
        "monthly_income": as_text(income, income_null | (age < 12)),
        "has_disability": as_bool(disability, rng.random(total) < 0.01),
        "speaks_indigenous_language": as_bool(indigenous, (age < 3) | (rng.random(total) < 0.01)),
    })  # fmt: skip
    return n, total
