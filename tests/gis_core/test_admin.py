"""The admin: every model has a page, maps load from our own static files, bad input is a form error."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from gis_core.admin import GeoAdmin
from gis_core.widgets import ValidatedGeometryField
from priority_zones.models import Zone
from works_map.models import ProgressReport, Work

PROJECT_APPS = ("priority_zones", "works_map", "layers")

# A bow-tie ring inside Xichú: the edges (0→1) and (2→3) cross at (-100.05, 21.3).
BOWTIE_WKT = "SRID=4326;POLYGON((-100.1 21.25, -100.0 21.35, -100.0 21.25, -100.1 21.35, -100.1 21.25))"


def admin_models():
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.managed and model._meta.label != "works_map.WorkZone":  # kept by triggers only
                yield model


def url_for(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def zone_form(zone: Zone | None = None, **overrides) -> dict:
    """The POST an editor sends for a zone (the map widget fills `geom`)."""
    data = {
        "kind": "DRAWN",
        "fiscal_year": "2026",
        "status": "DRAFT",
        "name": "Zona trazada de prueba",
        "cvegeo": "",
        "municipio": "",
        "source": "",
        "geom": MultiPolygon(Polygon.from_bbox((-100.1, 21.25, -100.0, 21.35)), srid=4326).ewkt,
        "population": "",
    }
    if zone is not None:
        data.update(
            kind=zone.kind,
            fiscal_year=str(zone.fiscal_year),
            status=zone.status,
            name=zone.name,
            cvegeo=zone.cvegeo or "",
            municipio=str(zone.municipio_id or ""),
            source=str(zone.source_id or ""),
            geom=zone.geom.ewkt,
        )
    data.update(overrides)
    return data


def form_errors(response) -> list[str]:
    form = response.context["adminform"].form
    return [str(message) for messages in form.errors.values() for message in messages]


@pytest.fixture
def staff_client(client, django_user_model):
    """A logged-in staff user with view/change on zones but no access to household data."""
    user = django_user_model.objects.create_user("editor", "editor@example.org", "otra-clave-larga-456")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="priority_zones",
            codename__in=["view_zone", "change_zone", "view_household", "change_household"],
        )
    )
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def one_of_everything(zap_xichu_2026, work_well_xichu, xichu, admin_user):
    """A row in every admin table, so that every change page is rendered at least once."""
    import datetime as dt

    from django.contrib.gis.geos import Point

    from gis_core.models import LayerVersion
    from layers.models import RasterLayer
    from priority_zones.models import (
        AccessLog,
        Ageb,
        Diagnostic,
        Household,
        Localidad,
        MunicipalPoverty,
        Person,
        PovertyLine,
    )
    from works_map.actions import do_record_progress
    from works_map.models import Committee, FaisRule, PublicArea, UserScope

    localidad = Localidad.objects.create(
        cvegeo="110450001",
        municipio=xichu,
        name="Xichú",
        ambito="R",
        frame_version="TEST",
        point=Point(-100.05, 21.3, srid=4326),
    )
    Ageb.objects.create(
        cvegeo="110450001001A",
        municipio=xichu,
        localidad=localidad,
        ambito="U",
        frame_version="TEST",
        geom=MultiPolygon(Polygon.from_bbox((-100.06, 21.29, -100.05, 21.3)), srid=4326),
    )
    committee = Committee.objects.create(
        kind="DE_OBRA", name="Comité del pozo", constituted_on=dt.date(2026, 1, 10), members_count=7
    )
    committee.works.add(work_well_xichu)
    household = Household.objects.create(
        folio="XIC-H-0001",
        survey_date=dt.date(2026, 2, 1),
        location=Point(-100.05, 21.3, srid=4326),
        municipio=xichu,
        localidad=localidad,
        ambito="R",
        consent=True,
        residents=3,
        rooms=2,
    )
    Person.objects.create(household=household, number=1, relationship="JEFE", sex="M", age=41)
    Diagnostic.objects.create(
        household=household, version=1, methodology_version="CONEVAL-2020", poverty_class="INDETERMINADO"
    )
    MunicipalPoverty.objects.create(municipio=xichu, year=2020, population_in_poverty=8000, source="CONEVAL")
    PublicArea.objects.create(code="abcdefgh", digest="0" * 64, geom=xichu.geom, area_km2=1.0)
    PovertyLine.objects.create(
        reference_date=dt.date(2026, 1, 1),
        ambito="R",
        extreme=Decimal("1800"),
        poverty=Decimal("3400"),
        source="CONEVAL",
    )
    do_record_progress(
        work_well_xichu, reported_on=dt.date(2026, 2, 1), physical_pct=Decimal(45), financial_pct=Decimal(40)
    )
    UserScope.objects.create(user=admin_user, note="Todo el estado")
    AccessLog.objects.create(user=admin_user, action="LIST", purpose="Prueba del admin")
    LayerVersion.objects.bump("zones")
    FaisRule.objects.create(
        year_from=2090,
        min_direct_pct=Decimal(40),
        max_complementary_pct=Decimal(60),
        max_special_pct=Decimal(15),
        max_roads_pct=Decimal(15),
        source="Lineamientos de prueba",
    )
    RasterLayer.objects.create(
        name="poblacion",
        title="Población",
        source_name="pob.tif",
        cog_path="pob.tif",
        source_crs="EPSG:4326",
        west=-102.1,
        south=19.9,
        east=-99.6,
        north=21.9,
    )


def test_every_project_model_has_an_admin():
    missing = [m._meta.label for m in admin_models() if not admin.site.is_registered(m)]
    assert not missing, f"register these in the app's admin.py: {missing}"


@pytest.mark.parametrize("model", list(admin_models()), ids=lambda m: m._meta.label)
def test_the_changelist_add_change_and_search_pages_render_for_the_administrator(
    admin_client_, admin_user, rf, model, one_of_everything
):
    assert admin_client_.get(url_for(model, "changelist")).status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.search_fields:
        assert admin_client_.get(url_for(model, "changelist"), {"q": "Xichú"}).status_code == 200
    request = rf.get("/")
    request.user = admin_user
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert admin_client_.get(url_for(model, "add")).status_code == expected
    first = model.objects.first()
    assert first is not None, f"add a {model.__name__} to the one_of_everything fixture"
    assert admin_client_.get(url_for(model, "change", first.pk)).status_code == 200


GEO_ADMIN_MODELS = [
    model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, GeoAdmin)
]


@pytest.mark.parametrize("model", GEO_ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_unreadable_text_in_any_map_is_a_form_error_never_a_500(admin_client_, admin_user, rf, model):
    request = rf.get("/")
    request.user = admin_user
    form = admin.site._registry[model].get_form(request)()
    geometry_fields = [
        name for name, field in form.fields.items() if isinstance(field, ValidatedGeometryField)
    ]
    assert geometry_fields
    response = admin_client_.post(
        url_for(model, "add"), {name: "POLYGON((0 0, 1 1" for name in geometry_fields}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    for name in geometry_fields:
        assert errors[name] == [
            "Geometría ilegible: ParseException: Expected word but encountered end of stream"
        ]


def test_the_zone_map_loads_openlayers_from_our_static_files_and_never_a_cdn(admin_client_, zap_xichu_2026):
    page = admin_client_.get(url_for(Zone, "change", zap_xichu_2026.pk)).content.decode()
    assert "/static/vendor/ol/ol.js" in page
    assert "/static/vendor/ol/ol.css" in page
    for foreign in ("cdn.jsdelivr.net", "openstreetmap.org", "earthdata.nasa.gov", "ol.source.OSM"):
        assert foreign not in page


def test_the_zone_map_draws_the_municipio_outlines_under_the_zone(admin_client_, zap_xichu_2026, leon):
    response = admin_client_.get(url_for(Zone, "change", zap_xichu_2026.pk))
    script = response.content.decode().split('id="id_geom_outlines"', 1)[1]
    outlines = json.loads(script.split(">", 1)[1].split("</script>")[0])
    assert sorted(f["properties"]["name"] for f in outlines["features"]) == ["León", "Xichú"]


def test_the_basemap_is_the_configured_xyz_template(admin_client_, zap_xichu_2026, settings):
    settings.BASEMAP_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = admin_client_.get(url_for(Zone, "change", zap_xichu_2026.pk)).content.decode()
    assert '"https://tiles.example.org/{z}/{x}/{y}.png"' in page


def test_a_bow_tie_polygon_typed_into_the_map_is_a_form_error_naming_the_self_intersection(admin_client_, db):
    response = admin_client_.post(url_for(Zone, "add"), zone_form(geom=BOWTIE_WKT))
    assert response.status_code == 200
    errors = form_errors(response)
    assert any("Self-intersection" in e for e in errors), errors
    assert not Zone.objects.exists()


def test_an_unclosed_ring_is_a_form_error_with_the_geos_reason(admin_client_, db):
    response = admin_client_.post(
        url_for(Zone, "add"), zone_form(geom="SRID=4326;POLYGON((-100.1 21.25, -100.0 21.35, -100.0 21.25))")
    )
    assert response.status_code == 200
    assert any("closed linestring" in e for e in form_errors(response)), form_errors(response)


def test_geojson_from_the_widget_is_read_in_web_mercator(admin_client_, db):
    # What OpenLayers sends: GeoJSON in the map projection (EPSG:3857).
    square = Polygon.from_bbox((-100.1, 21.25, -100.0, 21.35))
    square.srid = 4326
    geojson = square.transform(3857, clone=True).json
    response = admin_client_.post(url_for(Zone, "add"), zone_form(geom=geojson))
    assert response.status_code == 302, form_errors(response)
    zone = Zone.objects.get()
    assert zone.geom.srid == 4326
    assert zone.geom.equals_exact(MultiPolygon(square, srid=4326), tolerance=1e-6)


def test_a_geometry_outside_guanajuato_is_a_form_error(admin_client_, db):
    response = admin_client_.post(
        url_for(Zone, "add"), zone_form(geom="SRID=4326;POLYGON((2 41, 2.1 41, 2.1 41.1, 2 41, 2 41))")
    )
    assert "La geometría queda fuera de Guanajuato." in form_errors(response)


def test_a_zone_saved_in_the_admin_goes_through_the_action(
    admin_client_, admin_user, db, django_capture_on_commit_callbacks
):
    from gis_core.models import LayerVersion

    before = LayerVersion.objects.current("zones")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(url_for(Zone, "add"), zone_form())
    assert response.status_code == 302
    zone = Zone.objects.get()
    assert zone.author == admin_user
    assert isinstance(zone.geom, MultiPolygon)
    assert LayerVersion.objects.current("zones") > before


def test_a_duplicate_official_zone_is_a_form_error_with_the_constraints_message(
    admin_client_, zap_xichu_2026
):
    response = admin_client_.post(url_for(Zone, "add"), zone_form(zap_xichu_2026))
    assert response.status_code == 200
    assert "Ya existe una zona de ese tipo, ejercicio y CVEGEO." in form_errors(response)


def test_a_refusal_only_the_database_sees_is_shown_on_the_form_not_a_500(
    admin_client_, zap_xichu_2026, monkeypatch
):
    # As if the constraint were not declared on the model (a trigger, a typmod, a new rule).
    monkeypatch.setattr(Zone, "validate_constraints", lambda self, exclude=None: None)
    response = admin_client_.post(url_for(Zone, "add"), zone_form(zap_xichu_2026, name="Repetida"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Ya existe una zona de ese tipo, ejercicio y CVEGEO."
    ]
    assert response.context["adminform"].form.data["name"] == "Repetida"
    assert Zone.objects.count() == 1


def test_the_work_page_shows_the_representative_point_read_only(admin_client_, work_well_xichu):
    response = admin_client_.get(url_for(Work, "change", work_well_xichu.pk))
    form = response.context["adminform"].form
    assert "point" not in form.fields
    assert "POINT (-100.05 21.3)" in response.content.decode()


def test_a_progress_report_added_under_a_work_is_recorded_pending(admin_client_, admin_user, work_well_xichu):
    page = admin_client_.get(url_for(Work, "change", work_well_xichu.pk))
    data = _post_data_of(page)
    prefix = "progress_reports"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-reported_on": "2026-03-01",
            f"{prefix}-0-physical_pct": "55",
            f"{prefix}-0-financial_pct": "50",
            f"{prefix}-0-note": "Avance de marzo",
        }
    )
    response = admin_client_.post(url_for(Work, "change", work_well_xichu.pk), data)
    assert response.status_code == 302, form_errors(response)
    report = ProgressReport.objects.get(work=work_well_xichu)
    assert (report.state, report.author, report.physical_pct) == ("PENDING", admin_user, Decimal("55"))
    work_well_xichu.refresh_from_db()
    assert work_well_xichu.physical_progress == Decimal("40")  # unchanged until approved


def test_approving_reports_from_the_list_updates_the_work(admin_client_, admin_user, work_well_xichu):
    from works_map.actions import do_record_progress

    report = do_record_progress(
        work_well_xichu, reported_on="2026-03-01", physical_pct=Decimal(60), financial_pct=Decimal(45)
    )
    response = admin_client_.post(
        url_for(ProgressReport, "changelist"), {"action": "approve_reports", "_selected_action": [report.pk]}
    )
    assert response.status_code == 302
    work_well_xichu.refresh_from_db()
    assert work_well_xichu.physical_progress == Decimal("60")
    report.refresh_from_db()
    assert (report.state, report.reviewer) == ("APPROVED", admin_user)


def _post_data_of(response) -> dict:
    """The POST body a browser would send back for an admin change form, inlines included."""
    data: dict = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = _as_post_value(field, value)
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        for key, value in fs.management_form.initial.items():
            data[f"{fs.prefix}-{key}"] = value
        for sub in fs.initial_forms:
            for name, field in sub.fields.items():
                data[sub.add_prefix(name)] = _as_post_value(field, sub.initial.get(name, field.initial))
    return {k: v for k, v in data.items() if v is not None}


def _as_post_value(field, value):
    from django.contrib.gis.geos import GEOSGeometry

    if isinstance(value, GEOSGeometry):
        return value.ewkt
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [getattr(v, "pk", v) for v in value]
    return "" if value is None else value


# --- household data is restricted ----------------------------------------------------------------


def test_staff_without_the_household_permission_do_not_see_households(staff_client):
    from priority_zones.models import Diagnostic, Household, Person

    index = staff_client.get(reverse("admin:index")).content.decode()
    assert url_for(Zone, "changelist") in index
    assert url_for(Household, "changelist") not in index
    for model in (Household, Person, Diagnostic):
        assert staff_client.get(url_for(model, "changelist")).status_code == 403


def test_the_household_permission_opens_households_but_diagnostics_stay_read_only(staff_client):
    from priority_zones.models import Diagnostic, Household
    from works_map.models import UserScope

    staff_client.user.user_permissions.add(Permission.objects.get(codename="view_household_data"))
    assert staff_client.get(url_for(Household, "changelist")).status_code == 403  # no scope yet (the gate)
    UserScope.objects.create(user=staff_client.user, note="Sin municipios")
    assert staff_client.get(url_for(Household, "changelist")).status_code == 200
    assert staff_client.get(url_for(Household, "add")).status_code == 403  # no add_household
    assert staff_client.get(url_for(Diagnostic, "changelist")).status_code == 200
    assert staff_client.get(url_for(Diagnostic, "add")).status_code == 403


def test_a_work_added_in_the_admin_goes_through_the_action_with_its_funding(
    admin_client_, xichu, water_category, fismdf, sop
):
    data = {
        "folio": "XIC-2026-050",
        "fiscal_year": "2026",
        "name": "Pozo profundo en Xichú",
        "description": "",
        "kind": "OBRA",
        "category": water_category.pk,
        "geom": "SRID=4326;LINESTRING(-100.06 21.30, -100.04 21.31)",
        "municipio": xichu.pk,
        "address": "",
        "status": "PROGRAMADA",
        "modality": "CONSTRUCCION",
        "execution_mode": "CONTRATO",
        "amount_approved": "1500000.00",
        "amount_exercised": "0",
        "amount_paid": "0",
        "beneficiary_unit": "PERSONAS",
        "published": "on",
        "funding-TOTAL_FORMS": "1",
        "funding-INITIAL_FORMS": "0",
        "funding-0-source": fismdf.pk,
        "funding-0-amount_approved": "1500000.00",
        "funding-0-amount_exercised": "0",
        "funding-0-amount_paid": "0",
        "agency_roles-TOTAL_FORMS": "1",
        "agency_roles-INITIAL_FORMS": "0",
        "agency_roles-0-agency": sop.pk,
        "agency_roles-0-role": "EJECUTORA",
        "progress_reports-TOTAL_FORMS": "0",
        "progress_reports-INITIAL_FORMS": "0",
    }
    response = admin_client_.post(url_for(Work, "add"), data)
    assert response.status_code == 302, form_errors(response)
    work = Work.objects.get(folio="XIC-2026-050")
    assert work.point is not None and work.geom.distance(work.point) < 1e-9  # the trigger ran
    assert work.funding.get().source == fismdf
    assert work.agencies.get() == sop


def test_a_work_outside_the_state_is_refused_by_the_admin_form(admin_client_, xichu, water_category):
    response = admin_client_.post(
        url_for(Work, "add"),
        {
            "folio": "X-1",
            "fiscal_year": "2026",
            "name": "Lejos",
            "geom": "SRID=4326;POINT(21.3 -100.05)",
            "funding-TOTAL_FORMS": "0",
            "funding-INITIAL_FORMS": "0",
            "agency_roles-TOTAL_FORMS": "0",
            "agency_roles-INITIAL_FORMS": "0",
            "progress_reports-TOTAL_FORMS": "0",
            "progress_reports-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["geom"] == [
        "Coordenadas con el orden de ejes invertido (lat, lon): use lon, lat."
    ]
