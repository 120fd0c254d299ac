"""Works as an OC4IDS 0.9 project package (Open Contracting for Infrastructure Data Standard).

One SQL statement reads every selected work with its funding rows, agencies (and their
predecessors), approved progress reports and the INEGI units it lies in (json_agg subqueries and a
lateral AGEB lookup), fetched in batches from a server-side cursor; Python turns each row into a
project and streams the package, so memory and the number of queries stay constant whatever the
number of works. Mapping of our codes to the closed OC4IDS codelists, and the extension fields that
keep ours, in README («OC4IDS»).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from gis_core.exporters import FETCH_ROWS, NO_JIT, ids_sql
from works_map.models import OC4IDS_STATUS, Work, WorkAgency, WorkStatus

VERSION = "0.9"
CURRENCY = "MXN"
# Mexico's central time, without daylight saving since 2022: dates of the register are local dates.
LOCAL_OFFSET = "-06:00"
MIDNIGHT = "T00:00:00" + LOCAL_OFFSET
GAZETTEER = "MX-INEGI-CVEGEO"  # INEGI Marco Geoestadístico keys: municipio (5), localidad (9), AGEB (13)
CATEGORY_SCHEME = "MX-GTO-TA-CATEGORIA"
AGENCY_SCHEME = "MX-GTO-TA-DEPENDENCIA"

# projectType is a closed codelist: only modalities with a faithful counterpart get a type; the
# modality itself always travels in `localModality`.
PROJECT_TYPE: dict[str, str] = {
    Work.Modality.CONSTRUCCION: "construction",
    Work.Modality.AMPLIACION: "expansion",
    Work.Modality.REHABILITACION: "rehabilitation",
    Work.Modality.MANTENIMIENTO: "rehabilitation",
    Work.Modality.MEJORAMIENTO: "rehabilitation",
}

# projectSector (open codelist) from the CONAC subfunction of the category, longest prefix first,
# then from the carencia the category addresses.
SECTOR_BY_SUBFUNCTION: dict[str, str] = {
    "2.1.2": "waterAndWaste",
    "2.1.3": "waterAndWaste",
    "2.2.1": "transport.urban",
    "2.2.3": "waterAndWaste",
    "2.2.4": "energy",
    "2.2.5": "socialHousing",
    "2.3": "health",
    "2.4": "cultureSportsAndRecreation",
    "2.5": "education",
}
SECTOR_BY_CARENCIA: dict[str, str] = {
    "REZAGO_EDUCATIVO": "education",
    "SALUD": "health",
    "CALIDAD_VIVIENDA": "socialHousing",
    "SERVICIOS_BASICOS": "waterAndWaste",
}

# partyRole is open: ours map to standard codes where one fits; every local role is also kept.
PARTY_ROLES: dict[str, str] = {
    WorkAgency.Role.EJECUTORA: "publicAuthority",
    WorkAgency.Role.FINANCIADORA: "funder",
    WorkAgency.Role.SOLICITANTE: "requestingEntity",
    WorkAgency.Role.NORMATIVA: "normativeEntity",
}
GOVERNMENT = {
    "FEDERAL": ("MX-GOB-FEDERAL", "Gobierno de México (federal)"),
    "ESTATAL": ("MX-GTO-GOBIERNO", "Gobierno del Estado de Guanajuato"),
    "MUNICIPAL": ("MX-GTO-MUNICIPIO", "Municipio"),
}

ROWS_SQL = """
SELECT w.id, w.folio, w.fiscal_year, w.kind, w.name, w.description, w.status, w.modality,
       w.execution_mode, w.address,
       ST_AsGeoJSON(CASE WHEN GeometryType(w.geom) = 'GEOMETRYCOLLECTION' THEN w.point ELSE w.geom END, 6),
       m.cvegeo, m.name, l.cvegeo, l.name, a.cvegeo,
       w.amount_approved::float8, w.amount_modified::float8, w.amount_exercised::float8,
       w.amount_paid::float8,
       w.planned_start, w.planned_end, w.actual_start, w.actual_end, w.updated_at,
       c.code, c.name, c.conac_subfunction, c.cog_partida, c.carencia,
       (SELECT json_agg(json_build_object(
                'code', s.code, 'conac', s.conac_code, 'name', s.name, 'level', s.level,
                'fund', s.fund, 'approved', f.amount_approved, 'modified', f.amount_modified,
                'exercised', f.amount_exercised, 'paid', f.amount_paid) ORDER BY s.code)
          FROM works_map_workfunding f JOIN works_map_fundingsource s ON s.id = f.source_id
         WHERE f.work_id = w.id),
       (SELECT json_agg(json_build_object(
                'role', wa.role, 'code', ag.code, 'acronym', ag.acronym, 'name', ag.name,
                'level', ag.level, 'municipio', am.cvegeo,
                'predecessor_code', p.code, 'predecessor_name', p.name) ORDER BY ag.code, wa.role)
          FROM works_map_workagency wa
          JOIN works_map_agency ag ON ag.id = wa.agency_id
          LEFT JOIN works_map_agency p ON p.id = ag.predecessor_id
          LEFT JOIN priority_zones_municipio am ON am.id = ag.municipio_id
         WHERE wa.work_id = w.id),
       (SELECT json_agg(json_build_object(
                'id', r.id, 'date', r.reported_on, 'physical', r.physical_pct,
                'financial', r.financial_pct) ORDER BY r.reported_on, r.id)
          FROM works_map_progressreport r
         WHERE r.work_id = w.id AND r.state = 'APPROVED')
