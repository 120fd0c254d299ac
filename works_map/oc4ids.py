"""Works as an OC4IDS 0.9 project package (Open Contracting for Infrastructure Data Standard).

PostgreSQL writes each project as JSON text in one statement (PROJECTS_SQL: the work's row, index
lookups per work for its funding lines, agencies and their predecessors, funders and approved
progress reports, and a lateral AGEB lookup), fetched in batches from a server-side cursor; Python
only joins the texts, so the package streams at the database's speed, in the memory of one batch and
a constant number of queries whatever the number of works. Mapping of our codes to the closed
OC4IDS codelists, and the extension fields that keep ours, in README («OC4IDS»)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from gis_core.exporters import NO_JIT, with_ids
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


def _case(expression: str, mapping: Mapping[str, str]) -> str:
    """A CASE over constants of this module (never user input); NULL for a value not mapped."""
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE {expression} {whens} END"


def _s(expression: str) -> str:
    """A JSON string (or null) as text."""
    return f"coalesce(to_json(({expression})::text)::text, 'null')"


def _n(expression: str) -> str:
    """A JSON number (or null) as text: numeric's text is a JSON number."""
    return f"coalesce(({expression})::text, 'null')"


def _key(key: str, json_text: str) -> str:
    """`,"key":value` when the value is not NULL, else nothing (OC4IDS omits what is unknown)."""
    return f"""coalesce(',"{key}":' || ({json_text}), '')"""


def _sector_codes(sector: str) -> list[str]:
    parent = sector.split(".")[0]
    return [parent, sector] if parent != sector else [sector]


def _sector_case() -> str:
    """projectSector as a JSON array: the longest CONAC subfunction prefix, else the carencia."""
    whens = [
        f"WHEN c.conac_subfunction = '{prefix}' OR c.conac_subfunction LIKE '{prefix}.%%' "
        f"THEN '{json.dumps(_sector_codes(SECTOR_BY_SUBFUNCTION[prefix]))}'"
        for prefix in sorted(SECTOR_BY_SUBFUNCTION, key=len, reverse=True)
    ]
    by_carencia = {k: json.dumps(_sector_codes(v)) for k, v in SECTOR_BY_CARENCIA.items()}
    return f"CASE {' '.join(whens)} ELSE {_case('c.carencia', by_carencia)} END"


def _day(column: str) -> str:
    """A local date as an OC4IDS date-time (midnight, Mexico's central time); NULL stays NULL."""
    return f"""('"' || to_char({column}, 'YYYY-MM-DD') || '{MIDNIGHT}"')"""


def _period(start: str, end: str) -> str:
    return (
        f"CASE WHEN {start} IS NOT NULL OR {end} IS NOT NULL THEN '{{' || concat_ws(',', "
        f"""'"startDate":' || {_day(start)}, '"endDate":' || {_day(end)}) || '}}' END"""
    )


def _money(amount: str) -> str:
    return f"""'{{"amount":' || {_n(amount)} || ',"currency":"{CURRENCY}"}}'"""


def _government(part: int) -> str:
    """The funder party's id (0) or name (1) of the level `s.level`; a municipio's carries `cvegeo`."""
    mapping = {k: v[part] for k, v in GOVERNMENT.items()}
    municipal = mapping.pop("MUNICIPAL")
    separator = "-" if part == 0 else " "
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE s.level {whens} WHEN 'MUNICIPAL' THEN '{municipal}{separator}' || s.cvegeo END"


_COMPLETED = ", ".join(f"'{k}'" for k, v in OC4IDS_STATUS.items() if v == "completion")
_PERCENT = json.dumps({"name": "percent", "scheme": "UNCEFACT", "id": "P1"})


def _observation(column: str) -> str:
    return (
        f"""'{{"id":"' || r.id || '","measure":' || {_n("r." + column)} || ',"unit":{_PERCENT},"""
        f""""period":{{"startDate":' || r.day || ',"endDate":' || r.day || '}}}}'"""
    )


