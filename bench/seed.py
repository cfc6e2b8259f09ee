"""Seed the benchmark database with COPY: N users nationally, one agency of M staff.

    .venv/bin/python bench/seed.py --users 1000000 --agency-size 50000

Agency 1 (code BIG) has M staff in 100 units, a program with two requirements (audit-row based
kind, see common.py), 60 % module passed, 40 % pledge signed, 35 % complete, and an admin
(admin@bench.go.id / bench-password-123). Other agencies share the rest, 20 units each, with an
open program and about half complete (so the completions table is national-sized).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench.common import BENCH_DB, pg_url, recreate_database  # noqa: E402

ADMIN_EMAIL = "admin@bench.go.id"
ADMIN_PASSWORD = "bench-password-123"
ROOT_EMAIL = "root@bench.go.id"  # platform admin, same password


def seed(users: int, agency_size: int, agencies: int = 200) -> None:
    from lms import create_app
    from lms.db import Base, db
    from lms.security import hash_password

    recreate_database(BENCH_DB)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_url()})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        db.engine.dispose()
    t0 = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    today = dt.date.today()
    other = max(agencies - 1, 1)
    per_other = (users - agency_size) // other
    with psycopg.connect(pg_url().replace("+psycopg", "")) as conn, conn.cursor() as cur:
        with cur.copy("COPY agencies (id, code, name, active, created_at) FROM STDIN") as cp:
            cp.write_row((1, "BIG", "Instansi Besar", True, now))
            for a in range(2, agencies + 1):
                cp.write_row((a, f"AG{a}", f"Instansi {a}", True, now))
        unit_ids: dict[int, list[int]] = {}
        uid = 0
        with cur.copy("COPY units (id, agency_id, name, created_at) FROM STDIN") as cp:
            for a in range(1, agencies + 1):
                for u in range(100 if a == 1 else 20):
                    uid += 1
                    unit_ids.setdefault(a, []).append(uid)
                    cp.write_row((uid, a, f"Unit {u + 1:03d}", now))
        with cur.copy(
            "COPY users (id, agency_id, unit_id, role, employment_type, nip, email, name, "
            "active, created_at) FROM STDIN"
        ) as cp:
            n = 0
            for a in range(1, agencies + 1):
                size = agency_size if a == 1 else per_other
                units = unit_ids[a]
                for i in range(size):
                    n += 1
                    cp.write_row(
                        (
                            n,
                            a,
                            units[i % len(units)],
                            "learner",
                            "pns",
                            f"{n:018d}",
                            f"u{n}@bench.go.id",
                            f"Pegawai {n}",
                            True,
                            now,
                        )
                    )
        cur.execute(
            "INSERT INTO users (id, agency_id, role, employment_type, email, name, active, "
            "created_at, password_hash, activated_at) VALUES (%s, 1, 'agency_admin', "
            "'non_asn', %s, 'Admin Bench', true, %s, %s, %s)",
            (n + 1, ADMIN_EMAIL, now, hash_password(ADMIN_PASSWORD), now),
        )
        cur.execute(
            "INSERT INTO users (id, role, employment_type, email, name, active, created_at, "
            "password_hash, activated_at) VALUES (%s, 'platform_admin', 'non_asn', %s, "
            "'Root Bench', true, %s, %s, %s)",
            (n + 2, ROOT_EMAIL, now, hash_password(ADMIN_PASSWORD), now),
        )
        cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), %s)", (n + 2,))
        cur.execute("SELECT setval(pg_get_serial_sequence('units', 'id'), %s)", (uid,))
        cur.execute("SELECT setval(pg_get_serial_sequence('agencies', 'id'), %s)", (agencies,))
        with cur.copy("COPY programs (id, agency_id, title, starts_on, deadline, status, created_at) FROM STDIN") as cp:
            for a in range(1, agencies + 1):
                cp.write_row(
                    (
                        a,
                        a,
                        f"Netralitas Pilkada {a}",
                        today - dt.timedelta(days=30),
                        today + dt.timedelta(days=14),
                        "open",
                        now,
                    )
                )
        cur.execute("SELECT setval(pg_get_serial_sequence('programs', 'id'), %s)", (agencies,))
        cur.execute(
            "INSERT INTO program_requirements (program_id, kind, ref, position) VALUES "
            "(1, 'benchmet', 'module', 0), (1, 'benchmet', 'pledge', 1)"
        )
        with cur.copy("COPY audit_log (at, actor_id, agency_id, action, details) FROM STDIN") as cp:
            for i in range(1, agency_size + 1):
                if i % 10 < 6:
                    cp.write_row((now, i, 1, "bench.met:module", "{}"))
                if i % 10 < 4:
                    cp.write_row((now, i, 1, "bench.met:pledge", "{}"))
        with cur.copy("COPY program_completions (program_id, user_id, completed_at) FROM STDIN") as cp:
            n = 0
            for a in range(1, agencies + 1):
                size = agency_size if a == 1 else per_other
                for i in range(size):
                    n += 1
                    share = 35 if a == 1 else 50
                    if i % 100 < share:
                        day = i % 30
                        cp.write_row((a, n, now - dt.timedelta(days=day, hours=i % 24)))
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    print(f"seeded {users:,} users (agency BIG: {agency_size:,}) in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--agency-size", type=int, default=50_000)
    args = parser.parse_args()
    seed(args.users, args.agency_size)


if __name__ == "__main__":
    main()
