"""The planner's work form edits the work's funding sources and agencies, through the work actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.places import make_work
from tests.planning.conftest import work_payload


@pytest.fixture
def state_fund(db):
    """A state fund (CONAC 15): the second source of a 50/50 state–municipal work."""
    from works_map.models import FundingSource

    return FundingSource.objects.create(
        code="GTO-PIE", conac_code="15", name="Programa estatal", level="ESTATAL", fund="PIE"
    )


@pytest.fixture
def sdayr(db):
    """A second state agency, so that a work has more than one agency to keep or drop."""
    from works_map.models import Agency

    return Agency.objects.create(
        code="GTO-SDAYR",
        acronym="SDAYR",
        name="Secretaría del Campo",
        level="ESTATAL",
        valid_from=dt.date(2020, 1, 1),
    )


def rows(prefix: str, forms: list[dict], initial: int = 0) -> dict:
    """An inline formset's POST: its management form plus each row's fields."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(forms)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, form in enumerate(forms):
        data.update({f"{prefix}-{i}-{name}": value for name, value in form.items()})
    return data


def funding_row(source, approved: str, **more) -> dict:
    return {
        "source": source.pk,
        "amount_approved": approved,
        "amount_exercised": "0",
        "amount_paid": "0",
        **more,
    }


def stored_funding(work) -> dict:
    return {f.source.code: f.amount_approved for f in work.funding.select_related("source")}


def stored_agencies(work) -> set:
    return {(a.agency.acronym, a.role) for a in work.agency_roles.select_related("agency")}


