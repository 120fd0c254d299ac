"""The least a WSGI app can do: answer every request at once with the same body (BENCH_FLOOR_BYTES,
default 60,000). bench_tiles.py serves it with Granian as the project is served, to measure the
HTTP exchange alone: no Django, no Redis, no SQL."""

from __future__ import annotations

import os

BODY = os.urandom(int(os.environ.get("BENCH_FLOOR_BYTES", "60000")))
HEADERS = [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):  # type: ignore[no-untyped-def]
    start_response("200 OK", HEADERS)
    return [BODY]