FROM works_map_work w
JOIN works_map_category c ON c.id = w.category_id
JOIN priority_zones_municipio m ON m.id = w.municipio_id
LEFT JOIN priority_zones_localidad l ON l.id = w.localidad_id
LEFT JOIN LATERAL (
    SELECT g.cvegeo FROM priority_zones_ageb g
     WHERE g.geom && w.point AND ST_Intersects(g.geom, w.point)
     ORDER BY g.cvegeo LIMIT 1
) a ON true
WHERE w.id IN ({ids})
ORDER BY w.id
"""

COLUMNS = (
    "id folio fiscal_year kind name description status modality execution_mode address geometry "
    "municipio municipio_name localidad localidad_name ageb amount_approved amount_modified "
    "amount_exercised amount_paid planned_start planned_end actual_start actual_end updated_at "
    "category category_name conac_subfunction cog_partida carencia funding agencies progress"
).split()


def project_id(folio: str, fiscal_year: int) -> str:
    """Stable across exports and edits: the registered prefix, the folio and its fiscal year."""
    return f"{settings.OC4IDS_PREFIX}-{folio}-{fiscal_year}"


def _datetime(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, str):  # a date from json_agg
        return value + MIDNIGHT
    return value.isoformat() + MIDNIGHT


def _period(start, end) -> dict[str, str] | None:
    period = {k: v for k, v in (("startDate", _datetime(start)), ("endDate", _datetime(end))) if v}
    return period or None


def _money(amount: float | None) -> dict[str, Any]:
    return {"amount": amount, "currency": CURRENCY}


def _sector(subfunction: str, carencia: str) -> list[str]:
    for prefix in sorted(SECTOR_BY_SUBFUNCTION, key=len, reverse=True):
        if subfunction == prefix or subfunction.startswith(prefix + "."):
            sector = SECTOR_BY_SUBFUNCTION[prefix]
            break
    else:
        sector = SECTOR_BY_CARENCIA.get(carencia, "")
    if not sector:
        return []
    parent = sector.split(".")[0]
    return [parent, sector] if parent != sector else [sector]


def _agency_party_id(code: str) -> str:
    return f"{AGENCY_SCHEME}-{code}"


def _government(level: str, municipio: str) -> tuple[str, str]:
    pid, name = GOVERNMENT[level]
    if level == "MUNICIPAL":
        return f"{pid}-{municipio}", f"{name} {municipio}"
    return pid, name


def _parties(row: Mapping[str, Any]) -> tuple[list[dict], dict | None, dict[str, dict]]:
    """The agencies with their roles, and one funder party per level of government paying."""
    parties: dict[str, dict] = {}
    authority = None
    for agency in row["agencies"] or ():
        pid = _agency_party_id(agency["code"])
        party = parties.setdefault(
            pid,
            {
                "id": pid,
                "name": agency["name"],
                "identifier": {"scheme": AGENCY_SCHEME, "id": agency["code"], "legalName": agency["name"]},
                "roles": [],
                "localRoles": [],
                "governmentLevel": agency["level"],
            },
        )
        party["roles"].append(PARTY_ROLES[agency["role"]])
        party["localRoles"].append(agency["role"])
        if agency["predecessor_code"]:
            party["predecessor"] = {
                "id": _agency_party_id(agency["predecessor_code"]),
                "name": agency["predecessor_name"],
            }
        if agency["role"] == WorkAgency.Role.EJECUTORA and authority is None:
            authority = {"id": pid, "name": agency["name"]}
    funders: dict[str, dict] = {}
    for funding in row["funding"] or ():
        pid, name = _government(funding["level"], row["municipio"])
        party = parties.setdefault(
            pid, {"id": pid, "name": name, "roles": [], "governmentLevel": funding["level"]}
        )
        if "funder" not in party["roles"]:
            party["roles"].append("funder")
        funders[funding["code"]] = {"id": pid, "name": party["name"]}
    for party in parties.values():
        party["roles"] = sorted(set(party["roles"]))
        if "localRoles" in party:
            party["localRoles"] = sorted(set(party["localRoles"]))
    return list(parties.values()), authority, funders


def _budget(row: Mapping[str, Any], funders: dict[str, dict]) -> dict:
    current = row["amount_modified"] if row["amount_modified"] is not None else row["amount_approved"]
    budget: dict[str, Any] = {"amount": _money(current)}
    year = row["fiscal_year"]
    lines = []
    for funding in row["funding"] or ():
        amount = funding["modified"] if funding["modified"] is not None else funding["approved"]
        lines.append(
            {
                "id": funding["code"],
                "description": f"{funding['name']} (fuente de financiamiento CONAC {funding['conac']})",
                "amount": _money(amount),
                "period": _period(dt.date(year, 1, 1), dt.date(year, 12, 31)),
                "sourceParty": funders[funding["code"]],
                "conacSourceCode": funding["conac"],
                "fund": funding["fund"],
                "amountsByMoment": {
                    "approved": funding["approved"],
                    "modified": funding["modified"],
                    "exercised": funding["exercised"],
                    "paid": funding["paid"],
                },
            }
        )
    if lines:
        budget["budgetBreakdowns"] = [
            {
                "id": "fuentes-de-financiamiento",
                "description": "Por fuente de financiamiento (Clasificador por Fuentes de Financiamiento)",
                "budgetBreakdown": lines,
            }
        ]
    return budget


def _metrics(progress: list[dict] | None) -> list[dict]:
    if not progress:
        return []
    unit = {"name": "percent", "scheme": "UNCEFACT", "id": "P1"}
    metrics = []
    for metric, key, title in (
        ("physicalProgress", "physical", "Avance físico"),
        ("financialProgress", "financial", "Avance financiero"),
    ):
        metrics.append(
            {
                "id": metric,
                "title": title,
                "observations": [
                    {
                        "id": str(report["id"]),
                        "measure": report[key],
                        "unit": unit,
                        "period": _period(report["date"], report["date"]),
                    }
                    for report in progress
                ],
            }
        )
    return metrics


def status_titles() -> dict[str, str]:
    """Each status's label in the active language, translated once per export, not once per work."""
    return {code: str(label) for code, label in WorkStatus.choices}


