"""The named places of the whole suite: municipios, zones, catalogues, works and households, each
with why it exists (no factory library).

Loaded for every test by `pytest_plugins` in tests/conftest.py. Invented places are small rectangles
at the real location of each municipio, so tests can reason about which tile, zone or bbox a feature
falls in without loading the full INEGI boundaries; "the real map" at the end loads the public files
of the shared data directory instead. The `make_*` helpers build more places of the same kinds.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon


def box(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


# --- municipios and zones --------------------------------------------------------------------------


@pytest.fixture
def leon(db):
    """León (11020): the big urban municipio, west of the state."""
    from priority_zones.models import Municipio

    return Municipio.objects.create(
        cvegeo="11020",
        name="León",
        population_2020=1721215,
        frame_version="TEST",
        geom=box(-101.8, 21.0, -101.5, 21.3),
    )


@pytest.fixture
def xichu(db):
    """Xichú (11045): a rural ZAP municipio in the Sierra Gorda, north-east."""
    from priority_zones.models import Municipio

    return Municipio.objects.create(
        cvegeo="11045",
        name="Xichú",
        population_2020=11143,
        frame_version="TEST",
        geom=box(-100.2, 21.2, -99.9, 21.4),
    )


@pytest.fixture
def dof_zap_2026(db):
    """The DOF decree declaring the 2026 ZAP (21-nov-2025)."""
    from priority_zones.models import SourceDocument

    return SourceDocument.objects.create(
        kind="DOF",
        title="Declaratoria de las Zonas de Atención Prioritaria para el año 2026",
        reference="DOF 5773718",
        published_on=dt.date(2025, 11, 21),
        url="https://dof.gob.mx/nota_detalle.php?codigo=5773718&fecha=21/11/2025",
    )


@pytest.fixture
def zap_xichu_2026(xichu, dof_zap_2026):
    """Xichú declared rural ZAP for fiscal year 2026: the whole municipio."""
    from priority_zones.models import Zone

    return Zone.objects.create(
        kind="ZAP_RURAL",
        fiscal_year=2026,
        cvegeo="11045",
        name="Xichú",
        municipio=xichu,
        geom=xichu.geom,
        source=dof_zap_2026,
        status="PUBLISHED",
    )


def make_zone(municipio, *, name: str, published: bool):
    """A small drawn zone (draft or published) near the south-west corner of `municipio`, fiscal 2026."""
    from priority_zones.actions import do_create_zone

    x0, y0, x1, y1 = municipio.geom.extent
    return do_create_zone(
        kind="DRAWN",
        fiscal_year=2026,
        name=name,
        municipio=municipio,
        geom=box(x0 + 0.05, y0 + 0.05, x0 + 0.1, y0 + 0.1),
        status="PUBLISHED" if published else "DRAFT",
    )


# --- catalogues ------------------------------------------------------------------------------------


@pytest.fixture
def water_category(db):
    """Agua potable: a FAIS rubro of direct incidence on servicios básicos."""
    from works_map.models import Category

    rubro = Category.objects.create(code="AGUA", name="Agua potable", level="RUBRO")
    return Category.objects.create(
        code="AGUA.RED",
        name="Red de agua potable",
        level="TEMA",
        parent=rubro,
        fais_incidence="DIRECTA",
        carencia="SERVICIOS_BASICOS",
    )


@pytest.fixture
def fismdf(db):
    """FAIS municipal fund: etiquetado federal money (CONAC 25)."""
    from works_map.models import FundingSource

    return FundingSource.objects.create(
        code="FAIS-FISMDF",
        conac_code="25",
        name="FAIS municipal",
        level="FEDERAL",
        earmarked=True,
        ramo="33",
        fund="FAIS-FISMDF",
        is_fais=True,
    )


@pytest.fixture
def sop(db):
    """Secretaría de Obra Pública, successor of SICOM."""
    from works_map.models import Agency

    sicom = Agency.objects.create(
        code="GTO-SICOM",
        acronym="SICOM",
        name="Secretaría de Infraestructura, Conectividad y Movilidad",
        level="ESTATAL",
        valid_to=dt.date(2024, 9, 25),
    )
    return Agency.objects.create(
        code="GTO-SOP",
        acronym="SOP",
        name="Secretaría de Obra Pública",
        level="ESTATAL",
        predecessor=sicom,
        valid_from=dt.date(2024, 9, 26),
    )


@pytest.fixture
def poverty_lines(db):
    """The income lines of DOMAIN.md §3.2: Aug 2020, Jul 2025 and Dec 2025, urban and rural."""
    from priority_zones.models import PovertyLine

    rows = [
        (dt.date(2020, 8, 1), "U", "1544.07", "3325.40"),
        (dt.date(2020, 8, 1), "R", "1164.75", "2316.57"),
        (dt.date(2025, 7, 1), "U", "2453.34", "4718.55"),
        (dt.date(2025, 7, 1), "R", "1856.91", "3396.71"),
        (dt.date(2025, 12, 1), "U", "2467.15", "4818.14"),
        (dt.date(2025, 12, 1), "R", "1854.39", "3451.13"),
    ]
    return {
        (d, a): PovertyLine.objects.create(
            reference_date=d, ambito=a, extreme=Decimal(e), poverty=Decimal(p), source="INEGI (test)"
        )
        for d, a, e, p in rows
    }


# --- works -----------------------------------------------------------------------------------------


@pytest.fixture
def work_well_xichu(xichu, water_category, fismdf, sop):
    """A point work: a water network in Xichú, 2026, FISMDF-funded, executed by SOP, 40% done."""
    from works_map.actions import do_create_work

    return do_create_work(
        folio="XIC-2026-001",
        fiscal_year=2026,
        name="Red de agua potable en Xichú",
        category=water_category,
        geom=Point(-100.05, 21.3, srid=4326),
        municipio=xichu,
        status="EN_EJECUCION",
        amount_approved=Decimal("2500000.00"),
        amount_exercised=Decimal("1000000.00"),
        physical_progress=Decimal("40"),
        funding=[(fismdf, {"amount_approved": Decimal("2500000.00")})],
        agencies=[(sop, "EJECUTORA")],
    )


@pytest.fixture
def work_road_leon(leon, water_category):
    """A line work in León (a pipeline along a street), 2025, finished."""
    from works_map.actions import do_create_work

    return do_create_work(
        folio="LEO-2025-010",
        fiscal_year=2025,
        name="Línea de conducción en León",
        category=water_category,
        geom=LineString((-101.7, 21.1), (-101.6, 21.15), srid=4326),
        municipio=leon,
        status="TERMINADA",
        amount_approved=Decimal("800000.00"),
    )


@pytest.fixture
def works_cluster_xichu(work_well_xichu, xichu, water_category):
    """Three more works a few hundred metres from the well in Xichú: one cluster at low zoom."""
    from works_map.actions import do_create_work

    made = [work_well_xichu]
    for i, status in enumerate(("TERMINADA", "EN_EJECUCION", "PLANEACION"), start=2):
        made.append(
            do_create_work(
                folio=f"XIC-2026-00{i}",
                fiscal_year=2026,
                name=f"Obra {i} en Xichú",
                category=water_category,
                geom=Point(-100.05 + i * 0.001, 21.3 + i * 0.001, srid=4326),
                municipio=xichu,
                status=status,
                amount_approved=Decimal("100000.00"),
            )
        )
    return made


@pytest.fixture
def unpublished_work_leon(leon, water_category):
    """A draft work in León that no public tile may show."""
    from works_map.actions import do_create_work

    return do_create_work(
        folio="LEO-2026-999",
        fiscal_year=2026,
        name="Obra no publicada",
        category=water_category,
        geom=Point(-101.65, 21.2, srid=4326),
        municipio=leon,
        published=False,
    )


def make_work(
    municipio, category, *, folio: str, published: bool, point: tuple[float, float], fiscal_year: int = 2026
):
    """A point work in execution at `point`, fiscal 2026 unless said, with its own folio (draft or
    published)."""
    from works_map.actions import do_create_work

    return do_create_work(
        folio=folio,
        fiscal_year=fiscal_year,
        name=f"Obra {folio}",
        category=category,
        geom=Point(*point, srid=4326),
        municipio=municipio,
        status="EN_EJECUCION",
        amount_approved=Decimal("100000.00"),
        published=published,
    )


def make_report(work, author):
    """A pending progress report on `work` (55% physical, 40% financial) recorded by `author`."""
    from works_map.actions import do_record_progress

    return do_record_progress(
        work,
        reported_on=dt.date(2026, 3, 1),
        physical_pct=Decimal("55"),
        financial_pct=Decimal("40"),
        acting_user=author,
    )


# --- households ------------------------------------------------------------------------------------

# A head of household with completed schooling, IMSS and a formal job: no carencia of his own.
HEAD_WITH_IMSS = {
    "number": 1,
    "relationship": "JEFE",
    "sex": "H",
    "age": 45,
    "education_level": "SECUNDARIA",
    "education_completed": True,
    "attends_school": False,
    "health_affiliations": ["IMSS"],
    "works": True,
    "job_type": "SUBORDINADO",
    "has_medical_benefit": True,
    "has_sick_leave": True,
    "has_retirement_savings": True,
    "is_pensioner": False,
    "monthly_income": Decimal("12000"),
}
# A dwelling with every service and no crowding: no carencia of the dwelling.
GOOD_DWELLING = {
    "floor": "CEMENTO",
    "roof": "LOSA",
    "wall": "TABIQUE",
    "rooms": 3,
    "residents": 1,
    "water": "DENTRO",
    "drainage": "RED_PUBLICA",
    "electricity": "RED",
    "cooking_fuel": "GAS",
    "food_security": {f"a{i}": False for i in range(1, 7)},
}


_household_folios = itertools.count(1)


def make_household(municipio, lon, lat, persons=(HEAD_WITH_IMSS,), **fields):
    """A consented household at (lon, lat) with the given persons (dicts of Person fields)."""
    from priority_zones.models import Household, Person

    values = {
        "folio": f"T-{next(_household_folios):06d}",
        "survey_date": dt.date(2026, 3, 1),
        "location": Point(lon, lat, srid=4326),
        "municipio": municipio,
        "ambito": "U",
        "consent": True,
        **GOOD_DWELLING,
    }
    values.update(fields)
    household = Household.objects.create(**values)
    Person.objects.bulk_create(Person(household=household, **p) for p in persons)
    return household


@pytest.fixture
def household_xichu(xichu, poverty_lines):
    """One well-off urban household in Xichú, surveyed March 2026: no carencias, not poor."""
    return make_household(xichu, -100.05, 21.3)


# The tile tests' households: twelve diagnosed in one spot and five alone, all in Xichú.
CLUSTER = (-100.05, 21.30)  # twelve households within a few metres, in Xichú
LONELY = (-100.15, 21.38)  # five households more than 10 km away: never enough for a unit
_diagnosed_folios = itertools.count(1)


def diagnosed_household(municipio, lon, lat, **diagnosis):
    """A consented rural household with only a Diagnostic row (the tile tests need no persons)."""
    from priority_zones.models import Diagnostic, Household

    household = Household.objects.create(
        folio=f"TL-{next(_diagnosed_folios):05d}",
        survey_date=dt.date(2026, 3, 1),
        location=Point(lon, lat, srid=4326),
        municipio=municipio,
        ambito="R",
        consent=True,
    )
    Diagnostic.objects.create(
        household=household,
        methodology_version="TEST",
        poverty_class=diagnosis.pop("poverty_class", "NO_POBRE"),
        **diagnosis,
    )
    return household


@pytest.fixture
def households_xichu(xichu):
    """Twelve diagnosed households in one spot (4 lack basic services, 1 lacks food) and five alone."""
    from priority_zones.actions import refresh_disclosure_units

    made = []
    for i in range(12):
        made.append(
            diagnosed_household(
                xichu,
                CLUSTER[0] + i * 0.00001,
                CLUSTER[1],
                servicios_basicos=i < 4,
                alimentacion=i == 0,
                poverty_class="POBREZA_MODERADA" if i < 6 else "NO_POBRE",
            )
        )
    for i in range(5):
        made.append(diagnosed_household(xichu, LONELY[0] + i * 0.00001, LONELY[1], servicios_basicos=True))
    refresh_disclosure_units()
    return made


# --- the real map: public files of the shared data directory ----------------------------------------


@pytest.fixture
def inegi_municipios(db, shared_data):
    """The 46 INEGI municipios (MG 2025) with Censo 2020 population: the real map of the state."""
    from priority_zones.models import Municipio

    population = {
        f["properties"]["cvegeo"]: int(f["properties"]["pob"])
        for f in json.loads((shared_data / "gto_municipios_censo2020_mg2024.geojson").read_text())["features"]
    }
    rows = []
    for feature in json.loads((shared_data / "gto_municipios_mg2025.geojson").read_text())["features"]:
        geom = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        if geom.geom_type == "Polygon":
            geom = MultiPolygon(geom, srid=4326)
        code = feature["properties"]["cve_geo"]
        rows.append(
            Municipio(
                cvegeo=code,
                name=feature["properties"]["nom_mun"],
                population_2020=population[code],
                frame_version="MG2025",
                geom=geom,
            )
        )
    Municipio.objects.bulk_create(rows)
    return {m.cvegeo: m for m in Municipio.objects.all()}


@pytest.fixture
def zap_rural_2026_real(inegi_municipios, dof_zap_2026, shared_data):
    """The 30 Guanajuato municipios declared rural ZAP for 2026 (DOF 21-nov-2025), as zones."""
    from priority_zones.models import Zone

    with (shared_data / "zap_rural_2026_guanajuato.csv").open(encoding="utf-8") as fh:
        codes = [row["cvegeo_mun"] for row in csv.DictReader(fh)]
    zones = [
        Zone(
            kind="ZAP_RURAL",
            fiscal_year=2026,
            cvegeo=code,
            name=inegi_municipios[code].name,
            municipio=inegi_municipios[code],
            geom=inegi_municipios[code].geom,
            source=dof_zap_2026,
            status="PUBLISHED",
        )
        for code in codes
    ]
    Zone.objects.bulk_create(zones)
    return list(Zone.objects.filter(kind="ZAP_RURAL", fiscal_year=2026))


@pytest.fixture
def federal_ppi_category(db):
    """A catch-all category for federal PPI projects (SHCP does not classify them like FAIS)."""
    from works_map.models import Category

    return Category.objects.create(
        code="PPI_FEDERAL", name="Programa o proyecto de inversión federal", level="RUBRO"
    )


@pytest.fixture
def shcp_import(inegi_municipios, shared_data):
    """The SHCP investment projects with coordinates, through the importer (4 broken rows refused)."""
    from gis_core.importers import read_points
    from priority_zones.models import Municipio

    def locate(point):
        return Municipio.objects.containing(point).values_list("cvegeo", flat=True).first()

    return read_points(
        shared_data / "opa_ppi_guanajuato_puntos_2015_2019_2021.geojson",
        key_field="CVE_CARTERA",
        locate=locate,
        amount_fields=("APROBADO", "EJERCIDO"),
        period_field="ANIO_ARCHIVO",
    )


@pytest.fixture
def shcp_works(shcp_import, inegi_municipios, federal_ppi_category):
    """One published work per kept SHCP row, in its containing municipio, fiscal year = file year."""
    from works_map.actions import do_create_work

    works = []
    for row in shcp_import.kept:
        p = row.properties
        progress = Decimal(str(p.get("AVANCE_FISICO") or 0))
        works.append(
            do_create_work(
                folio=row.key[:40],
                fiscal_year=int(p["ANIO_ARCHIVO"]),
                name=(p.get("NOMBRE_PPI") or row.key)[:300],
                category=federal_ppi_category,
                geom=row.point,
                municipio=inegi_municipios[row.location],
                status="EN_EJECUCION",
                amount_approved=p["APROBADO"] or Decimal("0"),
                amount_exercised=p["EJERCIDO"] or Decimal("0"),
                physical_progress=min(max(progress, Decimal("0")), Decimal("100")),
            )
        )
    return works
