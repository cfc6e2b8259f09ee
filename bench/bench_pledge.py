"""Pledge sign: signings per second of ``POST /pledges/programs/<id>/netralitas-asn/sign`` (the real
pledges view: CSRF, form token, every commitment ticked, password re-entered, typed name, Ed25519
seal, ledger append under its lock) under gunicorn on PostgreSQL with 100,000 learners, against
``GET /healthz`` of the same server, client and concurrency, in the same run.

    .venv/bin/python bench/bench_pledge.py [--learners 100000] [--sessions 300] [--concurrency 16]
                                           [--no-seed]

Seed (COPY, database ``ikrar_bench_pledge``): one agency, N learners sharing one argon2 hash, the
platform's default pakta and one open program requiring it. Each simulated learner logs in and
opens the signing page (untimed); then every learner signs concurrently (timed). The password check
(argon2, deliberately slow) is part of signing, as it is for a real learner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench.bench_quiz import (  # noqa: E402
    PASSWORD,
    Client,
    _pct,
    copy_learners,
    healthz_baseline,
    learner_name,
    nip,
    timed_pool,
)
from bench.common import bench_agency_and_program, database_exists, pg_url, recreate_database  # noqa: E402
from bench.loadkit import Gunicorn, machine  # noqa: E402

DB = "ikrar_bench_pledge"
PLUGINS = ["pledges"]
HIGH = "1000000 per minute"
KEY = "netralitas-asn"


def app_env() -> dict[str, str]:
    return {
        "LMS_SQLALCHEMY_DATABASE_URI": pg_url(DB),
        "LMS_SECRET_KEY": "bench-secret-key-not-for-production",
        "LMS_PLUGINS": json.dumps(PLUGINS),
        "LMS_RATELIMIT_PUBLIC": HIGH,
        "LMS_RATELIMIT_LOGIN": HIGH,
        "LMS_RATELIMIT_LOGIN_ACCOUNT": HIGH,
    }


def seed(learners: int) -> int:
    """Create the database; return the program id."""
    from lms import create_app
    from lms.db import Base, db
    from pledges import services

    recreate_database(DB)
    t0 = time.perf_counter()
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": pg_url(DB),
            "PLUGINS": PLUGINS,
            "SECRET_KEY": app_env()["LMS_SECRET_KEY"],
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        services.ensure_default_text()
        today = dt.date.today()
        agency, program = bench_agency_and_program(
            "Sosialisasi Netralitas ASN", [("pledge", KEY)], starts_on=today, deadline=today + dt.timedelta(days=30)
        )
        db.session.commit()
        agency_id, program_id = agency.id, program.id
        db.engine.dispose()
    copy_learners(DB, agency_id, learners)
    print(f"  seeded {learners:,} learners in {time.perf_counter() - t0:.1f} s", flush=True)
    return program_id


def program_id() -> int:
    with psycopg.connect(pg_url(DB).replace("+psycopg", "")) as conn:
        return conn.execute("SELECT id FROM programs ORDER BY id LIMIT 1").fetchone()[0]


def prepare(url: str, n: int, program: int) -> tuple[Client, str, list[tuple[str, str]]] | None:
    c = Client(url)
    _, _, page = c.request("GET", "/login")
    status, _, _ = c.request(
        "POST", "/login", {"identifier": nip(n), "password": PASSWORD, "csrf_token": c.token(page)}
    )
    if status != 302:
        raise RuntimeError(f"login of learner {n} failed: {status}")
    path = f"/pledges/programs/{program}/{KEY}/sign"
    status, _, page = c.request("GET", path)
    if status != 200:  # already signed on a reused database
        c.conn.close()
        return None
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    form = [
        ("csrf_token", c.token(page)),
        ("form_token", token),
        ("password", PASSWORD),
        ("typed_name", learner_name(n)),
        ("signature", ""),
    ]
    form += [("commitments", v) for v in re.findall(r'name="commitments" value="([^"]+)"', page)]
    return c, path, form


def run(sessions: int = 300, concurrency: int = 16, learners: int = 100_000, workers: int = 4) -> dict[str, float]:
    print(f"== pledge sign  ({machine()})", flush=True)
    program = program_id()
    ids = random.sample(range(1, learners + 1), sessions)
    with Gunicorn("wsgi:app", app_env(), workers=workers) as server:
        with ThreadPoolExecutor(concurrency) as pool:
            prepared = [p for p in pool.map(lambda n: prepare(server.url, n, program), ids) if p]
        sessions = len(prepared)
        statuses: list[int] = []

        def sign(item):
            client, path, form = item
            status, _, _ = client.request("POST", path, form)
            statuses.append(status)

        elapsed, lat = timed_pool(prepared, sign, concurrency)
        bad = [s for s in statuses if s not in (302, 303)]
        if bad:
            raise SystemExit(f"{len(bad)} signings did not redirect to the receipt: {sorted(set(bad))}")
        sign_rps = sessions / elapsed
        print(
            f"  pledge sign: {sign_rps:7.1f} signings/s  p50 {_pct(lat, 0.5):6.1f} ms  "
            f"p99 {_pct(lat, 0.99):6.1f} ms  ({sessions} signings, all redirected)",
            flush=True,
        )
        clients = [c for c, _, _ in prepared]
        health_rps = healthz_baseline(clients, sessions, concurrency)
        print(f"  ratio sign/healthz {sign_rps / health_rps:.2f}x", flush=True)
        for c in clients:
            c.conn.close()
    with psycopg.connect(pg_url(DB).replace("+psycopg", "")) as conn:
        entries, last = conn.execute("SELECT count(*), max(seq) FROM pledges_ledger").fetchone()
    print(f"  ledger: {entries} entries, last seq {last} (no gap: {entries == last})", flush=True)
    return {"sign_rps": sign_rps, "healthz_rps": health_rps, "sign_p50": statistics.median(lat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-seed", action="store_true", help=f"reuse {DB}")
    args = parser.parse_args()
    if not args.no_seed or not database_exists(DB):
        seed(args.learners)
    run(args.sessions, args.concurrency, args.learners, args.workers)


if __name__ == "__main__":
    main()
