"""Public verification ``GET /v/<code>`` under gunicorn on PostgreSQL with 1,000,000 certificates,
against a bare Flask app (``bench/verify_baseline.py``) doing the same indexed lookup and rendering
a template of the same byte size, served with the same gunicorn settings. Load: wrk on loopback.

    .venv/bin/python bench/bench_verify.py [--certs 1000000] [--no-seed] [--duration 15s]

Seed (COPY, database ``ikrar_bench_verify``): one agency and program, one certificate really
issued by ``certificates.services.issue_certificate`` (its snapshot and sealed PDF are the model
for the others), then N-1 users and N-1 certificates whose snapshot copies the real one (own name,
code, number, verify URL), a small placeholder PDF and its SHA-256, codes made like real ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench.common import bench_agency_and_program, database_exists, pg_url, recreate_database  # noqa: E402
from bench.loadkit import BENCH, Gunicorn, machine, wrk  # noqa: E402

DB = "ikrar_bench_verify"
BASE_URL = "https://ikrar.example.go.id"
PLUGINS = '["modules", "certificates"]'
LUA = BENCH / "wrk_codes.lua"


def app_env() -> dict[str, str]:
    return {
        "LMS_SQLALCHEMY_DATABASE_URI": pg_url(DB),
        "LMS_SECRET_KEY": "bench-secret-key-not-for-production",
        "LMS_PLUGINS": PLUGINS,
        "LMS_BASE_URL": BASE_URL,
        "LMS_RATELIMIT_PUBLIC": "1000000 per minute",
    }


def _issue_model_certificate() -> tuple[int, int, int]:
    """Create the schema and issue one real certificate; returns (agency, program, user) ids."""
    from lms import create_app
    from lms.db import Base, db, utcnow
    from lms.models import EmploymentType, Role, User

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_url(DB), "PLUGINS": json.loads(PLUGINS), "BASE_URL": BASE_URL}
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        from certificates import services

        agency, program = bench_agency_and_program("Sosialisasi Netralitas ASN")
        user = User(
            agency_id=agency.id,
            role=Role.LEARNER,
            employment_type=EmploymentType.PNS,
            nip="199001012015011001",
            name="Bambang Setiawan Nugroho, S.Kom.",
            position="Analis Kebijakan Ahli Muda",
            activated_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        services.issue_certificate(user.id, program.id)
        db.session.commit()
        ids = (agency.id, program.id, user.id)
        db.engine.dispose()
    return ids


def seed(certs: int) -> None:
    from certificates.services import new_code

    recreate_database(DB)
    t0 = time.perf_counter()
    agency_id, program_id, first_user = _issue_model_certificate()
    dsn = pg_url(DB).replace("+psycopg", "")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        snap_text, number, issued_at, expires_at = cur.execute(
            "SELECT snapshot::text, number, issued_at, expires_at FROM certificates_certificates"
        ).fetchone()
        model = json.loads(snap_text)
        year = number.rsplit("/", 1)[1]
        code_of_agency = model["agency_code"]
        pdf = b"%PDF-1.7\n% placeholder certificate for the benchmark\n%%EOF\n"
        sha = hashlib.sha256(pdf).hexdigest()
        now = dt.datetime.now(dt.UTC)
        n = certs - 1
        with cur.copy(
            "COPY users (id, agency_id, role, employment_type, nip, name, active, created_at) FROM STDIN"
        ) as cp:
            for i in range(n):
                uid = first_user + 1 + i
                cp.write_row((uid, agency_id, "learner", "pns", f"{uid:018d}", f"Pegawai Bench {uid}", True, now))
        with cur.copy(
            "COPY certificates_certificates (user_id, code, number, agency_id, "
            "program_id, generation, status, snapshot, pdf, pdf_sha256, issued_at, "
            "expires_at) FROM STDIN"
        ) as cp:
            for i in range(n):
                uid = first_user + 1 + i
                code = new_code()
                num = f"{i + 2:07d}/{code_of_agency}/{year}"
                snap = dict(
                    model, code=code, number=num, name=f"Pegawai Bench {uid}", verify_url=f"{BASE_URL}/V/{code}".upper()
                )
                cp.write_row(
                    (
                        uid,
                        code,
                        num,
                        agency_id,
                        program_id,
                        1,
                        "valid",
                        json.dumps(snap),
                        pdf,
                        sha,
                        issued_at,
                        expires_at,
                    )
                )
        cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), max(id)) FROM users")
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE users")
        conn.execute("VACUUM ANALYZE certificates_certificates")
    print(f"seeded {certs:,} certificates in {time.perf_counter() - t0:.0f} s", flush=True)


def codes_file(count: int = 5000) -> Path:
    dsn = pg_url(DB).replace("+psycopg", "")
    with psycopg.connect(dsn) as conn:
        total = conn.execute("SELECT count(*) FROM certificates_certificates").fetchone()[0]
        codes = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM certificates_certificates TABLESAMPLE SYSTEM (1) LIMIT %s", (count,)
            )
        ]
    path = Path(tempfile.gettempdir()) / "ikrar_bench_verify_codes.txt"
    path.write_text("\n".join(codes) + "\n")
    print(f"{total:,} certificates in {DB}; {len(codes)} random codes in {path}", flush=True)
    return path


def page_size(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback only
        return len(resp.read())


def run(duration: str = "15s", workers: int = 4) -> dict[str, object]:
    print(f"== public verification GET /v/<code>  ({machine()})", flush=True)
    codes = codes_file()
    sample = codes.read_text().split()[0]
    env = {"CODES_FILE": str(codes)}
    results: dict[str, object] = {}
    with Gunicorn("wsgi:app", app_env(), workers=workers) as real:
        real_bytes = page_size(f"{real.url}/v/{sample}")
        base_env = {"BENCH_DSN": pg_url(DB).replace("+psycopg", ""), "BENCH_PAD": "0"}
        with Gunicorn("verify_baseline:app", base_env, workers=workers, chdir=BENCH) as probe:
            bare = page_size(f"{probe.url}/v/{sample}")
        base_env["BENCH_PAD"] = str(max(real_bytes - bare, 0))
        with Gunicorn("verify_baseline:app", base_env, workers=workers, chdir=BENCH) as base:
            print(
                f"page bytes: real {real_bytes}, baseline {page_size(f'{base.url}/v/{sample}')}; "
                f"gunicorn -k sync -w {workers}; wrk -d {duration}",
                flush=True,
            )
            for conns, threads in ((16, 2), (64, 4)):
                for name, server in (("baseline", base), ("real", real)):
                    wrk(server.url, conns, threads, "3s", LUA, env)  # warm up
                    res, cmd = wrk(server.url, conns, threads, duration, LUA, env)
                    results[f"{name}-c{conns}"] = res
                    print(f"  c={conns:<3} {name:<8} {res.line()}", flush=True)
                real_r, base_r = results[f"real-c{conns}"], results[f"baseline-c{conns}"]
                ratio = real_r.rps / base_r.rps
                print(f"  c={conns:<3} ratio real/baseline throughput {ratio:.2f}x (target >= 0.7x)", flush=True)
            # what bounds the ratio: the same two servers on their cheapest route
            for name, server in (("baseline", base), ("real", real)):
                res, _ = wrk(server.url + "/healthz", 16, 2, duration)
                results[f"{name}-healthz"] = res
                print(f"  c=16  {name:<8} GET /healthz  {res.line()}", flush=True)
            floor = results["real-healthz"].rps / results["baseline-c16"].rps
            print(
                f"  real app's /healthz (framework floor: session, limiter, i18n, security "
                f"headers, pool pre-ping) / baseline verify page: {floor:.2f}x",
                flush=True,
            )
            print(f"  wrk command: {cmd}", flush=True)
    p99 = results["real-c64"].p99_ms
    print(f"  p99 at 64 connections: {p99:.1f} ms (target < 100 ms)", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--certs", type=int, default=1_000_000)
    parser.add_argument("--no-seed", action="store_true", help=f"reuse {DB}")
    parser.add_argument("--duration", default="15s")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not args.no_seed or not database_exists(DB):
        seed(args.certs)
    os.environ.setdefault("LMS_PLUGINS", PLUGINS)
    run(args.duration, args.workers)


if __name__ == "__main__":
    main()
