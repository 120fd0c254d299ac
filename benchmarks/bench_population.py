"""Zonal population benchmark (opt-in: `make bench-population`).

Population inside a polygon as the site computes it (gis_core.zonal.zonal_sum: read the window of
the polygon's bounds, rasterio.features.geometry_mask of the cell centres, nodata ignored) against
the usual peer, rasterio.mask.mask(crop=True) + numpy, on the same polygon and file in the same
run. Both open the file and reproject the polygon (EPSG:4326 -> the raster's CRS) every time.

Polygons: a drawn box of about 10 km² in central León, the León municipio outline and the largest
municipio, San Felipe (INEGI MG 2025). Rasters: the GHS-POP 2020 100 m León grid; a mosaic of the
four shared GHS-POP grids (León, Celaya, Irapuato, Guanajuato) written as one Cloud-Optimized
GeoTIFF; and a state-wide 100 m grid: the same four clips placed on a grid over the whole of
Guanajuato's extent (gto_estado_mg2025), nodata elsewhere, as one COG: the size of the state-wide
grid the issue names (a real state-wide GHS-POP clip is not in the shared data, so its values are
real only inside the four metropolitan zones). Prints p50/p95 and the sums; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
import rasterio.mask  # noqa: E402
import shapely  # noqa: E402
from pyproj import Transformer  # noqa: E402
from rasterio.merge import merge  # noqa: E402
from rasterio.warp import transform_bounds, transform_geom  # noqa: E402

from gis_core.zonal import zonal_sum  # noqa: E402

GRIDS = ["leon", "celaya", "irapuato", "guanajuato"]
DOWNTOWN_LEON = (-101.70, 21.105, -101.668, 21.1335)


def peer_sum(path: Path, polygon: shapely.Geometry) -> float:
    with rasterio.open(path) as src:
        projected = transform_geom("EPSG:4326", src.crs, shapely.geometry.mapping(polygon))
        data, _transform = rasterio.mask.mask(src, [projected], crop=True, all_touched=False, filled=False)
    return float(np.ma.asarray(data).filled(0).sum())  # nodata ignored, as zonal_sum does


def timed(fn, repeat: int) -> tuple[float, float, float]:
    value = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return value, statistics.median(times), times[int(0.95 * (len(times) - 1))]


def mosaic(data: Path, out_dir: Path, name: str, bounds: tuple[float, ...] | None = None) -> Path:
    """The four grids as one COG: their own union, or placed on a grid covering `bounds` (in the
    grids' CRS), nodata where no grid reaches."""
    from rio_cogeo.cogeo import cog_translate
    from rio_cogeo.profiles import cog_profiles

    sources = [rasterio.open(data / f"ghs_pop2020_100m_zm_{g}_esri54009.tif") for g in GRIDS]
    try:
        if bounds is not None:  # snapped outwards to the grids' own 100 m cells: no resampling
            origin, res = sources[0].transform, sources[0].res[0]
            left, bottom, right, top = bounds
            bounds = (
                origin.c + math.floor((left - origin.c) / res) * res,
                origin.f - math.ceil((origin.f - bottom) / res) * res,
                origin.c + math.ceil((right - origin.c) / res) * res,
                origin.f - math.floor((origin.f - top) / res) * res,
            )
        array, transform = merge(sources, bounds=bounds, nodata=sources[0].nodata)
        profile = sources[0].profile | {
            "height": array.shape[1],
            "width": array.shape[2],
            "transform": transform,
            "driver": "GTiff",
        }
    finally:
        for src in sources:
            src.close()
    plain = out_dir / f"{name}-plain.tif"
    with rasterio.open(plain, "w", **profile) as dst:
        dst.write(array)
    cog = out_dir / f"{name}.tif"
    cog_translate(str(plain), str(cog), cog_profiles.get("deflate"), quiet=True)
    return cog


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("GTO_SHARED_DATA", ROOT.parent / "shared" / "data"))
    )
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    data = args.data
    features = json.loads((data / "gto_municipios_mg2025.geojson").read_text())["features"]
    (leon,) = [f for f in features if f["properties"]["cve_geo"] == "11020"]
    (san_felipe,) = [f for f in features if f["properties"]["cve_geo"] == "11030"]
    (state,) = json.loads((data / "gto_estado_mg2025.geojson").read_text())["features"]
    to_lcc = Transformer.from_crs("EPSG:4326", "EPSG:6372", always_xy=True)
    drawn = shapely.box(*DOWNTOWN_LEON)
    polygons = {
        "drawn box": drawn,
        "León municipio": shapely.geometry.shape(leon["geometry"]),
        "San Felipe municipio (the largest)": shapely.geometry.shape(san_felipe["geometry"]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with rasterio.open(data / "ghs_pop2020_100m_zm_leon_esri54009.tif") as src:
            crs = src.crs
        state_bounds = transform_bounds(
            "EPSG:4326", crs, *shapely.geometry.shape(state["geometry"]).bounds, densify_pts=101
        )
        grids = {
            "León grid": data / "ghs_pop2020_100m_zm_leon_esri54009.tif",
            "4-grid mosaic COG": mosaic(data, Path(tmp), "mosaic"),
            "state-wide grid COG": mosaic(data, Path(tmp), "state", state_bounds),
        }
        print(f"mosaics of {len(GRIDS)} grids built in {time.perf_counter() - started:.1f} s")
        for grid in ("4-grid mosaic COG", "state-wide grid COG"):
            with rasterio.open(grids[grid]) as src:
                print(f"  {grid}: {src.width}x{src.height} cells of 100 m, {src.crs}")
        for label, polygon in polygons.items():
            area = shapely.transform(
                polygon, lambda xy: np.column_stack(to_lcc.transform(xy[:, 0], xy[:, 1]))
            ).area
            print(f"\n{label}: {area / 1e6:,.1f} km², {shapely.get_num_coordinates(polygon):,} vertices")
            for grid, path in grids.items():
                ours, p50, p95 = timed(lambda p=path, g=polygon: zonal_sum(p, g), args.repeat)
                peer, q50, q95 = timed(lambda p=path, g=polygon: peer_sum(p, g), args.repeat)
                print(
                    f"  {grid:18} zonal_sum p50 {p50:7.2f} ms p95 {p95:7.2f} ms | rasterio.mask+numpy "
                    f"p50 {q50:7.2f} ms p95 {q95:7.2f} ms | ratio {p50 / q50:4.2f} | "
                    f"people {ours.total:,.0f} vs {peer:,.0f}, coverage {ours.coverage:.3f}"
                )


if __name__ == "__main__":
    main()
