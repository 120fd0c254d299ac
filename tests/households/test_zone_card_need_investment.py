"""The zone report card's "need versus investment" section: protected rates, investment, flag, chart."""

from __future__ import annotations

from django.urls import reverse

from priority_zones.actions import do_compute_diagnostics
from priority_zones.models import Zone
from tests.places import make_household

CLUSTER = (-100.050, 21.300)


def _cluster(municipio, n: int, **fields):
    return [make_household(municipio, CLUSTER[0] + i * 1e-5, CLUSTER[1], **fields) for i in range(n)]


def _zone(municipio, **fields) -> Zone:
    values = {
        "kind": "ZONA_IMPULSO",
        "fiscal_year": 2026,
        "name": "Impulso Xichú",
        "municipio": municipio,
        "geom": municipio.geom,
        "status": "PUBLISHED",
    }
    values.update(fields)
    return Zone.objects.create(**values)


def test_the_zone_card_shows_need_next_to_investment_with_the_flag(
    client, xichu, poverty_lines, work_well_xichu
):
    # 8 earth-floor dwellings out of 12: 67 % need in housing quality, no work addresses it.
    do_compute_diagnostics(_cluster(xichu, 8, floor="TIERRA") + _cluster(xichu, 4))
    zone = _zone(xichu)
    response = client.get(reverse("works_map:zone", args=[zone.pk]))
    assert response.status_code == 200
    rows = {r["carencia"]: r for r in response.context["need_investment"]["rows"]}
    assert (rows["calidad_vivienda"]["rate"], rows["calidad_vivienda"]["high_need_low_investment"]) == (
        67,
        True,
    )
    assert rows["servicios_basicos"]["investment"] == 2500000  # the well addresses basic services
    assert rows["servicios_basicos"]["rate"] is None  # 0 of 12: a small cell, withheld
    html = response.content.decode()
    section = html[html.index('id="necesidad-inversion"') : html.index('id="obras"')]
    assert "<svg" in section and "Necesidad de los hogares e inversión que la atiende" in section
    assert 'id="need-investment-table"' in section
    table = section[section.index('id="need-investment-table"') :]
    housing = table[table.index("Calidad y espacios de la vivienda") :].split("</tr>")[0]
    assert "67 %" in housing and "Alta necesidad, poca inversión" in housing
    basic = table[table.index("Servicios básicos en la vivienda") :].split("</tr>")[0]
    assert "protegido" in basic and "$2,500,000" in basic and "Alta necesidad" not in basic
    assert "year=2026&amp;format=csv" in section


def test_a_zone_with_too_few_households_shows_every_share_as_protected(client, xichu, poverty_lines):
    do_compute_diagnostics(_cluster(xichu, 4, floor="TIERRA"))
    zone = _zone(xichu)
    response = client.get(reverse("works_map:zone", args=[zone.pk]))
    rows = response.context["need_investment"]["rows"]
    assert all(r["rate"] is None and not r["high_need_low_investment"] for r in rows)
    table = response.content.decode().split('id="need-investment-table"')[1].split("</table>")[0]
    assert table.count("protegido") == 6


def test_the_section_costs_one_query(
    client, xichu, poverty_lines, work_well_xichu, django_assert_num_queries
):
    from works_map import pages

    zone = _zone(xichu)
    _zone(xichu, name="Otra zona")
    with django_assert_num_queries(1):
        pages._need_investment(zone)


def test_the_zone_card_costs_a_fixed_number_of_queries(
    client, zap_xichu_2026, work_well_xichu, django_assert_max_num_queries
):
    # zone; area report (breakdown 3, population 2: the registered population rasters, then the
    # census units; household need 1); need vs investment (1); page count + rows (2);
    # child growth section: growth units (1), related investment (1); citizen reports (1)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("works_map:zone", args=[zap_xichu_2026.pk])).status_code == 200


def test_a_draft_zone_seen_by_staff_is_compared_with_the_published_ones(
    client, admin_user, xichu, poverty_lines
):
    zone = _zone(xichu, status="DRAFT")
    client.force_login(admin_user)
    response = client.get(reverse("works_map:zone", args=[zone.pk]))
    assert response.status_code == 200
    assert response.context["need_investment"]["year"] == 2026
    # The public table never carries the draft.
    public = client.get(reverse("works_map:need-investment"), {"year": 2026}).json()["zones"]
    assert zone.pk not in [z["zone_id"] for z in public]


def test_the_section_speaks_english_after_the_switch(client, xichu, poverty_lines, work_well_xichu):
    do_compute_diagnostics(_cluster(xichu, 8, floor="TIERRA") + _cluster(xichu, 4))
    zone = _zone(xichu)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("works_map:zone", args=[zone.pk])).content.decode()
    section = html[html.index('id="necesidad-inversion"') : html.index('id="obras"')]
    for text in (
        "Need and investment",
        "For each social deprivation, the share of the zone",
        "For each social deprivation: share of diagnosed households",  # the chart's description
        "Household deprivations and the investment addressing them, fiscal year 2026",
        "Households with the deprivation",
        "Investment addressing it",
        "High need, little investment",
        "(and at least 20 %)",
        "Table of every zone of 2026 (CSV)",
        "withheld",
    ):
        assert text in section, text
    assert "protegido" not in section and "Alta necesidad" not in section
