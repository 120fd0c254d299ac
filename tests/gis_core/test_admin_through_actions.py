"""The admin's saves, inlines and deletes, and the INEGI geography import, write through the actions:
each leaves a version in the change history and bumps its layer's tile version."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gis_core.models import LayerVersion, Version
from tests.gis_core.test_admin import _post_data_of


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def _versions(label: str, pk: int) -> list[str]:
    return list(
        Version.objects.filter(model=label, object_id=pk).order_by("number").values_list("change", flat=True)
    )


def test_changing_a_work_in_the_admin_records_a_version_and_bumps_the_works_layer(
    admin_client_, work_well_xichu, django_capture_on_commit_callbacks
):
    url = reverse("admin:works_map_work_change", args=[work_well_xichu.pk])
    data = _post_data_of(admin_client_.get(url))
    data["name"] = "Red de agua renombrada"
    before = LayerVersion.objects.current("works")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_.post(url, data).status_code == 302
    assert _versions("works_map.work", work_well_xichu.pk) == ["CREATE", "UPDATE"]
    assert LayerVersion.objects.current("works") > before


def test_a_funding_row_added_inline_goes_through_the_work_action(
    admin_client_, work_well_xichu, django_capture_on_commit_callbacks
):
    from works_map.models import FundingSource

    state = FundingSource.objects.create(
        code="EST-1", conac_code="11", name="Recursos estatales", level="ESTATAL"
    )
    url = reverse("admin:works_map_work_change", args=[work_well_xichu.pk])
    data = _post_data_of(admin_client_.get(url))
    n = int(data["funding-TOTAL_FORMS"])
    data.update(
        {
            "funding-TOTAL_FORMS": str(n + 1),
            f"funding-{n}-source": state.pk,
            f"funding-{n}-amount_approved": "1000.00",
            f"funding-{n}-amount_exercised": "0",
            f"funding-{n}-amount_paid": "0",
        }
    )
    before = LayerVersion.objects.current("works")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(url, data)
    assert response.status_code == 302
    assert work_well_xichu.funding.get(source=state).amount_approved == Decimal("1000.00")
    assert work_well_xichu.funding.count() == n + 1  # the rows already there are kept
    assert _versions("works_map.work", work_well_xichu.pk)[-1] == "UPDATE"
    assert LayerVersion.objects.current("works") > before


def test_deleting_a_zone_in_the_admin_records_the_deletion_and_bumps_the_zones_layer(
    admin_client_, zap_xichu_2026, django_capture_on_commit_callbacks
):
    from priority_zones.models import Zone

    before = LayerVersion.objects.current("zones")
    url = reverse("admin:priority_zones_zone_delete", args=[zap_xichu_2026.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_.post(url, {"post": "yes"}).status_code == 302
    assert not Zone.objects.filter(pk=zap_xichu_2026.pk).exists()
    assert _versions("priority_zones.zone", zap_xichu_2026.pk)[-1] == "DELETE"
    assert LayerVersion.objects.current("zones") > before


def test_deleting_works_from_the_admin_list_goes_through_the_action(
    admin_client_, work_well_xichu, django_capture_on_commit_callbacks
):
    from works_map.models import Work

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("admin:works_map_work_changelist"),
            {"action": "delete_selected", "_selected_action": [work_well_xichu.pk], "post": "yes"},
        )
    assert response.status_code == 302 and not Work.objects.exists()
    assert _versions("works_map.work", work_well_xichu.pk)[-1] == "DELETE"


def test_imported_municipios_are_written_by_the_geography_action(
    tmp_path, admin_user, django_capture_on_commit_callbacks
):
    from planning import imports
    from priority_zones.models import Municipio

    path = tmp_path / "municipios.csv"
    path.write_text(
        'cvegeo,nombre,wkt\n11020,León,"POLYGON((-101.8 21.0,-101.5 21.0,-101.5 21.3,-101.8 21.0))"\n',
        encoding="utf-8",
    )
    before = LayerVersion.objects.current("municipios")
    with django_capture_on_commit_callbacks(execute=True):
        outcome, _table = imports.run_import(
            path, imports.Options(target="municipios", frame_version="MG2020"), acting_user=admin_user
        )
    assert outcome.created == 1
    leon = Municipio.objects.get(cvegeo="11020")
    assert (leon.name, leon.frame_version) == ("León", "MG2020")
    assert _versions("priority_zones.municipio", leon.pk) == ["CREATE"]
    assert LayerVersion.objects.current("municipios") > before


def test_only_an_administrator_writes_inegi_geography_through_the_action(planner_leon, leon):
    from priority_zones.actions import do_upsert_municipio

    with pytest.raises(PermissionDenied):
        do_upsert_municipio(leon.cvegeo, acting_user=planner_leon, name="Otro nombre")
    leon.refresh_from_db()
    assert leon.name == "León"


def test_a_pending_report_is_corrected_in_the_admin(admin_client_, work_well_xichu):
    from works_map.actions import do_record_progress

    report = do_record_progress(
        work_well_xichu, reported_on="2026-03-01", physical_pct=Decimal("10"), financial_pct=Decimal("5")
    )
    url = reverse("admin:works_map_progressreport_change", args=[report.pk])
    data = _post_data_of(admin_client_.get(url))
    data["physical_pct"] = "12.50"
    assert admin_client_.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.physical_pct == Decimal("12.50") and report.state == "PENDING"


def test_a_reviewed_report_is_not_corrected(work_well_xichu, admin_user):
    from django.core.exceptions import ValidationError

    from works_map.actions import do_correct_progress, do_record_progress, do_review_progress

    report = do_record_progress(
        work_well_xichu, reported_on="2026-03-01", physical_pct=Decimal("10"), financial_pct=Decimal("5")
    )
    do_review_progress(report, approve=True, acting_user=admin_user)
    with pytest.raises(ValidationError, match="ya fue revisado"):
        do_correct_progress(report, physical_pct=Decimal("90"))
    report.refresh_from_db()
    assert report.physical_pct == Decimal("10")


def test_renaming_a_municipio_in_the_admin_records_a_version_and_bumps_its_layer(
    admin_client_, leon, django_capture_on_commit_callbacks
):
    url = reverse("admin:priority_zones_municipio_change", args=[leon.pk])
    data = _post_data_of(admin_client_.get(url))
    data["name"] = "León de los Aldama"
    before = LayerVersion.objects.current("municipios")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_.post(url, data).status_code == 302
    leon.refresh_from_db()
    assert leon.name == "León de los Aldama"
    assert _versions("priority_zones.municipio", leon.pk) == ["UPDATE"]
    assert LayerVersion.objects.current("municipios") > before


def test_deleting_a_localidad_in_the_admin_goes_through_the_geography_action(
    admin_client_, xichu, django_capture_on_commit_callbacks
):
    from django.contrib.gis.geos import Point

    from priority_zones.models import Localidad

    localidad = Localidad.objects.create(
        cvegeo="110450099", name="Rancho de prueba", municipio=xichu, ambito="R",
        point=Point(-100.05, 21.30, srid=4326), frame_version="MG2020",
    )  # fmt: skip
    url = reverse("admin:priority_zones_localidad_delete", args=[localidad.pk])
    before = LayerVersion.objects.current("localidades")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_.post(url, {"post": "yes"}).status_code == 302
    assert not Localidad.objects.filter(pk=localidad.pk).exists()
    assert _versions("priority_zones.localidad", localidad.pk) == ["DELETE"]
    assert LayerVersion.objects.current("localidades") > before


def test_a_staff_user_with_admin_permissions_but_no_role_cannot_change_geography(
    client, leon, django_user_model
):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("capturista", "c@example.org", "una-clave-larga-123")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_municipio", "change_municipio"])
    )
    client.force_login(clerk)
    url = reverse("admin:priority_zones_municipio_change", args=[leon.pk])
    data = _post_data_of(client.get(url))
    data["name"] = "Otro nombre"
    assert client.post(url, data).status_code == 403
    leon.refresh_from_db()
    assert leon.name == "León"


def test_recoding_a_category_in_the_admin_records_a_version_and_bumps_the_works_tiles(
    admin_client_, water_category, django_capture_on_commit_callbacks
):
    # The works tiles carry each work's category code: a new code must not be served from old tiles.
    url = reverse("admin:works_map_category_change", args=[water_category.pk])
    data = _post_data_of(admin_client_.get(url))
    data["code"] = "AGUA-POTABLE"
    before = LayerVersion.objects.current("works")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_.post(url, data).status_code == 302
    assert _versions("works_map.category", water_category.pk) == ["UPDATE"]
    assert LayerVersion.objects.current("works") > before
