"""Citizen participation benchmark (opt-in: `make bench-participation`).

In its own database (BENCH_DB, default `bench_participation`) on the project-local cluster, with N
synthetic works (--works or BENCH_WORKS, default 200,000: what seeds in a few minutes on a busy
2-core machine; 1,000,000 is the issue's figure and only costs seeding time), one published work with
500 published reports (answered, with photos) and 100,000 reports in all, open, for the moderators:

  1. GET /obras/{id}/ (the work page with its 500 published reports)    target p50 < 100 ms
  2. GET /planeacion/participacion/ (the moderation queue, first page)  target p50 < 100 ms
  3. the same queue 1,000 pages deep (?antes=...: keyset paging)        target p50 < 100 ms

each over HTTP against one worker of the production server (scripts/serve.sh), and each against the
raw SQL of the same page: the statements Django runs for it (captured once), replayed with psycopg
in the same run, no Django, no HTTP. Prints figures, ratios and the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.pop("DATABASE_URL", None)
os.environ["BENCH_DB"] = os.environ.get("BENCH_DB", "bench_participation")
os.environ["LOCAL_PG_DB"] = os.environ["BENCH_DB"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"

from bench_queries import Server, ensure_database, free_port, seed  # noqa: E402 - after the env above

PASSWORD = "clave-de-benchmark-123"  # noqa: S105 - a throwaway account in the benchmark database
PAGE_REPORTS = 500
QUEUE_REPORTS = 100_000


def seed_reports(rng: random.Random) -> tuple[int, int]:
    """The work with 500 published reports and the 100,000-report queue; returns (work id, moderator id)."""
    from django.contrib.auth.models import Group, User
    from django.contrib.gis.geos import Point
    from django.db import connection, transaction
    from django.utils import timezone
    from PIL import Image

    from participation.actions import new_code
    from participation.models import CitizenReport, ReportEvent, ReportPhoto
    from works_map.models import Agency, UserScope, Work

    moderator, created = User.objects.get_or_create(username="bench_moderator")
    moderator.set_password(PASSWORD)
    moderator.save()
    moderator.groups.add(Group.objects.get_or_create(name="moderator")[0])
    busy = Work.objects.published().filter(folio="BENCH-PARTICIPATION").first()
    if busy is None:
        busy = Work.objects.published().exclude(municipio=None).order_by("pk").first()
        Work.objects.filter(pk=busy.pk).update(folio="BENCH-PARTICIPATION")
    scope, _ = UserScope.objects.get_or_create(user=moderator)
    scope.municipios.set([busy.municipio_id])
    have = CitizenReport.objects.count()
    if have >= QUEUE_REPORTS:
        return busy.pk, moderator.pk
    print(f"seeding {QUEUE_REPORTS - have:,} citizen reports ...", flush=True)
    agency = Agency.objects.order_by("pk").first()
    kinds = CitizenReport.Kind.values
    now = timezone.now()
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (100, 120, 140)).save(out, "JPEG")
    jpeg = out.getvalue()
    works = list(Work.objects.published().values_list("pk", "municipio_id")[:20_000])
    with transaction.atomic():
        batch: list[CitizenReport] = []
        for i in range(QUEUE_REPORTS - have):
            on_busy = i < PAGE_REPORTS
            work_id, municipio_id = (busy.pk, busy.municipio_id) if on_busy else rng.choice(works)
            received = now - timezone.timedelta(days=rng.uniform(1, 400))
            text = f"Reporte sintético {i}: la obra presenta una situación que conviene revisar."
            batch.append(
                CitizenReport(
                    work_id=work_id, municipio_id_at_receipt=municipio_id, code=new_code(),
                    kind=rng.choice(kinds), text=text, original_text=text,
                    email=f"persona{i}@example.net", location=Point(-101.2, 20.6, srid=4326),
                    state="ATENDIDO" if on_busy else rng.choice(["RECIBIDO", "EN_REVISION", "TURNADO"]),
                    published=on_busy, published_at=received if on_busy else None,
                    answer="Respuesta de la dependencia." if on_busy else "",
                    answered_at=received + timezone.timedelta(days=rng.uniform(1, 30)) if on_busy else None,
                    answered_by_agency=agency if on_busy else None, received_at=received,
                )
            )  # fmt: skip
            if len(batch) == 5000:
                CitizenReport.objects.bulk_create(batch)
                batch = []
        CitizenReport.objects.bulk_create(batch)
        # received_at is auto_now_add (all "now"): both pages order by id, so it does not matter here.
        published = list(CitizenReport.objects.filter(work_id=busy.pk).values_list("pk", flat=True))
        ReportPhoto.objects.bulk_create(
            ReportPhoto(report_id=pk, token=f"{pk:032x}", image=jpeg, width=640, height=480, size=len(jpeg))
            for pk in published[:100]
        )
        ReportEvent.objects.bulk_create(ReportEvent(report_id=pk, step="RECIBIDO") for pk in published)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # noqa: S608 - constant
    return busy.pk, moderator.pk


def http_login(port: int, username: str, password: str) -> str:
    """Sign in through /cuenta/entrar/ like a browser (the server has its own SECRET_KEY); the cookie."""
    import re
    from http.cookies import SimpleCookie

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/cuenta/entrar/")
    response = conn.getresponse()
    page = response.read().decode()
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("no CSRF token on the login page")
    body = f"csrfmiddlewaretoken={match.group(1)}&username={username}&password={password}&next=/"
    cookies = "; ".join(f"{k}={v.value}" for k, v in jar.items())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookies,
        "Referer": "http://127.0.0.1/",
    }
    conn.request("POST", "/cuenta/entrar/", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login of {username} failed: {response.status}")
    return f"sessionid={jar['sessionid'].value}"


def timed_get(port: int, path: str, cookie: str = "") -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path} -> {response.status}: {body[:300]!r}")
    return elapsed


def page_sql(path: str, user_id: int | None) -> list[tuple[str, tuple]]:
    """The statements Django runs to render `path` (captured in-process once), for the raw replay."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if user_id is not None:
        client.force_login(User.objects.get(pk=user_id))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "SET ", "django_session")
    return [(q["sql"], ()) for q in captured.captured_queries if not any(s in q["sql"] for s in skip)]


