"""Shared machinery of the synthetic-data generators: municipio frame, point sampling, COPY.

Everything is vectorised with numpy and written with PostgreSQL COPY (psycopg 3), so a million
rows take seconds rather than minutes. Randomness comes only from numpy Generators seeded from
the user's seed, so a seed always yields the same rows (ids aside).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db import connection, models
from psycopg import sql

from priority_zones.models import Municipio

NULL = "\\N"  # COPY text-format NULL
# "Today" of the synthetic world: fixed so a seed yields the same data whatever the run date.
AS_OF = dt.date(2026, 11, 1)
FIRST_YEAR, LAST_YEAR = 2019, 2026
SYNTHETIC_NOTE = "Dato sintético de demostración"
# Degrees per metre around 21°N (Guanajuato): for sizing small shapes, not for measuring.
DEG_LAT_PER_M = 1 / 110_700
DEG_LON_PER_M = 1 / 103_900
COPY_BATCH_BYTES = 8 << 20


def folio_prefix(seed: int) -> str:
    return f"SINT-S{seed}-"


@dataclass
class MunicipioFrame:
    """The municipios as shapely polygons, with a few settlement centres each (centre 0 ≈ cabecera)."""

    ids: np.ndarray
    cvegeos: list[str]
    names: list[str]
    population: np.ndarray
    polygons: list[shapely.Geometry]
    bounds: np.ndarray
    centres: list[np.ndarray] = field(default_factory=list)
    centre_weights: list[np.ndarray] = field(default_factory=list)
    centre_sigmas: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, cvegeo: str) -> int:
        return self.cvegeos.index(cvegeo)


def load_frame(seed: int) -> MunicipioFrame:
    rows = list(
        Municipio.objects.order_by("cvegeo").values_list("id", "cvegeo", "name", "population_2020", "geom")
    )
    if not rows:
        raise RuntimeError("No hay municipios cargados: ejecute primero load_demo (o cargue la geografía).")
    polygons = [shapely.from_wkb(bytes(row[4].wkb)) for row in rows]
    for polygon in polygons:
        shapely.prepare(polygon)
    frame = MunicipioFrame(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        cvegeos=[row[1] for row in rows],
        names=[row[2] for row in rows],
        population=np.array([row[3] or 10_000 for row in rows], dtype=np.float64),
        polygons=polygons,
        bounds=np.array([polygon.bounds for polygon in polygons]),
    )
    rng = np.random.default_rng([seed, 7])
    for m in range(len(frame)):
        pop = frame.population[m]
        k = 3 + int(np.log10(pop))
        x, y = _uniform_in(rng, frame, m, k)
        # The cabecera proxy (centre 0) is the same for every seed, so synthetic AGEB keys laid out
        # around it always name the same square.
        x[0], y[0] = (v[0] for v in _uniform_in(np.random.default_rng([0, m]), frame, m, 1))
        rank = np.arange(1, k + 1, dtype=np.float64)
        weights = 1 / rank**1.2
        weights[0] *= 2.5
        sigma0 = float(np.clip(0.004 * np.sqrt(pop / 10_000), 0.008, 0.06))
        sigmas = np.full(k, max(0.3 * sigma0, 0.004))
        sigmas[0] = sigma0
        frame.centres.append(np.column_stack([x, y]))
        frame.centre_weights.append(weights / weights.sum())
        frame.centre_sigmas.append(sigmas)
    return frame


def _uniform_in(
    rng: np.random.Generator, frame: MunicipioFrame, m: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = frame.bounds[m]
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    need = n
    while need > 0:
        k = 2 * need + 16
        x = rng.uniform(x0, x1, k)
        y = rng.uniform(y0, y1, k)
        inside = shapely.contains_xy(frame.polygons[m], x, y)
        xs.append(x[inside][:need])
        ys.append(y[inside][:need])
        need -= len(xs[-1])
    return np.concatenate(xs), np.concatenate(ys)


def sample_points(
    rng: np.random.Generator,
    frame: MunicipioFrame,
    m: int,
    n: int,
    *,
    uniform_share: float = 0.2,
    spread: float = 1.0,
    centre_bias: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n points strictly inside municipio m: a mix of settlement clusters and uniform scatter.

    Rejection sampling against the polygon (shapely.contains_xy, vectorised). Returns x, y and the
    index of the settlement centre each point came from (-1 for the uniform scatter).
    """
    if n == 0:
        empty = np.empty(0)
        return empty, empty, np.empty(0, dtype=np.int64)
    centres = frame.centres[m]
    weights = frame.centre_weights[m] if centre_bias is None else centre_bias
    sigmas = frame.centre_sigmas[m] * spread
    x0, y0, x1, y1 = frame.bounds[m]
    xs, ys, cs = [], [], []
    need = n
    while need > 0:
        k = int(need * 1.5) + 16
        c = rng.choice(len(centres), size=k, p=weights)
        x = centres[c, 0] + rng.normal(0.0, 1.0, k) * sigmas[c]
        y = centres[c, 1] + rng.normal(0.0, 1.0, k) * sigmas[c]
        scatter = rng.random(k) < uniform_share
        x[scatter] = rng.uniform(x0, x1, int(scatter.sum()))
        y[scatter] = rng.uniform(y0, y1, int(scatter.sum()))
        c[scatter] = -1
        inside = shapely.contains_xy(frame.polygons[m], x, y)
        xs.append(x[inside][:need])
        ys.append(y[inside][:need])
        cs.append(c[inside][:need])
        need -= len(xs[-1])
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(cs)


