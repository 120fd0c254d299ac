"""The project URLconf mounts the REST API at /api/ and OGC API - Features at /ogc/."""

import ast
from pathlib import Path


def test_it_mounts_api_and_ogc_in_the_project_urls():
    source = (Path(__file__).resolve().parents[2] / "config" / "urls.py").read_text()
    includes = {
        (call.args[0].value, call.args[1].args[0].value)
        for call in ast.walk(ast.parse(source))
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", "") == "path"
        and len(call.args) == 2
        and isinstance(call.args[1], ast.Call)
        and getattr(call.args[1].func, "id", "") == "include"
    }
    assert ("api/", "works_map.api.urls") in includes
    assert ("ogc/", "gis_core.ogc") in includes
