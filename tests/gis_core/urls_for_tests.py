"""Test-only views that make the database refuse or time out, behind gis_core.http's middleware."""

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from tests.places import box


def refused_row(request: HttpRequest) -> HttpResponse:
    from priority_zones.models import Municipio

    Municipio.objects.create(
        cvegeo="ABCDE", name="Mal", frame_version="TEST", geom=box(-101, 21, -100.9, 21.1)
    )
    return HttpResponse("not reached")


def foreign_srid(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT ST_SetSRID(ST_MakePoint(0, 0), 3857)::geometry(Point, 4326)")
    return HttpResponse("not reached")


def slow_query(request: HttpRequest) -> HttpResponse:
    # SET LOCAL: the short timeout dies with this (sub)transaction, it never leaks to the next query.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")
    return HttpResponse("not reached")


def broken_connection(request: HttpRequest) -> HttpResponse:
    from django.db import OperationalError

    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("refused/", refused_row),
    path("foreign-srid/", foreign_srid),
    path("slow/", slow_query),
    path("broken/", broken_connection),
]