def project(row: Mapping[str, Any], titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One OC4IDS project from one row of ROWS_SQL (as a dict by COLUMNS)."""
    titles = titles or status_titles()
    parties, authority, funders = _parties(row)
    location: dict[str, Any] = {
        "id": "1",
        "description": row["address"] or f"{row['localidad_name'] or row['municipio_name']}, Guanajuato",
        "geometry": json.loads(row["geometry"]),
        "gazetteer": {
            "scheme": GAZETTEER,
            "identifiers": [c for c in (row["municipio"], row["localidad"], row["ageb"]) if c],
        },
        "address": {
            "locality": row["localidad_name"] or row["municipio_name"],
            "region": "Guanajuato",
            "countryName": "México",
        },
    }
    if row["address"]:
        location["address"]["streetAddress"] = row["address"]
    classifications = [
        {"scheme": CATEGORY_SCHEME, "id": row["category"], "description": row["category_name"]}
    ]
    if row["conac_subfunction"]:
        classifications.append({"scheme": "MX-CONAC-FUNCIONAL", "id": row["conac_subfunction"]})
    if row["cog_partida"]:
        classifications.append({"scheme": "MX-CONAC-COG", "id": row["cog_partida"]})
    out: dict[str, Any] = {
        "id": project_id(row["folio"], row["fiscal_year"]),
        "updated": _datetime(row["updated_at"]),
        "language": "es",
        "identifiers": [
            {"id": f"{row['folio']}/{row['fiscal_year']}", "scheme": "MX-GTO-TA-FOLIO"},
            {"id": str(row["id"]), "scheme": "MX-GTO-TA-ID"},
        ],
        "title": row["name"],
        "status": OC4IDS_STATUS[row["status"]],
        "localStatus": {"code": row["status"], "title": titles[row["status"]]},
        "localModality": row["modality"],
        "localKind": row["kind"],
        "executionMode": row["execution_mode"],
        "fiscalYear": row["fiscal_year"],
        "locations": [location],
        "budget": _budget(row, funders),
        "additionalClassifications": classifications,
    }
    if row["description"]:
        out["description"] = row["description"]
    if row["modality"] in PROJECT_TYPE:
        out["type"] = PROJECT_TYPE[row["modality"]]
    sector = _sector(row["conac_subfunction"], row["carencia"])
    if sector:
        out["sector"] = sector
    if parties:
        out["parties"] = parties
    if authority:
        out["publicAuthority"] = authority
    period = _period(row["planned_start"], row["planned_end"])
    if period:
        out["period"] = period
    implementation = _period(row["actual_start"], row["actual_end"])
    if implementation:
        out["implementationPeriod"] = implementation
    if out["status"] == "completion" and row["actual_end"]:
        out["completion"] = {
            "endDate": _datetime(row["actual_end"]),
            "finalValue": _money(row["amount_exercised"]),
            "finalValueDetails": "Monto ejercido",
        }
    metrics = _metrics(row["progress"])
    if metrics:
        out["metrics"] = metrics
    return out


def projects(works) -> Iterator[dict[str, Any]]:
    """The projects of the works of `works` (a queryset), in id order, from one statement."""
    ids, params = ids_sql(works)
    titles = status_titles()
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        with connection.cursor() as setup:
            setup.execute(NO_JIT)
        cursor.execute(ROWS_SQL.replace("{ids}", ids), params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            for row in rows:
                yield project(dict(zip(COLUMNS, row, strict=True)), titles)


def package_header(uri: str, published: dt.datetime) -> dict[str, Any]:
    header: dict[str, Any] = {
        "uri": uri,
        "version": VERSION,
        "publishedDate": _datetime(published),
        "publisher": {"name": settings.OPEN_DATA_PUBLISHER},
        "license": settings.OPEN_DATA_LICENSE,
    }
    if settings.OPEN_DATA_POLICY_URL:
        header["publicationPolicy"] = settings.OPEN_DATA_POLICY_URL
    return header


def last_change(works) -> dt.datetime | None:
    """When the selection last changed (the package's publishedDate); None when it is empty."""
    return works.order_by().aggregate(last=Max("updated_at"))["last"]


def package(works, uri: str, published: dt.datetime) -> Iterator[bytes]:
    """The project package, streamed: the header, then the projects in batches."""
    head = json.dumps(package_header(uri, published), ensure_ascii=False)
    yield (head[:-1] + ',"projects":[\n').encode()
    first = True
    batch: list[str] = []
    for item in projects(works):
        batch.append(json.dumps(item, ensure_ascii=False, separators=(",", ":"), check_circular=False))
        if len(batch) >= 500:
            yield (("" if first else ",\n") + ",\n".join(batch)).encode()
            first, batch = False, []
    if batch:
        yield (("" if first else ",\n") + ",\n".join(batch)).encode()
    yield b"\n]}\n"
