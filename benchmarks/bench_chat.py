"""Chat benchmark (opt-in: `make bench-chat`).

At N works (default 1,000,000; --works or BENCH_CHAT_WORKS), seeded with the project's
`generate_synthetic` machinery in its own database (BENCH_DB, default `bench_chat`) on the
project-local cluster:
  1. answer computed: a location -> the 5 nearest works as text (chat.engine.answer, in process:
     the KNN query, the cursor upsert, the intent count, the text), p50 / p95
     (target p50 < 20 ms), against the raw KNN SQL alone (psycopg, no Django) in the same run;
  2. webhook acknowledgement: signed WhatsApp notifications (locations and texts) POSTed open-loop at
     --rate messages/s (default 50) for --seconds to the production server (scripts/serve.sh,
     GRANIAN_WORKERS from --server-workers, default 2), each answered and its reply queued in the
     outbox inside the request; latency p50 / p99 (target p99 < 50 ms).
Prints figures, ratios and the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ["LOCAL_PG_DB"] = os.environ.get("BENCH_DB", "bench_chat")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"

INNER_BOX = (-101.9, 20.2, -100.0, 21.6)  # where most synthetic works fall
APP_SECRET = secrets.token_hex(16)
KNN_SQL = """
SELECT w.id, w.name, w.status, coalesce(w.amount_modified, w.amount_approved), w.physical_progress,
       ST_Distance(w.point::geography, p.g::geography) AS metres
FROM works_map_work w, (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS g) p
WHERE w.published
ORDER BY w.point <-> p.g
LIMIT 5
"""


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(db["NAME"])))


def seed(n_works: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from priority_zones.models import Municipio
    from priority_zones.reference_data import load_municipios
    from works_map.catalogs import load_catalogs
    from works_map.demo import generate_all
    from works_map.models import Work

    call_command("migrate", verbosity=0)
    if not Municipio.objects.exists():
        load_municipios()
        load_catalogs()
    works = Work.objects.count()
    if works < n_works:
        print(f"seeding: {n_works - works:,} works ...", flush=True)
        started = time.perf_counter()
        generate_all(works=n_works - works, households=0, zones=0, seed=18, report=print)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE works_map_work")  # noqa: S608 - constant
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"data: {Work.objects.count():,} works", flush=True)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def line(name: str, ms: list[float], extra: str = "") -> None:
    print(
        f"{name:<44} n={len(ms):<5} p50 {statistics.median(ms):7.2f} ms   p95 {pct(ms, 95):7.2f} ms"
        f"   p99 {pct(ms, 99):7.2f} ms{extra}",
        flush=True,
    )


def bench_answer(rng: random.Random, samples: int) -> float:
    import psycopg
    from django.conf import settings
    from django.db import connection

    from chat import engine

    x0, y0, x1, y1 = INNER_BOX
    points = [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(samples)]
    db = settings.DATABASES["default"]
    raw: list[float] = []
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as conn:
        for lon, lat in points[:20]:
            conn.execute(KNN_SQL, [lon, lat]).fetchall()  # warm
        for lon, lat in points:
            started = time.perf_counter()
            conn.execute(KNN_SQL, [lon, lat]).fetchall()
            raw.append((time.perf_counter() - started) * 1000)
    ours: list[float] = []
    connection.ensure_connection()
    for i, (lon, lat) in enumerate(points[:20]):
        engine.answer(f"warm{i}", engine.Incoming("location", lon=lon, lat=lat), channel="bench")
    for i, (lon, lat) in enumerate(points):
        started = time.perf_counter()
        reply = engine.answer(f"bench{i}", engine.Incoming("location", lon=lon, lat=lat), channel="bench")
        ours.append((time.perf_counter() - started) * 1000)
        assert reply.intent == "location", reply.text  # noqa: S101
    line("raw KNN SQL (5 nearest, psycopg)", raw)
    p50 = statistics.median(ours)
    verdict = "OK" if p50 < 20 else "MISSED"
    line(
        "answer: location -> 5 nearest as text",
        ours,
        f"   x{p50 / statistics.median(raw):.1f} raw   target p50 < 20 ms: {verdict}",
    )
    return p50


class Server:
    def __init__(self, port: int, workers: int):
        self.port = port
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "GRANIAN_HOST": "127.0.0.1",
            "GRANIAN_PORT": str(port),
            "GRANIAN_WORKERS": str(workers),
            "GRANIAN_LOG_LEVEL": "warning",
            "GRANIAN_LOG_ACCESS_ENABLED": "false",
        }
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        for _ in range(150):
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/health")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def _notification(i: int, rng: random.Random) -> bytes:
    x0, y0, x1, y1 = INNER_BOX
    base = {
        "from": f"52147700{i % 5000:05d}",
        "id": f"wamid.BENCH{secrets.token_hex(8)}",
        "timestamp": str(int(time.time())),
    }
    if i % 2:
        message = {
            **base,
            "type": "text",
            "text": {"body": rng.choice(["obras en leon", "ayuda", "agua", "37000"])},
        }
    else:
        location = {"latitude": rng.uniform(y0, y1), "longitude": rng.uniform(x0, x1)}
        message = {**base, "type": "location", "location": location}
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"}, "messages": [message]}
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body).encode()


def bench_webhook(port: int, rate: float, seconds: float, rng: random.Random) -> float:
    total = int(rate * seconds)
    bodies = [_notification(i, rng) for i in range(total)]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def one(raw: bytes) -> None:
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        conn.request(
            "POST",
            "/webhooks/whatsapp",
            body=raw,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        conn.close()
        with lock:
            if response.status == 200:
                latencies.append(elapsed)
            else:
                failures.append(str(response.status))

    for i in range(20):  # warm the server's workers (imports, connections) before measuring
        one(_notification(i, rng))
    latencies.clear()
    threads = []
    start = time.perf_counter()
    for i, raw in enumerate(bodies):  # open loop: one message every 1/rate s, whatever the answers do
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one, args=(raw,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    p99 = pct(latencies, 99)
    print(
        f"webhook: {total} signed notifications at {rate:g}/s, "
        f"{len(failures)} not 200 {sorted(set(failures))}"
    )
    line(
        "webhook acknowledgement (200)", latencies, f"   target p99 < 50 ms: {'OK' if p99 < 50 else 'MISSED'}"
    )
    return p99


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=int(os.environ.get("BENCH_CHAT_WORKS", "1000000")))
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    seed(args.works)
    if args.seed_only:
        return
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    rng = random.Random(18)
    bench_answer(rng, args.samples)
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = Server(port, args.server_workers)
    try:
        bench_webhook(port, args.rate, args.seconds, rng)
    finally:
        server.stop()
    from outbox.models import Message

    queued = Message.objects.filter(channel="whatsapp", status="PENDING").count()
    print(f"replies queued in the outbox: {queued:,}")
    Message.objects.filter(channel="whatsapp").delete()  # the benchmark's replies are never sent
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
