"""Certificate issue: snapshot + render + QR + PAdES seal + store, through the real service
``certificates.services.issue_certificate`` (one commit per certificate), against bare WeasyPrint
(``lms.pdf.render_pdf``, same shared FontConfiguration) rendering the same certificate HTML in the
same process. Then bulk: N certificates through the RQ job queue with two ``lms worker --burst``.

    .venv/bin/python bench/bench_issue.py [--runs 30] [--bulk 1000] [--batch 50] [--skip-bulk]

Database ``ikrar_bench_issue`` (recreated each run; small), Redis 127.0.0.1:6379 DB 5, queue
``ikrar_bench``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench.common import bench_agency_and_program, pg_url, recreate_database  # noqa: E402
from bench.loadkit import ROOT, VENV_BIN, machine  # noqa: E402

DB = "ikrar_bench_issue"
REDIS_URL = "redis://127.0.0.1:6379/5"
QUEUE = "ikrar_bench"
PLUGINS = ["modules", "certificates"]
BASE_URL = "https://ikrar.example.go.id"


def _config() -> dict[str, object]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": pg_url(DB),
        "PLUGINS": PLUGINS,
        "BASE_URL": BASE_URL,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "REDIS_URL": REDIS_URL,
        "JOB_QUEUE": QUEUE,
    }


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "LMS_SQLALCHEMY_DATABASE_URI": pg_url(DB),
        "LMS_PLUGINS": json.dumps(PLUGINS),
        "LMS_BASE_URL": BASE_URL,
        "LMS_SECRET_KEY": "bench-secret-key-not-for-production",
        "LMS_REDIS_URL": REDIS_URL,
        "LMS_JOB_QUEUE": QUEUE,
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


def seed(users: int) -> tuple[int, list[int]]:
    """Schema, one agency with a program, ``users`` learners who completed it (COPY)."""
    from lms import create_app
    from lms.db import Base, db

    recreate_database(DB)
    app = create_app(_config())
    with app.app_context():
        Base.metadata.create_all(db.engine)
        agency, program = bench_agency_and_program("Sosialisasi Netralitas ASN")
        db.session.commit()
        agency_id, program_id = agency.id, program.id
        db.engine.dispose()
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(pg_url(DB).replace("+psycopg", "")) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY users (id, agency_id, role, employment_type, nip, name, position, "
            "active, created_at, activated_at) FROM STDIN"
        ) as cp:
            for uid in range(1, users + 1):
                cp.write_row(
                    (
                        uid,
                        agency_id,
                        "learner",
                        "pns",
                        f"1990010120150{uid:05d}",
                        f"Bambang Setiawan Nugroho {uid}, S.Kom.",
                        "Analis Kebijakan Ahli Muda",
                        True,
                        now,
                        now,
                    )
                )
        with cur.copy("COPY program_completions (program_id, user_id, completed_at) FROM STDIN") as cp:
            for uid in range(1, users + 1):
                cp.write_row((program_id, uid, now))
        cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), %s)", (users,))
    return program_id, list(range(1, users + 1))


def _certificate_html(snapshot: dict[str, object]) -> str:
    """The HTML ``render_certificate`` hands to WeasyPrint (same template, QR and dates)."""
    from flask import render_template
    from flask_babel import force_locale
    from markupsafe import Markup

    from certificates.rendering import qr_svg

    with force_locale(snapshot.get("language", "id")):
        return render_template(
            "certificates/pdf/certificate.html",
            s=snapshot,
            qr=Markup(qr_svg(snapshot["verify_url"])),  # noqa: S704
            dates={
                k: dt.datetime.fromisoformat(snapshot[k])
                for k in ("issued_at", "completed_at", "expires_at")
                if snapshot.get(k)
            },
        )


def run_single(runs: int, program_id: int, user_ids: list[int]) -> dict[str, float]:
    from certificates.services import issue_certificate
    from lms import create_app
    from lms.db import db
    from lms.pdf import render_pdf

    app = create_app(_config())
    issue_ms: list[float] = []
    bare_ms: list[float] = []
    with app.app_context():
        for i, uid in enumerate(user_ids[: runs + 1]):
            t0 = time.perf_counter()
            cert = issue_certificate(uid, program_id)
            db.session.commit()
            t_issue = (time.perf_counter() - t0) * 1000
            html = _certificate_html(cert.snapshot)
            t0 = time.perf_counter()
            render_pdf(html)
            t_bare = (time.perf_counter() - t0) * 1000
            if i:  # the first one warms up (seal key, fonts)
                issue_ms.append(t_issue)
                bare_ms.append(t_bare)
        db.session.remove()
        db.engine.dispose()
    issue, bare = statistics.median(issue_ms), statistics.median(bare_ms)
    print(
        f"  issue_certificate (snapshot+QR+render+seal+store+commit): median {issue:6.1f} ms over {len(issue_ms)}",
        flush=True,
    )
    print(f"  baseline bare WeasyPrint render_pdf(same HTML):            median {bare:6.1f} ms", flush=True)
    print(f"  ratio {issue / bare:.2f}x (target <= 1.3x)", flush=True)
    return {"issue_ms": issue, "bare_ms": bare}


def issue_batch(app, program_id: int, user_ids: list[int]) -> None:
    """Bench job target (RQ): issue one certificate per user, one commit each."""
    from certificates.services import issue_certificate
    from lms.db import db

    with app.app_context():
        try:
            for uid in user_ids:
                issue_certificate(uid, program_id)
                db.session.commit()
        finally:
            db.session.remove()


def _count(program_id: int) -> int:
    with psycopg.connect(pg_url(DB).replace("+psycopg", "")) as conn:
        return conn.execute(
            "SELECT count(*) FROM certificates_certificates WHERE program_id = %s", (program_id,)
        ).fetchone()[0]


def run_bulk(total: int, batch: int, program_id: int, user_ids: list[int], bare_ms: float | None) -> float:
    from redis import Redis
    from rq import Queue

    from bench.bench_issue import issue_batch as target  # not __main__: RQ imports it by path
    from lms import create_app, jobs

    Queue(QUEUE, connection=Redis.from_url(REDIS_URL)).empty()
    before = _count(program_id)
    todo = user_ids[-total:]
    app = create_app(_config())
    for start in range(0, total, batch):
        assert jobs.submit(app, target, program_id, todo[start : start + batch]) == "rq"
    cmd = [str(VENV_BIN / "lms"), "worker", "--burst"]
    t0 = time.perf_counter()
    workers = [
        subprocess.Popen(
            cmd,
            env=_env(),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # noqa: S603
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    done = before
    while done < before + total and time.perf_counter() - t0 < 900:
        time.sleep(0.25)
        done = _count(program_id)
        if all(w.poll() is not None for w in workers):
            done = _count(program_id)
            break
    elapsed = time.perf_counter() - t0
    for w in workers:
        w.wait(timeout=60)
    made = done - before
    rate = made / elapsed
    print(
        f"  bulk: {made} certificates in {elapsed:.1f} s with 2 RQ workers "
        f"({total // batch} jobs of {batch}): {rate:.1f} certificates/s",
        flush=True,
    )
    if bare_ms:
        ideal = 2 * 1000 / bare_ms
        print(
            f"  baseline: bare WeasyPrint on 2 processes = {ideal:.1f} renders/s; ratio {rate / ideal:.2f}x", flush=True
        )
    if made != total:
        raise SystemExit(f"bulk issue incomplete: {made} of {total}")
    return rate


def run(runs: int = 30, bulk: int = 1000, batch: int = 50, skip_bulk: bool = False) -> None:
    print(f"== certificate issue  ({machine()})", flush=True)
    users = runs + 1 + (0 if skip_bulk else bulk)
    t0 = time.perf_counter()
    program_id, user_ids = seed(users)
    print(f"  seeded {users} learners in {time.perf_counter() - t0:.1f} s", flush=True)
    single = run_single(runs, program_id, user_ids)
    if not skip_bulk:
        run_bulk(bulk, batch, program_id, user_ids, single["bare_ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--bulk", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--skip-bulk", action="store_true")
    args = parser.parse_args()
    run(args.runs, args.bulk, args.batch, args.skip_bulk)


if __name__ == "__main__":
    main()
