"""Real public data for the API tests: INEGI municipios, the 2026 rural ZAP, SHCP projects."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon


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


@pytest.fixture(autouse=True)
def api_urls(settings):
    """Route only /api/ and /ogc/ (see tests/api/urls.py)."""
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached summaries are keyed by layer versions, which restart with every test database state."""
    from django.core.cache import cache

    cache.clear()
