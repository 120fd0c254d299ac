"""The zone form through HTTP on PostGIS: a drawn outline, or one built from INEGI municipios or AGEBs
(their union computed by the zone action in PostGIS), with clear refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.places import box
from tests.planning.conftest import zone_payload


@pytest.fixture
def neighbour(db):
    """San Francisco del Rincón (11031), drawn as a box sharing León's west edge: León and it make one
    polygon when united."""
    from priority_zones.models import Municipio

    return Municipio.objects.create(
        cvegeo="11031",
        name="San Francisco del Rincón",
        frame_version="TEST",
        geom=box(-102.0, 21.0, -101.8, 21.3),
    )


@pytest.fixture
def planner_two(db, django_user_model, leon, neighbour):
    from tests.actors import staff

    return staff(django_user_model, "planeador_dos", "planner", [leon, neighbour])


@pytest.fixture
def leon_agebs(db, leon):
    from priority_zones.models import Ageb

    return [
        Ageb.objects.create(
            cvegeo=f"110200001{n:03d}A",
            municipio=leon,
            ambito="U",
            frame_version="TEST",
            geom=box(x, 21.1, x + 0.02, 21.12),
        )
        for n, x in ((1, -101.70), (2, -101.68))
    ]


def test_a_zone_is_the_union_of_two_picked_municipios(client, planner_two, leon, neighbour):
    from priority_zones.models import Zone

    client.force_login(planner_two)
    payload = zone_payload(leon, geom="", unit_level="municipios", units="11020, 11031", name="Oeste")
    response = client.post(reverse("planning:zone-create"), payload)
    assert response.status_code == 302, response.content.decode()[:1500]
    zone = Zone.objects.get(name="Oeste")
    union = leon.geom.union(neighbour.geom)
    assert zone.geom.geom_type == "MultiPolygon" and len(zone.geom) == 1  # adjacent: one part
    assert zone.geom.sym_difference(union).area < 1e-9
    assert zone.author == planner_two


def test_a_zone_is_rebuilt_from_agebs_on_edit(client, planner_leon, leon, leon_agebs):
    from priority_zones.models import Zone
    from tests.places import make_zone

    zone = make_zone(leon, name="Barrios", published=False)
    client.force_login(planner_leon)
    keys = ",".join(a.cvegeo for a in leon_agebs)
    payload = zone_payload(zone, name="Barrios", unit_level="agebs", units=keys)
    assert client.post(reverse("planning:zone-edit", args=[zone.pk]), payload).status_code == 302
    zone = Zone.objects.get(pk=zone.pk)
    assert zone.geom.extent == pytest.approx((-101.70, 21.1, -101.66, 21.12))


def test_unknown_unit_keys_are_named_next_to_the_field(client, planner_leon, leon):
    from priority_zones.models import Zone

    client.force_login(planner_leon)
    payload = zone_payload(leon, geom="", unit_level="municipios", units="11020, 11999")
    response = client.post(reverse("planning:zone-create"), payload)
    text = response.content.decode()
    assert response.status_code == 400
    assert "No hay unidades con estas claves: 11999." in text and 'id="id_units_error"' in text
    assert 'href="#id_units"' in text
    assert not Zone.objects.exists()


def test_keys_of_the_wrong_level_are_refused(client, planner_leon, leon):
    client.force_login(planner_leon)
    payload = zone_payload(leon, geom="", unit_level="agebs", units="11020")
    text = client.post(reverse("planning:zone-create"), payload).content.decode()
    assert "Claves que no son de agebs: 11020." in text


def test_a_zone_needs_a_drawing_or_units(client, planner_leon, leon):
    client.force_login(planner_leon)
    response = client.post(reverse("planning:zone-create"), zone_payload(leon, geom=""))
    assert response.status_code == 400
    assert "Trace un polígono o elija municipios o AGEB en el mapa." in response.content.decode()


def test_units_outside_the_planners_scope_are_refused(client, planner_leon, xichu):
    from priority_zones.models import Zone

    client.force_login(planner_leon)
    payload = zone_payload(xichu, geom="", unit_level="municipios", units="11045")
    assert client.post(reverse("planning:zone-create"), payload).status_code == 403
    assert not Zone.objects.exists()


def test_the_zone_form_has_spanish_labels_a_map_and_the_geojson_disclosure(client, planner_leon):
    client.force_login(planner_leon)
    text = client.get(reverse("planning:zone-create")).content.decode()
    for label in (
        "Nombre",
        "Tipo",
        "Ejercicio fiscal",
        "Estado",
        "Municipio (opcional)",
        "Claves CVEGEO de las unidades",
    ):
        assert f">{label}" in text, label
    assert "data-geometry-editor" in text and "Editar como GeoJSON" in text
