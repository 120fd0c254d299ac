"""Static layers as PMTiles archives: the archive holds the live endpoint's tiles, is served with
range requests, named after the layer's data version, used by the style only while current, and
written again (the old one removed) by export_pmtiles after the version changes."""

from __future__ import annotations

import gzip
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from pmtiles.reader import MemorySource, Reader

from gis_core.models import LayerVersion
from gis_core.tiles import TileCoord
from gis_core.versions import layer_version
from tests.layers.conftest import tile_url

pytestmark = pytest.mark.urls("config.urls")

LEON = (-101.65, 21.15)


@pytest.fixture
def media(settings, tmp_path, leon, xichu):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PMTILES_LAYERS = ["municipios"]
    cache.clear()
    yield settings.MEDIA_ROOT
    cache.clear()


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_pmtiles", "--layer", "municipios", "--maxzoom", "9", *args, stdout=out)
    return out.getvalue()


def test_the_archive_holds_the_tiles_the_endpoint_serves(client, media):
    assert "teselas" in _export()
    name = f"municipios.v{layer_version('municipios')}.pmtiles"
    data = (media / "pmtiles" / name).read_bytes()
    reader = Reader(MemorySource(data))
    assert reader.header()["max_zoom"] == 9 and reader.header()["min_zoom"] == 4
    coord = TileCoord.containing(*LEON, 9)
    live = client.get(tile_url("municipios", coord))
    assert live.status_code == 200
    assert gzip.decompress(reader.get(coord.z, coord.x, coord.y)) == live.content


def test_the_archive_is_served_with_range_requests(client, media):
    _export()
    url = f"/media/pmtiles/municipios.v{layer_version('municipios')}.pmtiles"
    head = client.get(url, HTTP_RANGE="bytes=0-126")
    assert head.status_code == 206
    assert head.content[:7] == b"PMTiles" and len(head.content) == 127
    size = int(head["Content-Range"].rsplit("/", 1)[1])
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206 and tail["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
    assert client.get(url, HTTP_RANGE=f"bytes={size}-").status_code == 416
    assert client.get(url).status_code == 200 and len(client.get(url).content) == size
    assert client.get("/media/pmtiles/..%2Fsettings.py").status_code == 404
    assert client.get("/media/pmtiles/municipios.v999.pmtiles").status_code == 404


def test_the_style_reads_the_archive_while_it_is_current_and_the_export_renews_it(client, media):
    assert client.get("/tiles/style.json").json()["sources"]["municipios"]["tiles"]  # no archive yet
    _export()
    first = layer_version("municipios")
    source = client.get("/tiles/style.json").json()["sources"]["municipios"]
    assert source["url"] == f"pmtiles://http://testserver/media/pmtiles/municipios.v{first}.pmtiles"

    LayerVersion.objects.bump("municipios")  # the boundaries changed (what bump_layers does on commit)
    cache.clear()
    assert "tiles" in client.get("/tiles/style.json").json()["sources"]["municipios"]
    assert "al día" not in _export()
    assert "al día" in _export()
    second = layer_version("municipios")
    assert sorted(p.name for p in (media / "pmtiles").iterdir()) == [f"municipios.v{second}.pmtiles"]
    source = client.get("/tiles/style.json").json()["sources"]["municipios"]
    assert source["url"].endswith(f"municipios.v{second}.pmtiles")


def test_only_closed_years_of_zones_are_exported(media):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cerrados"):
        call_command("export_pmtiles", "--layer", "municipios", "--zones-year", "2999")
