"""Standalone folium maps: one HTML file per zone, municipio, drawn area or filtered selection that
opens with no request to another host (Leaflet inlined), with popups linking back to this site."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from gis_core.folium_maps import foreign_references
from works_map import standalone_maps

SITE = "http://testserver"


def _markers(html: str) -> list[dict]:
    """Every work feature embedded in the page (each status layer's GeoJSON in its own script)."""
    found = []
    for blob in re.findall(r"_data = (\{.*?\});</script>", html):
        data = json.loads(blob)
        found += [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    return found


@pytest.mark.django_db
def test_a_municipio_map_is_one_file_with_its_works_and_no_foreign_reference(
    client, leon, xichu, work_road_leon, unpublished_work_leon, work_well_xichu
):
    response = client.get(reverse("works_map:municipio-map", args=[leon.cvegeo]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mapa-municipio-11020.html"'
    html = response.content.decode()
    assert foreign_references(html, (SITE,)) == []
    assert '<script id="leaflet-js">' in html and "<script src=" not in html and "<link " not in html
    markers = _markers(html)
    # León's published work only: not the draft, not Xichú's well.
    assert [m["properties"]["f"] for m in markers] == ["LEO-2025-010"]
    props = markers[0]["properties"]
    assert props["u"] == f"{SITE}/obras/{work_road_leon.pk}/"
    assert props["a"] == 800000.0 and props["s"] == "Terminada"
    assert "<h1>León</h1>" in html and "$800,000" in html  # legend with the summary figures
    assert "<title>León</title>" in html


@pytest.mark.django_db
def test_a_zone_map_counts_the_works_whose_point_lies_in_the_zone(
    client, zap_xichu_2026, works_cluster_xichu, work_road_leon
):
    response = client.get(reverse("works_map:zone-map", args=[zap_xichu_2026.pk]))
    assert response.status_code == 200
    folios = sorted(m["properties"]["f"] for m in _markers(response.content.decode()))
    expected = sorted(w.folio for w in works_cluster_xichu if zap_xichu_2026.geom.intersects(w.geom))
    assert folios == expected and expected


@pytest.mark.django_db
def test_a_draft_zone_map_is_404_for_the_public(client, xichu):
    from tests.places import make_zone

    draft = make_zone(xichu, name="Borrador", published=False)
    assert client.get(reverse("works_map:zone-map", args=[draft.pk])).status_code == 404


@pytest.mark.django_db
def test_a_filtered_selection_map_takes_every_work_filter_and_draws_the_bbox(
    client, work_well_xichu, works_cluster_xichu, work_road_leon
):
    url = reverse("api:works-map")
    html = client.get(url, {"status": "TERMINADA", "bbox": "-100.2,21.2,-99.9,21.4"}).content.decode()
    assert [m["properties"]["f"] for m in _markers(html)] == ["XIC-2026-002"]
    assert "status=TERMINADA" in html  # the filters are named under the title
    assert '"type": "Polygon"' in html  # the bbox outline
    html = client.get(url, {"year": "2025"}).content.decode()
    assert [m["properties"]["f"] for m in _markers(html)] == ["LEO-2025-010"]


@pytest.mark.django_db
def test_a_bad_filter_is_a_400_naming_it(client, work_well_xichu):
    response = client.get(reverse("api:works-map"), {"status": "NO_EXISTE"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "status"
    response = client.get(reverse("api:works-map"), {"colour": "red"})
    assert response.status_code == 400 and response.json()["parameter"] == "colour"


@pytest.mark.django_db
def test_a_zone_outline_that_is_not_a_published_zone_is_a_400_naming_it(client, xichu, work_well_xichu):
    from tests.places import make_zone

    draft = make_zone(xichu, name="Borrador", published=False)
    url = reverse("api:works-map")
    for zone in ("abc", "--5", "²", str(draft.pk), "999999"):
        response = client.get(url, {"zone": zone})
        assert response.status_code == 400 and response.json()["parameter"] == "zone"


@pytest.mark.django_db
def test_a_drawn_polygon_maps_the_works_inside_it(client, works_cluster_xichu, work_road_leon):
    polygon = {
        "type": "Polygon",
        "coordinates": [
            [[-100.06, 21.29], [-100.046, 21.29], [-100.046, 21.304], [-100.06, 21.304], [-100.06, 21.29]]
        ],
    }
    response = client.post(reverse("api:works-map"), json.dumps(polygon), content_type="application/json")
    assert response.status_code == 200
    folios = sorted(m["properties"]["f"] for m in _markers(response.content.decode()))
    assert folios == ["XIC-2026-001", "XIC-2026-002", "XIC-2026-003"]
    bad = client.post(reverse("api:works-map"), "{}", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["parameter"] == "geometry"


@pytest.mark.django_db
def test_a_selection_past_the_limit_is_refused_not_truncated(client, works_cluster_xichu, monkeypatch):
    monkeypatch.setattr(standalone_maps, "MAX_WORKS", 3)
    response = client.get(reverse("api:works-map"))
    assert response.status_code == 400
    assert "3" in response.json()["detail"]


@pytest.mark.django_db
def test_a_names_markup_never_reaches_the_page_unescaped(client, xichu, water_category):
    from tests.places import make_work

    work = make_work(xichu, water_category, folio="XIC-X", published=True, point=(-100.0, 21.3))
    work.name = "</script><img src=x onerror=alert(1)>"
    work.save()
    html = client.get(reverse("api:works-map")).content.decode()
    assert "</script><img" not in html  # json in the script escapes "<" and "/"


def test_the_basemap_is_the_only_other_host(settings, db):
    settings.BASEMAP_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    from gis_core.folium_maps import standalone_map

    html = standalone_map().get_root().render()
    assert foreign_references(html, (SITE,)) == ["https://tiles.example.org/{z}/{x}/{y}.png"]
