"""Works, zones, municipios and household need in every GIS format, read back by real GIS clients:
GDAL's `ogrinfo` (a separate process) and pyogrio; GeoParquet by GeoPandas/pyarrow."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import zipfile
from decimal import Decimal

import geopandas
import pyogrio
import pytest
from django.contrib.gis.geos import MultiPoint, Point, Polygon
from django.utils import timezone
from geopandas.testing import assert_geodataframe_equal

FILE_FORMATS = ("gpkg", "fgb", "kml", "shp", "parquet")
OGRINFO = shutil.which("ogrinfo")


def download(client, url: str, tmp_path, name: str = "download"):
    """GET `url` and save the body as `name` in tmp_path (a zipped Shapefile as .zip, which GDAL's
    /vsizip/ needs)."""
    if name.endswith(".shp"):
        name = name[: -len(".shp")] + ".zip"
    response = client.get(url)
    assert response.status_code == 200, response.content[:500] if not response.streaming else url
    body = b"".join(response.streaming_content)
    path = tmp_path / name
    path.write_bytes(body)
    return response, path


def ogrinfo(path) -> str:
    if OGRINFO is None:
        pytest.skip("ogrinfo (gdal-bin) not installed")
    target = f"/vsizip/{path}" if zipfile.is_zipfile(path) else str(path)
    done = subprocess.run([OGRINFO, "-so", "-al", target], capture_output=True, text=True, check=True)  # noqa: S603
    return done.stdout


def read(path, fmt: str) -> geopandas.GeoDataFrame:
    """The file as pyogrio (GDAL) reads it; GeoParquet through GeoPandas/pyarrow (this GDAL build
    has no Parquet driver). A zipped Shapefile of several layers comes back as one frame."""
    if fmt == "parquet":
        return geopandas.read_parquet(path)
    if fmt == "shp":
        layers = [name for name, _type in pyogrio.list_layers(f"/vsizip/{path}")]
        frames = [pyogrio.read_dataframe(f"/vsizip/{path}", layer=layer) for layer in layers]
        return geopandas.GeoDataFrame(geopandas.pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    return pyogrio.read_dataframe(path)


def count_in(text: str) -> int:
    return sum(int(line.split(":")[1]) for line in text.splitlines() if line.startswith("Feature Count:"))


@pytest.fixture
def committed(transactional_db):
    """Committed rows: GeoPackage and FlatGeobuf are written by ogr2ogr, a separate process on its own
    database connection, which sees no uncommitted test transaction."""


@pytest.fixture
def works_of_every_shape(work_well_xichu, work_road_leon, leon, xichu, water_category):
    """A point (the well), a line (the pipeline), a polygon park and a multipoint, all published."""
    from works_map.actions import do_create_work

    do_create_work(
        folio="LEO-PARQUE",
        fiscal_year=2026,
        name="Parque «Las Joyas», 1.ª etapa",
        category=water_category,
        geom=Polygon.from_bbox((-101.69, 21.11, -101.68, 21.12)),
        municipio=leon,
        status="SUSPENDIDA",
        amount_approved=Decimal("1000000.50"),
        planned_start=dt.date(2026, 1, 15),
    )
    do_create_work(
        folio="XIC-LUMINARIAS",
        fiscal_year=2026,
        name="Luminarias",
        category=water_category,
        geom=MultiPoint(Point(-100.0, 21.3), Point(-100.01, 21.31), srid=4326),
        municipio=xichu,
    )


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_every_file_format_reads_back_with_every_work_and_its_attributes(
    committed, client, works_of_every_shape, tmp_path, fmt
):
    response, path = download(client, f"/api/export/works.{fmt}", tmp_path, f"obras.{fmt}")
    today = timezone.localdate().isoformat()
    suffix = {"shp": "_shp.zip"}.get(fmt, f".{fmt}")
    assert response["Content-Disposition"] == f'attachment; filename="obras_guanajuato_{today}{suffix}"'
    frame = read(path, fmt)
    assert len(frame) == 4
    assert frame.crs.equals("EPSG:4326", ignore_axis_order=True)
    name_of = {"shp": lambda f: f.dbf}.get(fmt, lambda f: f.name)
    from works_map.exports import WORK_FIELDS

    if fmt != "kml":  # KML keeps its own Name/Description fields
        assert [c for c in frame.columns if c != "geometry"] == [name_of(f) for f in WORK_FIELDS]
    folio = "folio"
    by_folio = frame.set_index(folio)
    park = by_folio.loc["LEO-PARQUE"]
    assert park["status"] == "SUSPENDIDA"
    assert park[name_of(next(f for f in WORK_FIELDS if f.name == "amount_approved"))] == pytest.approx(
        1000000.5
    )
    well = by_folio.loc["XIC-2026-001"]
    assert well["municipio"] == "11045"
    assert well[name_of(next(f for f in WORK_FIELDS if f.name == "funding_federal"))] == pytest.approx(
        2500000
    )
    assert well[name_of(next(f for f in WORK_FIELDS if f.name == "executing_agency"))] == "GTO-SOP"
    assert (well.geometry.x, well.geometry.y) == pytest.approx((-100.05, 21.3))
    assert {"Point", "LineString", "Polygon"} <= set(frame.geometry.geom_type)
    if fmt != "parquet":
        info = ogrinfo(path)
        assert count_in(info) == 4
        assert "WGS 84" in info or "EPSG" in info
        assert "folio" in info


def test_the_shapefile_zip_has_a_codepage_the_field_table_and_one_file_per_geometry_type(
    committed, client, works_of_every_shape, tmp_path
):
    _response, path = download(client, "/api/export/works.shp", tmp_path, "obras.zip")
    names = set(zipfile.ZipFile(path).namelist())
    for layer in ("obras_puntos", "obras_multipuntos", "obras_lineas", "obras_poligonos"):
        assert {f"{layer}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= names
    assert {"campos.csv", "LEEME.txt"} <= names
    table = list(csv.DictReader(io.StringIO(zipfile.ZipFile(path).read("campos.csv").decode())))
    assert {"campo_shp": "amt_apprv", "campo": "amount_approved"}.items() <= table[20].items()
    assert all(len(row["campo_shp"]) <= 10 for row in table)
    assert zipfile.ZipFile(path).read("obras_puntos.cpg").decode().strip().upper() in ("UTF-8", "UTF8")
    park = pyogrio.read_dataframe(f"/vsizip/{path}", layer="obras_poligonos")
    assert park["name"].tolist() == ["Parque «Las Joyas», 1.ª etapa"]  # UTF-8 survives the DBF


@pytest.mark.parametrize(
    "query",
    [
        "year=2026",
        "municipio=11020",
        "status=SUSPENDIDA,EN_EJECUCION",
        "q=Parque",
        "q=O'Higgins",  # a quote in the statement ogr2ogr runs
        "bbox=-101.9,21.0,-101.4,21.3",  # a geometry parameter
        "source=FAIS-FISMDF&agency=GTO-SOP",
    ],
)
@pytest.mark.parametrize("fmt", ["gpkg", "fgb", "geojson", "csv"])
def test_feature_counts_equal_the_api_count_for_the_same_filter(
    committed, client, works_of_every_shape, tmp_path, fmt, query
):
    expected = client.get(f"/api/summaries/works?{query}").json()["works"]
    _response, path = download(client, f"/api/export/works.{fmt}?{query}", tmp_path, f"obras.{fmt}")
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(path.read_text())))) == expected
    else:
        assert len(pyogrio.read_dataframe(path)) == expected
    if fmt in ("gpkg", "fgb"):
        assert count_in(ogrinfo(path)) == expected


def test_the_csv_has_every_attribute_the_wkt_and_lon_lat(client, works_of_every_shape, tmp_path):
    from works_map.exports import WORK_FIELDS

    _response, path = download(client, "/api/export/works.csv", tmp_path, "obras.csv")
    rows = {r["folio"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}
    assert list(next(iter(rows.values()))) == [*(f.name for f in WORK_FIELDS), "wkt", "lon", "lat"]
    assert rows["LEO-2025-010"]["wkt"] == "LINESTRING(-101.7 21.1,-101.6 21.15)"
    assert rows["XIC-2026-001"]["funding_sources"] == "FAIS-FISMDF [25] 2500000.00"
    assert rows["XIC-2026-001"]["agencies"] == "SOP (EJECUTORA)"
    assert rows["LEO-PARQUE"]["planned_start"] == "2026-01-15"
    assert pyogrio.read_dataframe(path, X_POSSIBLE_NAMES="lon", Y_POSSIBLE_NAMES="lat").shape[0] == 4


def test_the_geojson_carries_every_attribute(client, works_of_every_shape, tmp_path):
    from works_map.exports import WORK_FIELDS

    _response, path = download(client, "/api/export/works.geojson", tmp_path, "obras.geojson")
    features = {f["properties"]["folio"]: f for f in json.loads(path.read_text())["features"]}
    well = features["XIC-2026-001"]["properties"]
    assert list(well) == [f.name for f in WORK_FIELDS]
    assert well["oc4ids_status"] == "implementation" and well["conac_sources"] == "25"
    assert count_in(ogrinfo(path)) == 4


@pytest.mark.parametrize("fmt", ["gpkg", "fgb", "kml", "shp", "parquet", "geojson", "csv"])
def test_zones_and_municipios_export_in_every_format(committed, client, zap_xichu_2026, leon, tmp_path, fmt):
    from priority_zones.actions import do_create_zone

    do_create_zone(
        kind="DRAWN", fiscal_year=2026, name="Borrador", municipio=leon, geom=leon.geom, status="DRAFT"
    )
    _r, zones = download(client, f"/api/export/zones.{fmt}", tmp_path, f"zonas.{fmt}")
    _r, municipios = download(client, f"/api/export/municipios.{fmt}", tmp_path, f"municipios.{fmt}")
    if fmt == "csv":
        assert [r["name"] for r in csv.DictReader(io.StringIO(zones.read_text()))] == ["Xichú"]  # no draft
        return
    zone_frame, municipio_frame = read(zones, fmt), read(municipios, fmt)
    assert zone_frame["Name" if fmt == "kml" else "name"].tolist() == ["Xichú"]  # KML's own name element
    assert zone_frame["kind"].tolist() == ["ZAP_RURAL"]
    assert sorted(municipio_frame["cvegeo"]) == ["11020", "11045"]
    assert set(municipio_frame.geometry.geom_type) <= {"MultiPolygon", "Polygon"}


def test_the_zone_filters_apply_and_unknown_ones_are_refused(committed, client, zap_xichu_2026, tmp_path):
    _r, path = download(client, "/api/export/zones.gpkg?year=2025", tmp_path, "z.gpkg")
    assert len(pyogrio.read_dataframe(path)) == 0
    _r, path = download(client, "/api/export/zones.gpkg?kind=ZAP_RURAL&year=2026", tmp_path, "z2.gpkg")
    assert len(pyogrio.read_dataframe(path)) == 1
    for url, parameter in (
        ("/api/export/zones.gpkg?kind=NOPE", "kind"),
        ("/api/export/zones.gpkg?status=DRAFT", "status"),
        ("/api/export/municipios.fgb?year=2026", "year"),
    ):
        response = client.get(url)
        assert response.status_code == 400 and response.json()["parameter"] == parameter


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/export/works.xlsx", "/api/export/works.GPKG", "/api/export/zones.oc4ids"]
)
def test_an_unknown_format_is_a_400_naming_it(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "format" and url.rsplit(".", 1)[1] in body["detail"]


def test_an_unknown_dataset_is_a_404(client, db):
    assert client.get("/api/export/households.gpkg").status_code == 404


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("year=20x6", "year"), ("color=rojo", "color"), ("municipio=99999", "municipio"), ("bbox=1,2", "bbox")],
)
@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson"])
def test_a_bad_work_filter_is_a_400_naming_it_in_every_format(client, db, fmt, query, parameter):
    response = client.get(f"/api/export/works.{fmt}?{query}")
    assert response.status_code == 400 and not response.streaming
    assert response.json()["parameter"] == parameter


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "fgb", "parquet", "kml"])
def test_a_file_over_the_feature_limit_is_refused_with_the_count_and_the_streamed_formats(
    client, works_of_every_shape, settings, fmt
):
    settings.EXPORT_MAX_FEATURES = 3
    response = client.get(f"/api/export/works.{fmt}")
    assert response.status_code == 413
    body = response.json()
    assert (body["count"], body["limit"]) == (4, 3)
    assert body["streamed_formats"] == ["geojson", "csv", "oc4ids"]
    assert "4" in body["detail"] and "3" in body["detail"]
    assert client.get(f"/api/export/works.{fmt}?municipio=11020").status_code == 200  # 2 works
    assert client.get("/api/export/works.geojson").status_code == 200  # streamed: no limit


def test_an_empty_selection_is_an_empty_file_not_an_error(client, db, tmp_path):
    for fmt in ("gpkg", "fgb", "parquet", "shp", "kml"):
        _r, path = download(client, f"/api/export/works.{fmt}", tmp_path, f"vacio.{fmt}")
        if fmt != "shp":
            assert len(read(path, fmt)) == 0
        else:
            assert "LEEME.txt" in zipfile.ZipFile(path).namelist()


def test_the_file_is_written_in_batches_and_the_temporary_folder_is_removed(
    committed, client, works_of_every_shape, tmp_path, monkeypatch
):
    import tempfile

    from gis_core import exporters

    monkeypatch.setattr(exporters, "FETCH_ROWS", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    for fmt in FILE_FORMATS:
        _r, path = download(client, f"/api/export/works.{fmt}", tmp_path, f"lotes.{fmt}")
        assert len(read(path, fmt)) == 4
    assert list((tmp_path / "tmp").iterdir()) == []


# --- household need: only disclosure-controlled aggregates, never a household ----------------------


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "csv", "parquet", "shp"])
def test_need_by_zone_is_the_suppressed_and_rounded_aggregate_of_the_report_cards(
    client, households_xichu, zap_xichu_2026, tmp_path, fmt
):
    from priority_zones.disclosure import household_need_summary

    _r, path = download(client, f"/api/export/need.{fmt}", tmp_path, f"necesidad.{fmt}")
    if fmt == "csv":
        (row,) = list(csv.DictReader(io.StringIO(path.read_text())))
        households, alimentacion = int(row["households"]), row["alimentacion_n"]
        assert alimentacion == ""  # suppressed: null, never 0
    else:
        frame = read(path, fmt)
        name = {"shp": lambda f: f.dbf}.get(fmt, lambda f: f.name)
        from works_map.exports import DATASETS

        column = {f.name: name(f) for f in DATASETS["need"].fields}
        (row,) = frame.to_dict("records")
        households = row[column["households"]]
        assert geopandas.pd.isna(row[column["alimentacion_n"]])
        assert row[column["servicios_basicos_n"]] == 5 and row[column["servicios_basicos_pct"]] == 33
        assert bool(row[column["suppressed"]]) is True
    card = household_need_summary(zap_xichu_2026)
    # Twelve households in one unit, rounded to 10; the five lonely ones are in no unit.
    assert households == card["households"] == 10


def test_need_by_municipio_counts_only_households_in_disclosure_units(
    client, households_xichu, leon, tmp_path
):
    _r, path = download(client, "/api/export/need_municipios.geojson", tmp_path, "n.geojson")
    rows = {f["properties"]["cvegeo"]: f["properties"] for f in json.loads(path.read_text())["features"]}
    assert rows["11045"]["households"] == 10 and rows["11045"]["pobreza_moderada"] == 5
    assert rows["11020"]["households"] is None and rows["11020"]["suppressed"] is True  # no household there


def test_no_household_field_or_value_reaches_any_export(
    client, households_xichu, zap_xichu_2026, work_well_xichu, tmp_path
):
    from priority_zones.models import Diagnostic, Household, Person
    from works_map.exports import DATASETS

    shared = {"id", "folio", "municipio", "localidad", "created_at", "updated_at"}  # a work has them too
    private = {f.name for m in (Household, Person, Diagnostic) for f in m._meta.concrete_fields} - shared
    folios = list(Household.objects.values_list("folio", flat=True))
    for dataset in DATASETS.values():
        names = {f.name for f in dataset.fields} | {f.dbf for f in dataset.fields}
        assert not names & private, (dataset.name, names & private)
        for fmt in ("geojson", "csv", "gpkg", "kml"):
            _r, path = download(
                client, f"/api/export/{dataset.name}.{fmt}", tmp_path, f"{dataset.name}.{fmt}"
            )
            body = path.read_bytes()
            assert not any(folio.encode() in body for folio in folios), (dataset.name, fmt)
            assert b"-100.15" not in body and b"-100.1500" not in body  # the lonely households' spot


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson"])
def test_the_query_count_of_an_export_does_not_grow_with_the_number_of_works(
    client, xichu, water_category, fismdf, sop, fmt
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from works_map.actions import do_create_work

    def add(start: int, n: int) -> None:
        for i in range(start, start + n):
            do_create_work(
                folio=f"Q-{i}",
                fiscal_year=2026,
                name=f"Obra {i}",
                category=water_category,
                geom=Point(-100.0 + i * 0.001, 21.3, srid=4326),
                municipio=xichu,
                funding=[(fismdf, {"amount_approved": Decimal("10")})],
                agencies=[(sop, "EJECUTORA")],
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/export/works.{fmt}")
            b"".join(response.streaming_content)
        return len(captured)

    add(0, 2)
    few = queries()
    add(2, 15)
    assert queries() == few


def test_the_catalogue_lists_every_dataset_with_its_downloads_and_fields(client, db):
    from works_map.exports import catalogue

    entries = {e["name"]: e for e in catalogue()}
    assert set(entries) == {"works", "zones", "municipios", "need", "need_municipios"}
    works = entries["works"]
    assert {d["format"] for d in works["downloads"]} == {*FILE_FORMATS, "geojson", "csv", "oc4ids"}
    assert works["license"].startswith("https://") and "year" in works["parameters"]
    assert {"name": "amount_approved", "type": "real", "shapefile_name": "amt_apprv"}.items() <= next(
        f for f in works["fields"] if f["name"] == "amount_approved"
    ).items()
    for entry in entries.values():  # every advertised download exists
        for download in entry["downloads"]:
            if download["format"] != "oc4ids":
                assert client.head(download["path"]).status_code == 200, download["path"]


def test_a_flatgeobuf_over_the_index_limit_is_written_without_its_spatial_index(
    committed, client, works_of_every_shape, tmp_path, settings
):
    _r, indexed = download(client, "/api/export/works.fgb", tmp_path, "indexado.fgb")
    settings.EXPORT_FGB_INDEX_MAX = 3  # the selection has 4 works
    _r, flat = download(client, "/api/export/works.fgb", tmp_path, "plano.fgb")
    assert len(read(flat, "fgb")) == len(read(indexed, "fgb")) == 4
    assert flat.stat().st_size < indexed.stat().st_size  # the packed R-tree is gone
    assert count_in(ogrinfo(flat)) == 4


def ogr2ogr_children() -> list[str]:
    """The ogr2ogr processes this test process started that still exist (zombies included)."""
    import os
    from pathlib import Path

    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = dict(line.split(":", 1) for line in (proc / "status").read_text().splitlines())
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(os.getpid()) and fields["Name"].strip() == "ogr2ogr":
            found.append(f"{proc.name} {fields['State'].strip()}")
    return found


def test_a_flatgeobuf_over_the_index_limit_is_streamed_as_ogr2ogr_writes_it(
    committed, client, works_of_every_shape, tmp_path, settings
):
    settings.EXPORT_FGB_INDEX_MAX = 3
    response = client.get("/api/export/works.fgb")
    assert response.status_code == 200 and response.streaming and not response.has_header("Content-Length")
    assert response["Content-Type"] == "application/flatgeobuf" and response["Cache-Control"] == "no-store"
    path = tmp_path / "flujo.fgb"
    path.write_bytes(b"".join(response.streaming_content))
    frame = read(path, "fgb")
    assert sorted(frame["folio"]) == ["LEO-2025-010", "LEO-PARQUE", "XIC-2026-001", "XIC-LUMINARIAS"]
    assert count_in(ogrinfo(path)) == 4  # the header's count is 0 (unknown): GDAL counts the features
    assert ogr2ogr_children() == []


def test_a_client_leaving_a_streamed_flatgeobuf_stops_and_reaps_its_ogr2ogr(
    committed, client, works_of_every_shape, settings, monkeypatch
):
    from gis_core import exporters

    settings.EXPORT_FGB_INDEX_MAX = 3
    monkeypatch.setattr(exporters, "FILE_BLOCK", 64)  # many blocks from four works
    response = client.get("/api/export/works.fgb")
    chunks = iter(response.streaming_content)
    assert len(next(chunks)) == 64
    assert ogr2ogr_children() != []  # running, or exited and not yet reaped
    response.close()  # what the server does when the client goes away
    assert ogr2ogr_children() == []


@pytest.mark.parametrize(("fmt", "index_max"), [("gpkg", 100), ("fgb", 100), ("fgb", 0)])
def test_over_the_limit_ogr2ogr_is_stopped_and_no_file_is_left(
    committed, client, works_of_every_shape, tmp_path, settings, monkeypatch, fmt, index_max
):
    import tempfile

    settings.EXPORT_MAX_FEATURES, settings.EXPORT_FGB_INDEX_MAX = 3, index_max
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    response = client.get(f"/api/export/works.{fmt}")
    assert response.status_code == 413 and (response.json()["count"], response.json()["limit"]) == (4, 3)
    assert list((tmp_path / "tmp").iterdir()) == []
    assert ogr2ogr_children() == []


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_a_selection_exactly_at_the_limit_is_written(client, works_of_every_shape, settings, fmt):
    settings.EXPORT_MAX_FEATURES = 4
    assert client.get(f"/api/export/works.{fmt}").status_code == 200


@pytest.mark.parametrize("fmt", ["gpkg", "fgb"])
def test_the_speed_settings_change_nothing_in_the_file(committed, works_of_every_shape, tmp_path, fmt):
    from gis_core import exporters
    from works_map.exports import WORKS, select_works

    frames = []
    for speed in (True, False):
        path = tmp_path / f"{speed}.{fmt}"
        command = exporters.ogr2ogr_command(WORKS, select_works({}), fmt, str(path), speed=speed)
        subprocess.run(command, env=exporters._libpq_environment(), check=True, capture_output=True)  # noqa: S603
        frames.append(read(path, fmt).sort_values("id", ignore_index=True))
    assert len(frames[0]) == 4
    assert_geodataframe_equal(frames[0], frames[1])


def test_a_geoparquet_larger_than_a_row_group_keeps_every_row_in_full_row_groups(
    client, works_of_every_shape, tmp_path, monkeypatch
):
    """Rows fetched a few at a time and written in row groups of PARQUET_ROW_GROUP rows (here 1 and
    3, with four works): every row, once, in order, and the groups full but the last."""
    import pyarrow.parquet as pq

    from gis_core import exporters

    monkeypatch.setattr(exporters, "PARQUET_FETCH_ROWS", 1)
    monkeypatch.setattr(exporters, "PARQUET_ROW_GROUP", 3)
    _response, path = download(client, "/api/export/works.parquet", tmp_path, "obras.parquet")
    parquet = pq.ParquetFile(path)
    assert [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)] == [3, 1]
    monkeypatch.setattr(exporters, "PARQUET_FETCH_ROWS", 1000)
    monkeypatch.setattr(exporters, "PARQUET_ROW_GROUP", 10_000)
    _response, whole = download(client, "/api/export/works.parquet", tmp_path, "entero.parquet")
    assert pq.ParquetFile(whole).num_row_groups == 1
    assert_geodataframe_equal(read(path, "parquet"), read(whole, "parquet"))
