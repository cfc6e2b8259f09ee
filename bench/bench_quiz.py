"""Quiz submit: submits per second of ``POST /modules/<slug>/quiz/attempts/<id>`` (the real modules view,
CSRF token per session) under gunicorn on PostgreSQL with 100,000 learners, against ``GET
/healthz`` of the same server, same client and concurrency, in the same run.

    .venv/bin/python bench/bench_quiz.py [--learners 100000] [--sessions 400] [--concurrency 16]
                                         [--no-seed]

Seed (COPY, database ``ikrar_bench_quiz``): the Netralitas ASN content pack imported by the real
service, one agency, N learners sharing one argon2 hash. No program requires the module, so a
passing submit records the pass and sends the signals but issues no certificate (that cost is
measured by ``bench_issue.py``).

Each simulated learner (a keep-alive ``http.client`` connection on loopback) logs in, opens the
module page (CSRF token), starts an attempt and opens it (untimed preparation); then every learner
submits its sheet concurrently (timed): submits/s = sessions / wall time. The baseline sends the
same number of ``/healthz`` requests with the same thread pool.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import random
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench.common import database_exists, pg_url, recreate_database  # noqa: E402
from bench.loadkit import Gunicorn, machine  # noqa: E402

DB = "ikrar_bench_quiz"
PASSWORD = "bench-password-123"  # noqa: S105 - benchmark data
SLUG = "netralitas-asn"
PLUGINS = ["modules", "certificates"]
HIGH = "1000000 per minute"


def app_env() -> dict[str, str]:
    return {
        "LMS_SQLALCHEMY_DATABASE_URI": pg_url(DB),
        "LMS_SECRET_KEY": "bench-secret-key-not-for-production",
        "LMS_PLUGINS": json.dumps(PLUGINS),
        "LMS_RATELIMIT_PUBLIC": HIGH,
        "LMS_RATELIMIT_LOGIN": HIGH,
        "LMS_RATELIMIT_LOGIN_ACCOUNT": HIGH,
    }


def nip(n: int) -> str:
    """18 digits shaped like a NIP: birth date, TMT, sex, sequence (unique per n)."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n // 1000)
    return f"{birth:%Y%m%d}2015011{n % 1000:03d}"


def seed(learners: int) -> None:
    from lms import create_app
    from lms.db import Base, db
    from lms.models import Agency
    from modules import services
    from modules.demo import PACK

    recreate_database(DB)
    t0 = time.perf_counter()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_url(DB), "PLUGINS": PLUGINS})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        services.import_pack(PACK)
        agency = Agency(code="KEMENBENCH", name="Kementerian Pendayagunaan Bench Nasional")
        db.session.add(agency)
        db.session.commit()
        agency_id = agency.id
        db.engine.dispose()
    copy_learners(DB, agency_id, learners)
    print(f"  seeded {learners:,} learners in {time.perf_counter() - t0:.1f} s", flush=True)


def learner_name(n: int) -> str:
    return f"Pegawai Bench {n}"