_COMPLETION = (
    f"CASE WHEN w.status IN ({_COMPLETED}) AND w.actual_end IS NOT NULL THEN "
    f"""'{{"endDate":' || {_day("w.actual_end")} || ',"finalValue":' || {_money("w.amount_exercised")}"""
    """ || ',"finalValueDetails":"Monto ejercido"}' END"""
)
_AGENCY_ID = f"'{AGENCY_SCHEME}-' || ag.code"


def _funder(level: str, cvegeo: str = "") -> str:
    """The party of a level of government paying for the work (one per level), as JSON text."""
    pid, name = GOVERNMENT[level]
    if cvegeo:
        pid, name = f"{pid}-{cvegeo}", f"{name} {cvegeo}"
    return json.dumps(
        {"id": pid, "name": name, "roles": ["funder"], "governmentLevel": level},
        ensure_ascii=False,
        separators=(",", ":"),
    )


# A municipio's CVEGEO is five digits: it needs no JSON escaping.
_FUNDERS = (
    f"nullif(concat_ws(',', CASE WHEN fu.federal THEN '{_funder('FEDERAL')}' END, "
    f"CASE WHEN fu.state THEN '{_funder('ESTATAL')}' END, "
    f"CASE WHEN fu.municipal THEN replace('{_funder('MUNICIPAL', '@')}', '@', m.cvegeo) END), '')"
)