def raw_replay(statements: list[tuple[str, tuple]], repeats: int) -> list[float]:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    times = []
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as conn:
        for _ in range(repeats):
            started = time.perf_counter()
            for sql, _params in statements:
                conn.execute(sql.encode()).fetchall()  # the captured SQL has its parameters inlined
            times.append(time.perf_counter() - started)
    return times


def line(name: str, http_s: list[float], raw_s: list[float], target_ms: float) -> None:
    p50 = statistics.median(http_s) * 1000
    p95 = statistics.quantiles(http_s, n=20)[-1] * 1000
    raw = statistics.median(raw_s) * 1000
    verdict = "OK" if p50 < target_ms else "MISSED"
    print(
        f"{name:<44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  raw SQL p50 {raw:6.1f} ms  "
        f"ratio {p50 / raw:5.1f}x   target < {target_ms:g} ms: {verdict}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=int(os.environ.get("BENCH_WORKS", 200_000)))
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()

    import django

    django.setup()
    ensure_database()
    seed(args.works, 0)
    work_id, _moderator = seed_reports(random.Random(17))
    from participation.models import CitizenReport
    from works_map.models import Work

    published = CitizenReport.objects.filter(work_id=work_id, published=True).count()
    print(
        f"data: {Work.objects.count():,} works, {CitizenReport.objects.count():,} citizen reports, "
        f"{published} published on work {work_id}",
        flush=True,
    )
    from django.contrib.auth.models import User

    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"is_superuser": True})
    admin.set_password(PASSWORD)
    admin.save()
    quiet = (
        Work.objects.published().filter(citizen_reports=None).order_by("pk").values_list("pk", flat=True)[:1]
    )
    deep = (
        CitizenReport.objects.filter(state__in=CitizenReport.OPEN_STATES)
        .order_by("-pk")
        .values_list("pk", flat=True)
    )
    ids = list(deep[:50_001:50])  # the `antes` id of the page 1,000 pages deep (or the last there is)
    pages = [
        ("work page, 500 published reports", f"/obras/{work_id}/", None),
        ("  peer: a work page with no reports", f"/obras/{quiet[0]}/", None),
        ("moderation queue, first page", "/planeacion/participacion/", "bench_moderator"),
        (
            "moderation queue, ~1,000 pages deep",
            f"/planeacion/participacion/?antes={ids[-1]}",
            "bench_moderator",
        ),
        ("moderation queue, administrator", "/planeacion/participacion/", "bench_admin"),
    ]
    # The production server serves pages through the manifest storage: collect the static files first.
    os.environ["STATIC_ROOT"] = tempfile.mkdtemp(prefix="bench-static-")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "127.0.0.1"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = Server(free_port())
    try:
        cookies = {
            name: http_login(server.port, name, PASSWORD) for name in ("bench_moderator", "bench_admin")
        }
        for name, path, username in pages:
            cookie = cookies[username] if username else ""
            for _ in range(3):
                timed_get(server.port, path, cookie)  # warm the worker
            http_times = [timed_get(server.port, path, cookie) for _ in range(args.samples)]
            user_id = User.objects.get(username=username).pk if username else None
            statements = page_sql(path, user_id)
            raw_times = raw_replay(statements, args.samples)
            line(f"{name} ({len(statements)} queries)", http_times, raw_times, 100)
    finally:
        server.stop()
        shutil.rmtree(os.environ["STATIC_ROOT"], ignore_errors=True)
    one, five, fifteen = os.getloadavg()
    print(f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} CPUs", flush=True)


if __name__ == "__main__":
    main()
