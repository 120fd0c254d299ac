"""The FAIS rule table as data: works_map/data/fais_rules.csv, one row per fund and Lineamientos period.

Loaded by migration 0012 (and by tests) through `load_fais_rules`, which takes the model class so a
migration can pass its historical model. Idempotent: rows are matched by (fund, year_from).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

RULES_CSV = Path(__file__).parent / "data" / "fais_rules.csv"
PERCENTAGES = ("min_direct_pct", "max_complementary_pct", "max_special_pct", "max_roads_pct", "min_zap_pct")
# Category codes counted against the roads cap (the 2016 rule; kept for every row).
ROAD_PREFIXES = [
    "URBANIZACION.PAVIMENTACION",
    "URBANIZACION.CAMINO_RURAL",
    "URBANIZACION.BANQUETAS",
    "URBANIZACION.GUARNICIONES",
    "CONECTIVIDAD",
]


def rule_rows(path: Path = RULES_CSV) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = []
        for raw in csv.DictReader(handle):
            row: dict[str, Any] = {
                "fund": raw["fund"],
                "year_from": int(raw["year_from"]),
                "year_to": int(raw["year_to"]) if raw["year_to"] else None,
                "zap_urbana_minimum": raw["zap_urbana_minimum"],
                "verified": raw["verified"] == "true",
                "source": raw["source"],
                "road_category_prefixes": ROAD_PREFIXES,
            }
            row.update({p: Decimal(raw[p]) if raw[p] else None for p in PERCENTAGES})
            rows.append(row)
        return rows


def load_fais_rules(model, path: Path = RULES_CSV) -> int:
    """Create or update every rule of the file; returns how many rows it holds."""
    rows = rule_rows(path)
    for row in rows:
        key = {"fund": row.pop("fund"), "year_from": row.pop("year_from")}
        model.objects.update_or_create(**key, defaults=row)
    return len(rows)
