"""The demo's synthetic budget: clearly labelled (BudgetLoad.synthetic, "SINTÉTICO" in every program
name and the file names), deterministic, CONAC-coded, of a state's size (about 95 mil millones a
year), written as the CSV files a state publishes and loaded through the same checks as a real one.
The investment programs are the ones the demo works point at (Work.budget_program)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
from django.db.models import OuterRef, Subquery

from budget import catalogues
from budget.actions import do_delete_synthetic_budget, do_load_budget
from budget.loading import EXPENSE_MOMENTS, INCOME_MOMENTS
from budget.models import Kind
from priority_zones.models import Municipio
from works_map.models import Work, WorkFunding

YEARS = (2024, 2025, 2026)
YEAR_TOTAL = 95_000_000_000  # pesos approved in the first year; +5 % a year after
# The agencies (ramo, clave, name) and the share of the budget each gets. Names are the 2024–2030
# administration's (shared/DOMAIN.md); the keys and shares are invented for the demo.
AGENCIES = (
    ("01", "0101", "Poder Legislativo", 0.015),
    ("02", "0201", "Poder Judicial", 0.03),
    ("03", "0301", "Secretaría de Gobierno", 0.02),
    ("05", "0501", "Secretaría de Finanzas, Inversión y Administración", 0.04),
    ("07", "0701", "Secretaría de Educación", 0.33),
    ("08", "0801", "Secretaría de Salud", 0.14),
    ("09", "0901", "Secretaría de Seguridad y Paz", 0.07),
    ("10", "1001", "Secretaría de Obra Pública (SOP)", 0.08),
    ("11", "1101", "Secretaría del Nuevo Comienzo (SENCO)", 0.05),
    ("12", "1201", "Secretaría del Agua y Medio Ambiente (SAMA)", 0.03),
    ("13", "1301", "Secretaría de Desarrollo Económico Sustentable", 0.02),
    ("14", "1401", "Secretaría del Campo", 0.02),
    ("28", "2801", "Participaciones a municipios", 0.12),
    ("33", "3301", "Aportaciones a municipios", 0.035),
)
# Per agency: the functions its money goes to (subfunción codes of budget/data/funcional.csv).
FUNCTIONS = {
    "0101": ("1.1.1", "1.1.2"),
    "0201": ("1.2.1",),
    "0301": ("1.3.2", "1.7.2"),
    "0501": ("1.5.2", "4.1.1"),
    "0701": ("2.5.1", "2.5.2", "2.5.3", "2.5.5"),
    "0801": ("2.3.1", "2.3.2", "2.3.3"),
    "0901": ("1.7.1", "1.7.3"),
    "1001": ("2.2.1", "3.5.1", "2.2.7"),
    "1101": ("2.2.2", "2.6.8", "2.6.5"),
    "1201": ("2.1.2", "2.2.3", "2.1.3"),
    "1301": ("3.1.1", "3.7.1"),
    "1401": ("3.2.1",),
    "2801": ("4.2.2",),
    "3301": ("4.2.3",),
}
# The investment programs of the works: code, name, agency, funcional, partidas, fuente.
WORK_PROGRAMS = (
    ("K001", "Infraestructura de agua potable", "1201", "2.2.3", ("6130", "6230"), "25"),
    ("K002", "Drenaje y saneamiento", "1201", "2.1.3", ("6130", "6140"), "25"),
    ("K003", "Urbanización y pavimentación", "1001", "2.2.1", ("6140", "6150"), "16"),
    ("K004", "Caminos y vías de comunicación", "1001", "3.5.1", ("6150", "6160"), "15"),
    ("K005", "Mejoramiento de vivienda", "1101", "2.2.5", ("6110", "6210"), "25"),
    ("K006", "Espacios públicos y desarrollo comunitario", "1101", "2.2.2", ("6120", "6170"), "16"),
    ("K007", "Infraestructura educativa", "1001", "2.5.1", ("6120", "6220"), "15"),
    ("K008", "Infraestructura de salud", "1001", "2.3.1", ("6120", "6190"), "15"),
)
OTHER_PARTIDAS = (
    "1130",
    "1210",
    "1320",
    "1340",
    "1410",
    "1440",
    "1540",
    "2110",
    "2140",
    "2160",
    "2210",
    "2530",
    "2610",
    "2710",
    "3110",
    "3130",
    "3170",
    "3220",
    "3330",
    "3380",
    "3510",
    "3750",
    "3980",
    "4150",
    "4410",
    "4420",
    "4450",
    "4520",
    "5150",
    "5410",
    "5910",
)
SOURCES = ("11", "14", "15", "16", "25", "26", "27")
TIPO_BY_CHAPTER = {"1": "1", "2": "1", "3": "1", "4": "1", "5": "2", "6": "2", "8": "5", "9": "3"}
LABEL = "SINTÉTICO"


def _cents(value: float) -> int:
    return max(int(value), 0)


def _money(cents: int) -> str:
    return f"{Decimal(cents) / 100:,.2f}"  # with thousands separators, as the state's files


def _expense_rows(rng: np.random.Generator, year: int, scale: float, lines_per_agency: int) -> Iterator[list]:
    """Each classification key once per quarter, its moments cumulative and ordered."""
    programs_by_agency: dict[str, list[tuple]] = {}
    for code, name, agency, func, partidas, source in WORK_PROGRAMS:
        programs_by_agency.setdefault(agency, []).append((code, f"{name} ({LABEL})", func, partidas, source))
    keys = []
    for ramo, agency, name, share in AGENCIES:
        budget = YEAR_TOTAL * scale * share
        funcs = FUNCTIONS[agency]
        own = [(f"E{agency[:2]}{i}", f"Programa {i} de {name} ({LABEL})") for i in range(1, 4)]
        weights = rng.lognormal(0, 1.0, lines_per_agency)
        weights = weights / weights.sum()
        for i in range(lines_per_agency):
            invest = programs_by_agency.get(agency)
            if ramo == "28":
                partida, func, program, source = (
                    "8110" if i % 3 else "8120",
                    funcs[0],
                    ("C001", f"Participaciones a municipios ({LABEL})"),
                    "15",
                )
            elif ramo == "33":
                partida, func, program, source = (
                    "8320",
                    funcs[0],
                    ("I003", f"FAIS municipal y FORTAMUN ({LABEL})"),
                    "25",
                )
            elif invest and i % 2 == 0:
                code, pname, func, partidas, source = invest[(i // 2) % len(invest)]
                partida, program = partidas[i % len(partidas)], (code, pname)
            else:
                partida = OTHER_PARTIDAS[int(rng.integers(len(OTHER_PARTIDAS)))]
                func = funcs[i % len(funcs)]
                program = own[i % len(own)]
                source = SOURCES[int(rng.integers(len(SOURCES)))]
            keys.append((ramo, name, agency, func, partida, source, program, budget * weights[i]))
    for ramo, ramo_name, agency, func, partida, source, (prog, prog_name), amount in keys:
        approved = _cents(amount * 100)
        modified = _cents(approved * rng.uniform(0.92, 1.12))
        pace = rng.uniform(0.8, 1.05)
        for quarter in (1, 2, 3, 4):
            share = min(1.0, quarter / 4 * pace * 1.08)
            committed = _cents(modified * share)
            accrued = _cents(committed * rng.uniform(0.9, 0.99))
            exercised = _cents(accrued * rng.uniform(0.95, 1.0))
            paid = _cents(exercised * rng.uniform(0.93, 1.0))
            yield [
                year,
                quarter,
                ramo,
                ramo_name,
                agency,
                ramo_name,
                func,
                partida,
                TIPO_BY_CHAPTER[partida[0]],
                source,
                prog,
                prog_name,
                approved,
                modified,
                committed,
                accrued,
                exercised,
                paid,
            ]


def expense_csv(years=YEARS, lines_per_agency: int = 120, seed: int = 2026) -> str:
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "ejercicio",
            "trimestre",
            "ramo",
            "ramo_nombre",
            "dependencia",
            "dependencia_nombre",
            "funcional",
            "partida",
            "tipo_gasto",
            "fuente",
            "programa",
            "programa_nombre",
            *EXPENSE_MOMENTS,
        ]
    )
    for n, year in enumerate(years):
        totals: dict[int, list[int]] = {q: [0] * 6 for q in (1, 2, 3, 4)}
        for row in _expense_rows(rng, year, 1.05**n, lines_per_agency):
            cents = row[12:]
            for i, v in enumerate(cents):
                totals[row[1]][i] += v
            writer.writerow([*row[:12], *(_money(v) for v in cents)])
        for quarter, sums in totals.items():
            writer.writerow(
                [year, quarter, "TOTAL", "", "", "", "", "", "", "", "", "", *(_money(v) for v in sums)]
            )
    return out.getvalue()


INCOME_SHARES = (
    ("1", "15", 0.045),
    ("1", "13", 0.01),
    ("1", "17", 0.002),
    ("4", "43", 0.03),
    ("4", "41", 0.004),
    ("5", "51", 0.004),
    ("6", "61", 0.01),
    ("8", "81", 0.42),
    ("8", "82", 0.40),
    ("8", "83", 0.045),
    ("8", "84", 0.015),
    ("0", "03", 0.015),
)


def income_csv(years=YEARS, seed: int = 2026) -> str:
    rng = np.random.default_rng(seed + 1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ejercicio", "rubro", "tipo", "concepto", *INCOME_MOMENTS])
    names = catalogues.cri()
    for n, year in enumerate(years):
        sums = [0] * 4
        for rubro, tipo, share in INCOME_SHARES:
            estimated = _cents(YEAR_TOTAL * 1.05**n * share * 100)
            modified = _cents(estimated * rng.uniform(0.97, 1.08))
            accrued = _cents(modified * rng.uniform(0.85, 1.0))
            collected = _cents(accrued * rng.uniform(0.95, 1.0))
            values = [estimated, modified, accrued, collected]
            sums = [a + b for a, b in zip(sums, values, strict=True)]
            writer.writerow([year, rubro, tipo, names[tipo], *(_money(v) for v in values)])
        writer.writerow([year, "TOTAL", "", "", *(_money(v) for v in sums)])
    return out.getvalue()


def transfers_csv(years=YEARS, seed: int = 2026) -> str:
    rng = np.random.default_rng(seed + 2)
    municipios = list(Municipio.objects.order_by("cvegeo").values_list("cvegeo", "population_2020"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ejercicio", "municipio", "fondo", "monto"])
    for n, year in enumerate(years):
        total = 0
        for cvegeo, population in municipios:
            people = population or 10_000
            for fund, per_head in (("FAIS-FISMDF", 420), ("FORTAMUN", 690), ("PARTICIPACIONES", 2400)):
                amount = _cents(people * per_head * 1.05**n * rng.uniform(0.6, 1.6) * 100)
                total += amount
                writer.writerow([year, cvegeo, fund, _money(amount)])
        writer.writerow([year, "TOTAL", "", _money(total)])
    return out.getvalue()


def link_demo_works() -> int:
    """Each synthetic work pays from one of the investment programs (by its category, so a program's
    works are of one kind), and its CONAC funding source is its first funding row's."""
    codes = [p[0] for p in WORK_PROGRAMS]
    updated = 0
    categories = (
        Work.objects.filter(synthetic=True).order_by().values_list("category_id", flat=True).distinct()
    )
    for category_id in categories:
        code = codes[(category_id or 0) % len(codes)]
        updated += Work.objects.filter(synthetic=True, category_id=category_id).update(budget_program=code)
    first_source = (
        WorkFunding.objects.filter(work=OuterRef("pk")).order_by("pk").values("source__conac_code")[:1]
    )
    Work.objects.filter(synthetic=True).update(budget_source=Subquery(first_source))
    Work.objects.filter(synthetic=True, budget_source__isnull=True).update(budget_source="")
    return updated


def load_demo_budget(report=print) -> dict[str, int]:
    do_delete_synthetic_budget()
    counts = {}
    for kind, name, text in (
        (Kind.EXPENSE, "presupuesto-egresos-SINTETICO.csv", expense_csv()),
        (Kind.INCOME, "ingresos-SINTETICO.csv", income_csv()),
        (Kind.TRANSFERS, "transferencias-municipios-SINTETICO.csv", transfers_csv()),
    ):
        result = do_load_budget(text.encode(), name, kind, replace=True, synthetic=True)
        if not result.committed:
            raise RuntimeError(f"{name}: {[(p.row, p.reason) for p in result.problems[:5]]}")
        counts[str(kind)] = result.rows
        report(f"  {name}: {result.rows:,} filas")
    counts["obras ligadas a programas"] = link_demo_works()
    return counts
