"""The home page: a MapLibre map from our own static files, in Spanish, saying the data are synthetic."""

from __future__ import annotations


def test_the_home_page_loads_maplibre_locally_and_says_the_data_are_synthetic(client, db):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Territorio Abierto</h1>" in html
    assert "sintéticos" in html
    assert '<html lang="es' in html
    assert "/static/vendor/maplibre-gl/maplibre-gl.js" in html
    assert "/static/vendor/maplibre-gl/maplibre-gl.css" in html
    assert 'data-style-url="/tiles/style.json"' in html
    assert "https://" not in html  # nothing from a CDN
    for layer_ids in ("works", "work_footprints", "zones-fill,zones-line", "municipios", "need"):
        assert f'data-layers="{layer_ids}"' in html


def test_every_toggle_names_a_layer_of_the_style(client, db):
    import re

    html = client.get("/").content.decode()
    style_ids = {layer["id"] for layer in client.get("/tiles/style.json").json()["layers"]}
    toggled = {i for group in re.findall(r'data-layers="([^"]+)"', html) for i in group.split(",")}
    assert toggled <= style_ids
