"""The CONAC catalogues shipped as data (budget/data/*.csv, sources in budget/data/README.md), and the
INPC deflator. Read once per process: they change with a CONAC reform, not with a request."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def cog() -> dict[str, str]:
    """Clasificador por Objeto del Gasto: capítulo X000, concepto XX00, partida genérica XXX0."""
    return {row["code"]: row["name"] for row in _read("cog.csv")}


@cache
def funcional() -> dict[str, str]:
    """Clasificación funcional: finalidad, finalidad.función, finalidad.función.subfunción."""
    return {row["code"]: row["name"] for row in _read("funcional.csv")}


@cache
def fuentes() -> dict[str, str]:
    """Clasificador por Fuentes de Financiamiento (1 digit: etiquetado or not; 2 digits: the source)."""
    return {row["code"]: row["name"] for row in _read("fuente_financiamiento.csv")}


@cache
def tipos_gasto() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _read("tipo_gasto.csv")}


@cache
def cri() -> dict[str, str]:
    """Clasificador por Rubros de Ingresos: rubro (1 digit) and tipo (2 digits)."""
    return {row["code"]: row["name"] for row in _read("cri.csv")}


@cache
def cri_origin() -> dict[str, str]:
    """Rubro -> propio / federal / financiamiento: "federal vs own" on the income page."""
    return {row["code"]: row["origin"] for row in _read("cri.csv") if len(row["code"]) == 1}


@cache
def inpc() -> dict[int, Decimal]:
    """INPC (base 2a quincena de julio 2018 = 100), December of each year."""
    return {int(row["year"]): Decimal(row["inpc_diciembre"]) for row in _read("inpc.csv")}


def deflator(year: int, base: int) -> tuple[Decimal, bool]:
    """The factor that takes `year`'s pesos to `base`'s, and whether both years have a published INPC.

    A year past the last published index is taken at that last index (no deflation beyond it), and
    the page says so: inventing an index would be worse than showing the gap."""
    index = inpc()
    last = max(index)
    known = year in index and base in index
    return index[min(base, last)] / index[min(year, last)], known


def name_of(catalogue: dict[str, str], code: str) -> str:
    return catalogue.get(code, code)
