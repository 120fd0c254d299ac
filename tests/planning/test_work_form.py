"""The planner's work form through HTTP on PostGIS: every field of a register, any geometry type, the
municipio and localidad read from the geometry, progress recorded as a report, refusals on the form."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.urls import reverse

from tests.places import box
from tests.planning.conftest import work_payload

LEON_POINT = (-101.65, 21.15)


@pytest.fixture
def leon_centro(db, leon):
    """A localidad polygon loaded inside León, so a work drawn in it is placed in it."""
    from priority_zones.models import Localidad

    return Localidad.objects.create(
        cvegeo="110200001",
        municipio=leon,
        name="León de los Aldama",
        ambito="U",
        frame_version="TEST",
        geom=box(-101.70, 21.10, -101.60, 21.20),
    )


def full_payload(municipio, category, agency, **overrides) -> dict:
    """Every field a register has, filled in."""
    data = work_payload(municipio, category)
    data.update(
        folio="LEON-2026-0042",
        name="Red de agua potable en San Juan de Abajo",
        description="Sustitución de 1.2 km de tubería de asbesto.",
        kind="OBRA",
        status="EN_EJECUCION",
        modality="REHABILITACION",
        execution_mode="ADMINISTRACION_DIRECTA",
        amount_approved="1200000.00",
        amount_modified="1250000.50",
        amount_exercised="600000.00",
        amount_paid="450000.25",
        executing_agency=agency.pk,
        planned_start="2026-02-01",
        planned_end="2026-08-31",
        actual_start="2026-02-15",
        actual_end="",
        goal_quantity="1.2",
        goal_unit="km",
        beneficiaries="900",
        beneficiaries_women="470",
        beneficiaries_men="430",
        beneficiary_unit="PERSONAS",
        address="Calle Hidalgo s/n, San Juan de Abajo",
        published="on",
        geom=LineString((-101.66, 21.15), (-101.65, 21.152), (-101.64, 21.151), srid=4326).geojson,
    )
    data.update(overrides)
    return data


def test_a_planner_creates_a_work_with_every_field_and_a_line(
    client, planner_leon, leon, leon_centro, water_category, sop
):
    from works_map.models import Work

    client.force_login(planner_leon)
    response = client.post(reverse("planning:work-create"), full_payload(leon, water_category, sop))
    assert response.status_code == 302, response.content.decode()[:2000]
    work = Work.objects.get(folio="LEON-2026-0042")
    assert response["Location"] == reverse("planning:work-edit", args=[work.pk])
    assert work.geom.geom_type == "LineString" and work.geom.num_points == 3
    assert (work.municipio, work.localidad) == (leon, leon_centro)
    assert (work.kind, work.status, work.modality, work.execution_mode) == (
        "OBRA",
        "EN_EJECUCION",
        "REHABILITACION",
        "ADMINISTRACION_DIRECTA",
    )
    assert (work.amount_approved, work.amount_modified, work.amount_exercised, work.amount_paid) == (
        Decimal("1200000.00"),
        Decimal("1250000.50"),
        Decimal("600000.00"),
        Decimal("450000.25"),
    )
    assert (work.planned_start, work.planned_end, work.actual_start, work.actual_end) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 8, 31),
        dt.date(2026, 2, 15),
        None,
    )
    assert (work.beneficiaries, work.beneficiaries_women, work.beneficiaries_men) == (900, 470, 430)
    assert (work.goal_quantity, work.goal_unit, work.address) == (
        Decimal("1.20"),
        "km",
        "Calle Hidalgo s/n, San Juan de Abajo",
    )
    assert work.description.startswith("Sustitución") and work.published
    assert {(a.agency.acronym, a.role) for a in work.agency_roles.all()} == {("SOP", "EJECUTORA")}


def test_the_edit_page_shows_every_field_with_spanish_labels_and_the_stored_values(
    client, planner_leon, leon, water_category, sop
):
    from works_map.actions import do_create_work

    work = do_create_work(
        folio="LEON-1",
        fiscal_year=2026,
        name="Pozo",
        category=water_category,
        geom=Point(*LEON_POINT, srid=4326),
        municipio=leon,
        amount_modified=Decimal("10.5"),
        agencies=[(sop, "EJECUTORA")],
    )
    client.force_login(planner_leon)
    text = client.get(reverse("planning:work-edit", args=[work.pk])).content.decode()
    for label in (
        "Folio",
        "Ejercicio fiscal",
        "Descripción",
        "Modalidad de ejecución",
        "Monto modificado ($)",
        "Monto pagado ($)",
        "Dependencia ejecutora",
        "Inicio programado",
        "Término real",
        "Beneficiarios (total)",
        "Mujeres",
        "Hombres",
        "Domicilio",
        "Avance físico (%)",
        "Editar como GeoJSON",
    ):
        assert f">{label}" in text, label
    # No label shows a field's code name.
    for code in ("amount_paid", "execution_mode", "beneficiaries_women", "planned_start"):
        assert f">{code}<" not in text
    assert 'value="10.50"' in text
    assert f'<option value="{sop.pk}" selected>' in text
    assert "León" in text  # the municipio read from the geometry


def test_a_polygon_work_is_saved_and_edited_keeping_its_other_agencies(
    client, planner_leon, leon, water_category, sop
):
    from works_map.models import Agency, Work

    sdayr = Agency.objects.create(
        code="GTO-SDAYR",
        acronym="SDAYR",
        name="Secretaría del Campo",
        level="ESTATAL",
        valid_from=dt.date(2020, 1, 1),
    )
    square = Polygon.from_bbox((-101.66, 21.14, -101.65, 21.15))
    square.srid = 4326
    client.force_login(planner_leon)
    payload = full_payload(leon, water_category, sop, geom=square.geojson)
    payload.update(
        {
            "agencies-TOTAL_FORMS": "1",
            "agencies-INITIAL_FORMS": "0",
            "agencies-0-agency": sdayr.pk,
            "agencies-0-role": "SOLICITANTE",
        }
    )
    assert client.post(reverse("planning:work-create"), payload).status_code == 302
    work = Work.objects.get(folio="LEON-2026-0042")
    assert work.geom.geom_type == "Polygon"
    # An edit of the work's fields alone (no formset) changes the executing agency, keeps the other roles.
    edit = full_payload(
        leon, water_category, sop, geom=square.geojson, executing_agency=sdayr.pk, name="Parque"
    )
    assert client.post(reverse("planning:work-edit", args=[work.pk]), edit).status_code == 302
    work.refresh_from_db()
    assert work.name == "Parque"
    assert {(a.agency.acronym, a.role) for a in work.agency_roles.all()} == {
        ("SDAYR", "EJECUTORA"),
        ("SDAYR", "SOLICITANTE"),
    }


@pytest.mark.parametrize(
    ("geom", "message"),
    [
        ("not geojson", "no es GeoJSON ni WKT"),
        (
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-101.66, 21.14],
                            [-101.64, 21.16],
                            [-101.64, 21.14],
                            [-101.66, 21.16],
                            [-101.66, 21.14],
                        ]
                    ],
                }
            ),
            "Geometría inválida",
        ),
        (Point(-99.1, 19.4, srid=4326).geojson, "fuera de Guanajuato"),
        (Point(-100.9, 20.6, srid=4326).geojson, "ningún municipio"),
    ],
    ids=["unreadable", "self-intersecting", "outside-the-state", "in-no-loaded-municipio"],
)
def test_a_bad_geometry_is_refused_next_to_the_field_and_in_the_summary(
    client, planner_leon, leon, water_category, sop, geom, message
):
    from works_map.models import Work

    client.force_login(planner_leon)
    response = client.post(
        reverse("planning:work-create"), full_payload(leon, water_category, sop, geom=geom)
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert message in text
    assert 'id="error-summary"' in text and 'href="#id_geom"' in text
    assert 'id="id_geom_error"' in text and 'aria-invalid="true"' in text
    assert '<details class="geojson" open>' in text
    assert not Work.objects.exists()


def test_other_field_errors_are_named_in_the_summary(client, planner_leon, leon, water_category, sop):
    client.force_login(planner_leon)
    payload = full_payload(
        leon, water_category, sop, beneficiaries="10", amount_paid="-5", progress_physical="40"
    )
    text = client.post(reverse("planning:work-create"), payload).content.decode()
    assert "No se guardó: revise 3 problemas." in text
    assert 'href="#id_beneficiaries"' in text and "no pueden sumar más que el total" in text
    assert 'href="#id_amount_paid"' in text
    assert 'href="#id_progress_financial"' in text


def test_a_geometry_outside_the_planners_scope_is_refused(
    client, planner_leon, leon, xichu, water_category, sop
):
    from works_map.models import Work

    client.force_login(planner_leon)
    payload = full_payload(leon, water_category, sop, geom=Point(-100.05, 21.3, srid=4326).geojson)
    response = client.post(reverse("planning:work-create"), payload)
    assert response.status_code == 403
    assert not Work.objects.exists()


def test_progress_from_the_form_is_a_pending_report_for_a_planner(
    client, planner_leon, leon, water_category, sop
):
    from works_map.models import ProgressReport, Work

    client.force_login(planner_leon)
    payload = full_payload(leon, water_category, sop, progress_physical="35", progress_financial="20")
    assert client.post(reverse("planning:work-create"), payload).status_code == 302
    work = Work.objects.get(folio="LEON-2026-0042")
    report = ProgressReport.objects.get(work=work)
    assert (report.physical_pct, report.financial_pct, report.state, report.reported_on) == (
        Decimal("35"),
        Decimal("20"),
        "PENDING",
        dt.date.today(),
    )
    assert (work.physical_progress, work.financial_progress) == (Decimal(0), Decimal(0))


def test_progress_from_the_form_is_approved_when_the_role_may_approve(
    client, admin_user, leon, water_category, sop
):
    from works_map.models import ProgressReport, Work

    client.force_login(admin_user)
    payload = full_payload(
        leon, water_category, sop, progress_on="2026-03-01", progress_physical="35", progress_financial="20"
    )
    assert client.post(reverse("planning:work-create"), payload).status_code == 302
    work = Work.objects.get(folio="LEON-2026-0042")
    assert ProgressReport.objects.get(work=work).state == "APPROVED"
    assert (work.physical_progress, work.financial_progress) == (Decimal("35.00"), Decimal("20.00"))


def test_the_place_endpoint_names_the_municipio_and_localidad_of_a_drawing(
    client, planner_leon, leon, leon_centro
):
    client.force_login(planner_leon)
    url = reverse("planning:place")
    answer = client.post(url, Point(*LEON_POINT, srid=4326).geojson, content_type="application/json").json()
    assert answer["municipio"]["cvegeo"] == "11020" and answer["localidad"]["name"] == "León de los Aldama"
    outside = client.post(
        url, Point(-101.75, 21.05, srid=4326).geojson, content_type="application/json"
    ).json()
    assert outside["municipio"]["name"] == "León" and outside["localidad"] is None
    bad = client.post(url, "{", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["parameter"] == "geometry"


def test_the_place_endpoint_is_for_staff_only(client, django_user_model):
    citizen = django_user_model.objects.create_user("ciudadana", password="x")
    client.force_login(citizen)
    assert client.post(reverse("planning:place"), "{}", content_type="application/json").status_code == 403


def test_the_versions_page_shows_labels_and_names_not_codes(client, planner_leon, leon, water_category, sop):
    from works_map.models import Work

    client.force_login(planner_leon)
    client.post(reverse("planning:work-create"), full_payload(leon, water_category, sop))
    work = Work.objects.get(folio="LEON-2026-0042")
    text = client.get(reverse("planning:versions", args=["work", work.pk])).content.decode()
    assert "Por administración directa" in text and "ADMINISTRACION_DIRECTA" not in text
    assert ">Sí<" in text and ">False<" not in text and ">True<" not in text
    assert "León (11020)" in text and ">Modalidad de ejecución<" in text
