"""Environment problems as system checks with stable ids (run by `manage.py check`)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.db import connection
from django.db.utils import OperationalError

MIN_POSTGIS = (3, 1)


@register(Tags.database, deploy=False)
def check_postgis(app_configs, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            row = cursor.fetchone()
    except OperationalError as exc:
        return [Error(f"Cannot connect to the database: {exc}", id="gis_core.E002")]
    if row is None:
        return [
            Error(
                "The PostGIS extension is not installed in the database.",
                hint="Run `scripts/bootstrap.sh db` (or, as a superuser, CREATE EXTENSION postgis).",
                id="gis_core.E001",
            )
        ]
    version = tuple(int(p) for p in row[0].split(".")[:2])
    if version < MIN_POSTGIS:
        return [
            Error(
                f"PostGIS {row[0]} is too old; {MIN_POSTGIS[0]}.{MIN_POSTGIS[1]}+ is required.",
                id="gis_core.E001",
            )
        ]
    return []


@register()
def check_gdal(app_configs, **kwargs):
    try:
        from django.contrib.gis import gdal

        gdal.gdal_version()
    except Exception as exc:  # noqa: BLE001 - any loader failure is the same problem for the operator
        return [
            Error(f"GDAL cannot be loaded: {exc}", hint="Install gdal-bin / libgdal.", id="gis_core.E003")
        ]
    return []