# One project per work as JSON text, written by PostgreSQL in one statement: the work's row with its
# category, municipio, localidad and the AGEB its point lies in, hash-joined to its funding lines,
# parties (agencies with their roles and predecessors; one funder per level of government), executing
# agency and approved progress, each aggregated once for the whole selection from rows sorted once
# (a subquery per work, or an ORDER BY inside each aggregate, costs a sort per work). The JSON is
# concatenated as text: json_build_object and json_strip_nulls would build and re-parse 5 kB per
# project. Parameters: the project id prefix, the status titles (JSON), then the selection's, once per
# `{ids}`. No ORDER BY: it would sort every project's text; a package's projects are a set.
PROJECTS_SQL = f"""
SELECT '{{"id":' || {_s("%s || '-' || w.folio || '-' || w.fiscal_year")}
    || ',"updated":"' || to_char(w.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'
    || ',"language":"es","identifiers":[{{"id":' || {_s("w.folio || '/' || w.fiscal_year")}
    || ',"scheme":"MX-GTO-TA-FOLIO"}},{{"id":"' || w.id || '","scheme":"MX-GTO-TA-ID"}}]'
    || ',"title":' || {_s("w.name")}
    || {_key("description", "to_json(nullif(w.description, ''))::text")}
    || ',"status":' || {_s(_case("w.status", OC4IDS_STATUS))}
    || ',"localStatus":{{"code":' || {_s("w.status")} || ',"title":' || {_s("%s::jsonb ->> w.status")} || '}}'
    || ',"localModality":' || {_s("w.modality")}
    || ',"localKind":' || {_s("w.kind")}
    || ',"executionMode":' || {_s("w.execution_mode")}
    || ',"fiscalYear":' || w.fiscal_year
    || {_key("type", "to_json(" + _case("w.modality", PROJECT_TYPE) + "::text)::text")}
    || {_key("sector", _sector_case())}
    || ',"locations":[{{"id":"1","description":'
    || {_s("coalesce(nullif(w.address, ''), coalesce(l.name, m.name) || ', Guanajuato')")}
    || ',"geometry":' || ST_AsGeoJSON(
           CASE WHEN GeometryType(w.geom) = 'GEOMETRYCOLLECTION' THEN w.point ELSE w.geom END, 6)
    || ',"gazetteer":{{"scheme":"{GAZETTEER}","identifiers":'
    || to_json(array_remove(ARRAY[m.cvegeo, l.cvegeo, a.cvegeo]::text[], NULL))::text
    || '}},"address":{{' || coalesce('"streetAddress":' || to_json(nullif(w.address, ''))::text || ',', '')
    || '"locality":' || {_s("coalesce(l.name, m.name)")}
    || ',"region":"Guanajuato","countryName":"México"}}}}]'
    || ',"budget":{{"amount":' || {_money("coalesce(w.amount_modified, w.amount_approved)")}
    || coalesce(',"budgetBreakdowns":[{{"id":"fuentes-de-financiamiento","description":"Por fuente de '
                || 'financiamiento (Clasificador por Fuentes de Financiamiento)","budgetBreakdown":['
                || fu.lines || ']}}]', '')
    || '}},"additionalClassifications":[{{"scheme":"{CATEGORY_SCHEME}","id":' || {_s("c.code")}
    || ',"description":' || {_s("c.name")} || '}}'
    || CASE WHEN c.conac_subfunction <> '' THEN
           ',{{"scheme":"MX-CONAC-FUNCIONAL","id":' || {_s("c.conac_subfunction")} || '}}' ELSE '' END
    || CASE WHEN c.cog_partida <> '' THEN
           ',{{"scheme":"MX-CONAC-COG","id":' || {_s("c.cog_partida")} || '}}' ELSE '' END
    || ']'
    || {_key("parties", "'[' || nullif(concat_ws(',', ag.parties, " + _FUNDERS + "), '') || ']'")}
    || {_key("publicAuthority", "au.authority")}
    || {_key("period", _period("w.planned_start", "w.planned_end"))}
    || {_key("implementationPeriod", _period("w.actual_start", "w.actual_end"))}
    || {_key("completion", _COMPLETION)}
    || {_key("metrics", "pr.metrics")}
    || '}}'
FROM works_map_work w
JOIN works_map_category c ON c.id = w.category_id
JOIN priority_zones_municipio m ON m.id = w.municipio_id
LEFT JOIN priority_zones_localidad l ON l.id = w.localidad_id
LEFT JOIN LATERAL (
    SELECT g.cvegeo FROM priority_zones_ageb g
     WHERE g.geom && w.point AND ST_Intersects(g.geom, w.point)
     ORDER BY g.cvegeo LIMIT 1
) a ON true
LEFT JOIN (
    SELECT s.work_id, string_agg(
               '{{"id":' || {_s("s.code")}
               || ',"description":'
               || {_s("s.name || ' (fuente de financiamiento CONAC ' || s.conac_code || ')'")}
               || ',"amount":' || {_money("coalesce(s.amount_modified, s.amount_approved)")}
               || ',"period":{{"startDate":"' || s.fiscal_year || '-01-01{MIDNIGHT}","endDate":"'
               || s.fiscal_year || '-12-31{MIDNIGHT}"}}'
               || ',"sourceParty":{{"id":' || {_s(_government(0))}
               || ',"name":' || {_s(_government(1))} || '}}'
               || ',"conacSourceCode":' || {_s("s.conac_code")} || ',"fund":' || {_s("s.fund")}
               || ',"amountsByMoment":{{"approved":' || {_n("s.amount_approved")}
               || ',"modified":' || {_n("s.amount_modified")} || ',"exercised":' || {_n("s.amount_exercised")}
               || ',"paid":' || {_n("s.amount_paid")} || '}}}}', ',' ORDER BY s.code) AS lines,
           bool_or(s.level = 'FEDERAL') AS federal, bool_or(s.level = 'ESTATAL') AS state,
           bool_or(s.level = 'MUNICIPAL') AS municipal
      FROM (
        SELECT f.work_id, f.amount_approved, f.amount_modified, f.amount_exercised, f.amount_paid,
               fs.code, fs.name, fs.conac_code, fs.fund, fs.level, fw.fiscal_year, fm.cvegeo
          FROM works_map_workfunding f
          JOIN works_map_fundingsource fs ON fs.id = f.source_id
          JOIN works_map_work fw ON fw.id = f.work_id
          JOIN priority_zones_municipio fm ON fm.id = fw.municipio_id
         WHERE f.work_id IN ({{ids}})
         ORDER BY f.work_id, fs.code
      ) s
     GROUP BY s.work_id
) fu ON fu.work_id = w.id
LEFT JOIN (
    SELECT x.work_id, string_agg(x.party, ',' ORDER BY x.agency_id) AS parties FROM (
        SELECT r.work_id, ag.id AS agency_id, '{{"id":' || {_s(_AGENCY_ID)} || ',"name":' || {_s("ag.name")}
               || ',"identifier":{{"scheme":"{AGENCY_SCHEME}","id":' || {_s("ag.code")}
               || ',"legalName":' || {_s("ag.name")} || '}},"roles":['
               || string_agg('"' || {_case("r.role", PARTY_ROLES)} || '"', ',' ORDER BY r.role)
               || '],"localRoles":[' || string_agg('"' || r.role || '"', ',' ORDER BY r.role)
               || '],"governmentLevel":' || {_s("ag.level")}
               || CASE WHEN p.id IS NOT NULL THEN ',"predecessor":{{"id":'
                       || {_s(f"'{AGENCY_SCHEME}-' || p.code")} || ',"name":' || {_s("p.name")} || '}}'
                  ELSE '' END
               || '}}' AS party
          FROM (
            SELECT wa.work_id, wa.agency_id, wa.role FROM works_map_workagency wa
             WHERE wa.work_id IN ({{ids}})
             ORDER BY wa.work_id, wa.agency_id, wa.role
          ) r
          JOIN works_map_agency ag ON ag.id = r.agency_id
          LEFT JOIN works_map_agency p ON p.id = ag.predecessor_id
         GROUP BY r.work_id, ag.id, p.id
    ) x
    GROUP BY x.work_id
) ag ON ag.work_id = w.id
LEFT JOIN (
    SELECT DISTINCT ON (wa.work_id) wa.work_id,
           '{{"id":' || {_s(_AGENCY_ID)} || ',"name":' || {_s("ag.name")} || '}}' AS authority
      FROM works_map_workagency wa JOIN works_map_agency ag ON ag.id = wa.agency_id
     WHERE wa.role = 'EJECUTORA' AND wa.work_id IN ({{ids}})
     ORDER BY wa.work_id, ag.code
) au ON au.work_id = w.id
LEFT JOIN (
    SELECT r.work_id,
           '[{{"id":"physicalProgress","title":"Avance físico","observations":['
           || string_agg({_observation("physical_pct")}, ',' ORDER BY r.reported_on, r.id)
           || ']}},{{"id":"financialProgress","title":"Avance financiero","observations":['
           || string_agg({_observation("financial_pct")}, ',' ORDER BY r.reported_on, r.id)
           || ']}}]' AS metrics
      FROM (
        SELECT r.work_id, r.id, r.reported_on, {_day("r.reported_on")} AS day, r.physical_pct,
               r.financial_pct
          FROM works_map_progressreport r
         WHERE r.state = 'APPROVED' AND r.work_id IN ({{ids}})
         ORDER BY r.work_id, r.reported_on, r.id
      ) r
     GROUP BY r.work_id
) pr ON pr.work_id = w.id
WHERE w.id IN ({{ids}})
"""  # noqa: S608 - built from this module's constants; user input arrives only as bind parameters

# Projects per fetch: about 5 kB each, so a batch (fetched rows, joined text, bytes) stays near 15 MB.
FETCH_ROWS = 1000


def project_id(folio: str, fiscal_year: int) -> str:
    """Stable across exports and edits: the registered prefix, the folio and its fiscal year."""
    return f"{settings.OC4IDS_PREFIX}-{folio}-{fiscal_year}"


def _datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def status_titles() -> dict[str, str]:
    """Each status's label in the active language, translated once per export, not once per work."""
    return {code: str(label) for code, label in WorkStatus.choices}


def projects_json(works) -> Iterator[list[str]]:
    """Batches of projects (JSON texts) of the works of `works` (a queryset)."""
    sql, params = with_ids(PROJECTS_SQL, works)
    titles = json.dumps(status_titles(), ensure_ascii=False)
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        with connection.cursor() as setup:
            setup.execute(NO_JIT)
        cursor.execute(sql, (settings.OC4IDS_PREFIX, titles, *params))
        while rows := cursor.fetchmany(FETCH_ROWS):
            yield [row[0] for row in rows]


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
    for batch in projects_json(works):
        chunk = ",\n".join(batch).encode()
        yield chunk if first else b",\n" + chunk
        first = False
    yield b"\n]}\n"