def test_the_form_shows_labelled_funding_and_agency_rows(client, planner_leon, fismdf, sop):
    client.force_login(planner_leon)
    page = client.get(reverse("planning:work-create"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Fuentes de financiamiento" in text and "Otras dependencias y su papel en la obra" in text
    assert "Dependencia ejecutora" in text
    assert 'name="funding-TOTAL_FORMS"' in text and 'name="agencies-TOTAL_FORMS"' in text
    assert 'for="id_funding-0-source"' in text and 'for="id_agencies-0-role"' in text
    assert "FAIS-FISMDF" in text and "SOP" in text


def test_a_planner_creates_a_work_with_two_sources_and_an_agency(
    client, planner_leon, leon, water_category, fismdf, state_fund, sop
):
    from works_map.models import Work

    client.force_login(planner_leon)
    payload = {
        **work_payload(leon, water_category),
        **rows("funding", [funding_row(fismdf, "3000.00"), funding_row(state_fund, "2000.00"), {}]),
        **rows("agencies", [{"agency": sop.pk, "role": "EJECUTORA"}, {}]),
    }
    response = client.post(reverse("planning:work-create"), payload)

    assert response.status_code == 302
    work = Work.objects.get(folio=payload["folio"])
    assert stored_funding(work) == {"FAIS-FISMDF": Decimal("3000.00"), "GTO-PIE": Decimal("2000.00")}
    assert stored_agencies(work) == {("SOP", "EJECUTORA")}


def edit_payload(work, funding: list[dict], agencies: list[dict], **overrides) -> dict:
    """The edit form as a browser posts it: the stored rows first (with their ids), then blank extras."""
    stored_f = list(work.funding.order_by("pk"))
    stored_a = list(work.agency_roles.order_by("pk"))
    return {
        **work_payload(work, None, **overrides),
        **rows("funding", funding, initial=len(stored_f)),
        **rows("agencies", agencies, initial=len(stored_a)),
    }


@pytest.fixture
def funded_work(leon, water_category, fismdf, state_fund, sop, sdayr):
    """A León work paid by two sources and with two agencies, as the admin used to set them."""
    from works_map.actions import do_update_work

    work = make_work(leon, water_category, folio="LEO-2026-050", published=False, point=(-101.68, 21.12))
    return do_update_work(
        work,
        funding=[
            (fismdf, {"amount_approved": Decimal("60000")}),
            (state_fund, {"amount_approved": Decimal("40000")}),
        ],
        agencies=[(sop, "EJECUTORA"), (sdayr, "SOLICITANTE")],
    )


def test_editing_changes_an_amount_and_deletes_rows(
    client, planner_leon, funded_work, fismdf, state_fund, sop, sdayr
):
    f_rows = list(funded_work.funding.order_by("pk"))
    a_rows = list(funded_work.agency_roles.order_by("pk"))
    client.force_login(planner_leon)
    payload = edit_payload(
        funded_work,
        [
            {**funding_row(fismdf, "75000.00"), "id": f_rows[0].pk, "work": funded_work.pk},
            {
                **funding_row(state_fund, "40000.00"),
                "id": f_rows[1].pk,
                "work": funded_work.pk,
                "DELETE": "on",
            },
            {},
        ],
        [
            {"agency": sop.pk, "role": "EJECUTORA", "id": a_rows[0].pk, "work": funded_work.pk},
            {
                "agency": sdayr.pk,
                "role": "SOLICITANTE",
                "id": a_rows[1].pk,
                "work": funded_work.pk,
                "DELETE": "on",
            },
            {"agency": sdayr.pk, "role": "NORMATIVA"},
        ],
    )
    response = client.post(reverse("planning:work-edit", args=[funded_work.pk]), payload)

    assert response.status_code == 302
    assert stored_funding(funded_work) == {"FAIS-FISMDF": Decimal("75000.00")}
    assert stored_agencies(funded_work) == {("SOP", "EJECUTORA"), ("SDAYR", "NORMATIVA")}
    funded_work.refresh_from_db()
    assert funded_work.name.endswith("(cambio)")


def test_a_post_without_the_formsets_leaves_the_rows_alone(client, planner_leon, funded_work):
    client.force_login(planner_leon)
    response = client.post(
        reverse("planning:work-edit", args=[funded_work.pk]), work_payload(funded_work, None)
    )
    assert response.status_code == 302
    assert len(stored_funding(funded_work)) == 2 and len(stored_agencies(funded_work)) == 2


def assert_refused_and_unchanged(response, work, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored_funding(work) == {"FAIS-FISMDF": Decimal("60000.00"), "GTO-PIE": Decimal("40000.00")}
    assert stored_agencies(work) == {("SOP", "EJECUTORA"), ("SDAYR", "SOLICITANTE")}
    work.refresh_from_db()
    assert not work.name.endswith("(cambio)")


def test_the_same_source_twice_is_refused_by_name_and_nothing_changes(
    client, planner_leon, funded_work, fismdf
):
    client.force_login(planner_leon)
    payload = edit_payload(funded_work, [funding_row(fismdf, "1.00"), funding_row(fismdf, "2.00")], [])
    payload["funding-INITIAL_FORMS"] = "0"
    response = client.post(reverse("planning:work-edit", args=[funded_work.pk]), payload)
    assert_refused_and_unchanged(
        response, funded_work, "La fuente de financiamiento «FAIS-FISMDF (25)» aparece más de una vez."
    )


def test_the_same_agency_and_role_twice_is_refused_and_nothing_changes(
    client, planner_leon, funded_work, sop
):
    client.force_login(planner_leon)
    same = {"agency": sop.pk, "role": "EJECUTORA"}
    payload = edit_payload(funded_work, [], [same, same])
    payload["agencies-INITIAL_FORMS"] = "0"
    response = client.post(reverse("planning:work-edit", args=[funded_work.pk]), payload)
    assert_refused_and_unchanged(
        response, funded_work, "La dependencia «SOP (Ejecutora)» aparece más de una vez con el mismo papel."
    )


def test_a_negative_amount_is_refused_next_to_its_row_and_nothing_changes(
    client, planner_leon, funded_work, fismdf
):
    f_rows = list(funded_work.funding.order_by("pk"))
    client.force_login(planner_leon)
    payload = edit_payload(
        funded_work,
        [{**funding_row(fismdf, "-5.00"), "id": f_rows[0].pk, "work": funded_work.pk}],
        [],
    )
    payload["funding-INITIAL_FORMS"] = "1"
    response = client.post(reverse("planning:work-edit", args=[funded_work.pk]), payload)
    assert_refused_and_unchanged(response, funded_work, "«amount_approved» no puede ser negativo.")


def test_the_action_rolls_back_the_work_when_a_row_is_refused(funded_work, fismdf):
    from django.core.exceptions import ValidationError

    from works_map.actions import do_update_work
    from works_map.models import Work

    with pytest.raises(ValidationError, match="no puede ser negativo"):
        do_update_work(
            funded_work,
            name="Otro nombre",
            funding=[(fismdf, {"amount_approved": Decimal("-1")})],
            agencies=[],
        )
    assert Work.objects.get(pk=funded_work.pk).name == "Obra LEO-2026-050"
    assert len(stored_funding(funded_work)) == 2 and len(stored_agencies(funded_work)) == 2


def test_a_role_that_does_not_write_still_gets_403(client, analyst, funded_work, fismdf):
    client.force_login(analyst)
    payload = edit_payload(funded_work, [funding_row(fismdf, "1.00")], [])
    payload["funding-INITIAL_FORMS"] = "0"
    assert client.post(reverse("planning:work-edit", args=[funded_work.pk]), payload).status_code == 403
    assert client.post(reverse("planning:work-create"), payload).status_code == 403
    assert len(stored_funding(funded_work)) == 2
