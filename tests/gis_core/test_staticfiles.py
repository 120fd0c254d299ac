"""Front-end files come from node_modules (package-lock.json), found by Django's staticfiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from gis_core.staticfiles import NodeModulesFinder

pytestmark = pytest.mark.skipif(
    not (Path(settings.BASE_DIR) / "node_modules" / "ol").is_dir(), reason="run scripts/bootstrap.sh node"
)


@pytest.mark.parametrize(
    "static_path, source",
    [("vendor/ol/ol.js", "ol/dist/ol.js"), ("vendor/ol/ol.css", "ol/ol.css")],
)
def test_the_admin_map_assets_are_found_in_node_modules(static_path, source):
    assert finders.find(static_path) == str(Path(settings.BASE_DIR) / "node_modules" / source)


def test_collectstatic_gets_ol_css_under_its_static_path():
    listed = [(path, storage.prefix) for path, storage in NodeModulesFinder().list(None)]
    assert listed == [("ol.css", "vendor/ol")]


def test_only_the_listed_node_files_are_exposed():
    assert finders.find("vendor/ol/package.json") is None
    assert NodeModulesFinder().find("vendor/ol/package.json", find_all=True) == []