def allocate(rng: np.random.Generator, total: int, weights: np.ndarray) -> np.ndarray:
    """Split total into counts per weight (multinomial)."""
    return rng.multinomial(total, weights / weights.sum())


# --- text encoding for COPY ---------------------------------------------------------------------


def as_text(values: np.ndarray | Sequence, null: np.ndarray | None = None) -> list[str]:
    """One COPY text column; values must not contain tabs, newlines or backslashes."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        arr = np.round(arr, 2)
    text = arr.astype(np.str_)
    if null is not None:
        text = np.where(null, NULL, text)
    return text.tolist()


def as_dates(days: np.ndarray, null: np.ndarray | None = None) -> list[str]:
    """Dates given as numpy datetime64[D] (or days since epoch)."""
    text = np.asarray(days).astype("datetime64[D]").astype(np.str_)
    if null is not None:
        text = np.where(null, NULL, text)
    return text.tolist()


def as_bool(values: np.ndarray, null: np.ndarray | None = None) -> list[str]:
    text = np.where(np.asarray(values, dtype=bool), "t", "f")
    if null is not None:
        text = np.where(null, NULL, text)
    return text.tolist()


def as_ewkb(geoms: np.ndarray) -> list[str]:
    return shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True).tolist()


def constant(value: str, n: int) -> list[str]:
    return [value] * n


def pick(choices: Sequence[str], index: np.ndarray) -> np.ndarray:
    return np.asarray(choices, dtype=object)[index]


# --- database -----------------------------------------------------------------------------------


def relaxed_commit() -> None:
    """Inside a bulk-load transaction: don't wait for the WAL flush at commit. A crash can lose the
    last batches of synthetic rows, never corrupt anything; real data never goes through here."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def batch_statements() -> None:
    """Inside a bulk-load transaction: no statement timeout. DB_STATEMENT_TIMEOUT_MS guards the web
    workers; one statement of a batch (a chunk's COPY and the triggers it fires, the purge of every
    synthetic work) may rightly take longer on a slow or busy machine. manage.py commands already run
    under BATCH_STATEMENT_TIMEOUT_MS; this covers the generator called from a process under the web
    limit (the test suite's call_command)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")


def reserve_ids(model: type[models.Model], n: int) -> np.ndarray:
    """Take n ids from the table's identity sequence, so children can reference rows before COPY."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, n],
        )
        return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64, count=n)


def column_state(model: type[models.Model], column: str) -> str | None:
    """'NULL' or 'NOT NULL' as the database has the column now, None when it is missing (a migration
    not applied yet), so the generator writes what the schema accepts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT is_nullable FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            [model._meta.db_table, column],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return "NULL" if row[0] == "YES" else "NOT NULL"


def copy_rows(model: type[models.Model], columns: dict[str, list[str]]) -> int:
    """COPY the given text columns (name -> values) into the model's table; returns the row count."""
    names = list(columns)
    values = list(columns.values())
    n = len(values[0]) if values else 0
    if n == 0:
        return 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(name) for name in names)
    )
    lines = map("\t".join, zip(*values, strict=True))
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(statement) as copy:
            buffer: list[str] = []
            size = 0
            for line in lines:
                buffer.append(line)
                size += len(line) + 1
                if size >= COPY_BATCH_BYTES:
                    copy.write("\n".join(buffer) + "\n")
                    buffer, size = [], 0
            if buffer:
                copy.write("\n".join(buffer) + "\n")
    return n


def analyze(*tables: type[models.Model]) -> None:
    """Refresh planner statistics after a bulk load; until autovacuum gets there the planner would
    take freshly filled tables for empty ones and pick nested loops over them."""
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table)))


def purge(queryset: models.QuerySet, depth: int = 0) -> int:
    """Delete the rows and everything that cascades from them with set-based SQL, never loading
    instances (Django's collector would fetch a million works into memory first)."""
    if depth > 6:
        raise RuntimeError("Relaciones demasiado profundas al borrar datos sintéticos.")
    model = queryset.model
    keys = queryset.values("pk")
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        through.objects.filter(**{f"{m2m.m2m_field_name()}__in": keys})._raw_delete(through.objects.db)
    for rel in model._meta.related_objects:
        related = rel.related_model
        if rel.many_to_many:
            through = rel.through
            column = rel.field.m2m_reverse_field_name()
            through.objects.filter(**{f"{column}__in": keys})._raw_delete(through.objects.db)
            continue
        children = related._base_manager.filter(**{f"{rel.field.name}__in": keys})
        if rel.on_delete is models.SET_NULL:
            children.update(**{rel.field.name: None})
        elif rel.on_delete is models.CASCADE:
            purge(children, depth + 1)
        elif rel.on_delete is not models.DO_NOTHING and children.exists():
            raise RuntimeError(f"{related._meta.label} protege filas que se quieren borrar.")
    return queryset._raw_delete(queryset.db)


def now_text(n: int) -> list[str]:
    return constant("now", n)  # timestamptz input 'now' = transaction start
