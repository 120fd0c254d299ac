"""Named actors and named places shared by the whole suite (no factory library).

Places are small rectangles at the real location of each municipio, so tests can reason about
which tile, zone or bbox a feature falls in without loading the full INEGI boundaries.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon

SHARED_DATA = Path(os.environ.get("GTO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def box(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (set GTO_SHARED_DATA)")
    return SHARED_DATA


# --- places ----------------------------------------------------------------------------------------


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


# --- actors ----------------------------------------------------------------------------------------


@pytest.fixture
def admin_user(db, django_user_model):
    """The administrator: sees and changes everything."""
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "una-clave-larga-123")
