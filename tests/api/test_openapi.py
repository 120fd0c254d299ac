"""The OpenAPI 3 document validates without warnings and the docs page loads its assets locally."""

from __future__ import annotations

import re

from django.core.management import call_command


def test_openapi_schema_validates_without_warnings(tmp_path, db):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/works/nearby:",
        "/api/locate:",
        "/api/summary:",
        "/api/summaries/fais:",
        "/api/export/works.geojson:",
    ):
        assert path in text


def test_schema_endpoint_and_docs_use_local_assets(client, db):
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources  # no CDN


def test_redoc_uses_local_assets(client, db):
    page = client.get("/api/redoc/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("redoc" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources  # no CDN