def copy_learners(db_name: str, agency_id: int, learners: int) -> None:
    """COPY N learners (ids 1..N, NIPs from ``nip``) sharing one argon2 hash of PASSWORD."""
    from lms.security import hash_password

    hashed = hash_password(PASSWORD)
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(pg_url(db_name).replace("+psycopg", "")) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY users (id, agency_id, role, employment_type, nip, name, "
            "password_hash, active, created_at, activated_at) FROM STDIN"
        ) as cp:
            for n in range(1, learners + 1):
                cp.write_row((n, agency_id, "learner", "pns", nip(n), learner_name(n), hashed, True, now, now))
        cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), %s)", (learners,))
        # The quiz opens once every lesson is read: mark them read for every learner.
        cur.execute(
            "INSERT INTO modules_lesson_progress (user_id, lesson_id, read_at) "
            "SELECT u.id, l.id, %s FROM users u CROSS JOIN modules_lessons l WHERE u.agency_id = %s",
            (now, agency_id),
        )
        conn.commit()
    with psycopg.connect(pg_url(db_name).replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE users")


def healthz_baseline(clients: list[Client], sessions: int, concurrency: int) -> float:
    """``GET /healthz`` from the same clients and thread pool: requests per second."""
    health: list[int] = []

    def healthz(c: Client) -> None:
        health.append(c.request("GET", "/healthz")[0])

    jobs = (clients * 5)[: sessions * 5]
    elapsed_h, lat_h = timed_pool(jobs, healthz, concurrency)
    health_rps = len(jobs) / elapsed_h
    print(
        f"  baseline GET /healthz: {health_rps:7.1f} req/s  p50 {_pct(lat_h, 0.5):6.1f} ms "
        f" p99 {_pct(lat_h, 0.99):6.1f} ms  ({len(jobs)} requests)",
        flush=True,
    )
    return health_rps


CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"|value="([^"]+)" name="csrf_token"'
)


class Client:
    """One learner: a keep-alive connection and its session cookie."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict[str, object] | list | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        text = resp.read().decode()
        for value in resp.headers.get_all("Set-Cookie") or []:
            if value.startswith("ikrar_session="):
                self.cookie = value.split(";", 1)[0]
        return resp.status, resp.headers.get("Location", ""), text

    @staticmethod
    def token(html: str) -> str:
        m = CSRF.search(html)
        if not m:
            raise RuntimeError("no CSRF token on the page")
        return next(g for g in m.groups() if g)


def prepare(url: str, n: int) -> tuple[Client, str, list[tuple[str, str]]] | None:
    """Log in learner n, start an attempt; return the client, the attempt path and the sheet
    (None if this learner already passed in an earlier run on the same database)."""
    c = Client(url)
    _, _, page = c.request("GET", "/login")
    status, _, _ = c.request(
        "POST", "/login", {"identifier": nip(n), "password": PASSWORD, "csrf_token": c.token(page)}
    )
    if status != 302:
        raise RuntimeError(f"login of learner {n} failed: {status}")
    _, _, page = c.request("GET", f"/modules/{SLUG}")
    status, location, _ = c.request("POST", f"/modules/{SLUG}/quiz", {"csrf_token": c.token(page)})
    if status != 303:
        raise RuntimeError(f"quiz start failed: {status}")
    path = urlsplit(location).path
    if "/attempts/" not in path:
        c.conn.close()
        return None
    _, _, page = c.request("GET", path)
    questions = sorted(set(re.findall(r'name="(q-\d+)" value="0"', page)))
    sheet = [(q, "0") for q in questions] + [("confirm", "y"), ("submit", "1"), ("csrf_token", c.token(page))]
    return c, path, sheet


def timed_pool(jobs: list, fn, concurrency: int) -> tuple[float, list[float]]:
    lat: list[float] = []

    def one(job):
        t0 = time.perf_counter()
        fn(job)
        lat.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, jobs))
    return time.perf_counter() - t0, lat


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(sessions: int = 400, concurrency: int = 16, learners: int = 100_000, workers: int = 4) -> dict[str, float]:
    print(f"== quiz submit  ({machine()})", flush=True)
    ids = random.sample(range(1, learners + 1), sessions)  # fresh learners on a reused database
    with Gunicorn("wsgi:app", app_env(), workers=workers) as server:
        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            prepared = [p for p in pool.map(lambda n: prepare(server.url, n), ids) if p]
        sessions = len(prepared)
        print(
            f"  prepared {sessions} learners (log in, module page, start, open attempt) in "
            f"{time.perf_counter() - t0:.1f} s; gunicorn -k sync -w {workers}, "
            f"{concurrency} client threads",
            flush=True,
        )
        statuses: list[int] = []

        def submit(item):
            client, path, sheet = item
            status, _, _ = client.request("POST", path, sheet)
            statuses.append(status)

        elapsed, lat = timed_pool(prepared, submit, concurrency)
        bad = [s for s in statuses if s != 303]
        if bad:
            raise SystemExit(f"{len(bad)} submits did not answer 303: {sorted(set(bad))}")
        submit_rps = sessions / elapsed
        print(
            f"  quiz submit: {submit_rps:7.1f} submits/s  p50 {_pct(lat, 0.5):6.1f} ms  "
            f"p99 {_pct(lat, 0.99):6.1f} ms  ({sessions} submits, all 303)",
            flush=True,
        )
        clients = [c for c, _, _ in prepared]
        health_rps = healthz_baseline(clients, sessions, concurrency)
        print(f"  ratio submit/healthz {submit_rps / health_rps:.2f}x", flush=True)
        for c in clients:
            c.conn.close()
    return {"submit_rps": submit_rps, "healthz_rps": health_rps, "submit_p50": statistics.median(lat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-seed", action="store_true", help=f"reuse {DB}")
    args = parser.parse_args()
    if not args.no_seed or not database_exists(DB):
        seed(args.learners)
    run(args.sessions, args.concurrency, args.learners, args.workers)


if __name__ == "__main__":
    main()
