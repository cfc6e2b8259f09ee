"""Import N generated staff rows (CSV) through the import service (validate + write + commit),
against a baseline in the same run: a bare Core executemany of the same rows into ``users``.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--skip-pg]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pg_url, recreate_database  # noqa: E402

IMPORT_DB = "ikrar_bench_import"


def make_csv(rows: int) -> bytes:
    lines = ["NIP;Nama;E-mail;Unit Kerja;Jabatan;Jenis"]
    base = dt.date(1970, 1, 1)
    for i in range(rows):
        born = base + dt.timedelta(days=i // 999)
        nip = f"{born:%Y%m%d}2015011{i % 999 + 1:03d}"
        lines.append(f"{nip};Pegawai {i};p{i}@contoh.go.id;Unit {i % 50:02d};Analis;PNS")
    return ("\n".join(lines) + "\n").encode()


def run_one(url: str, data: bytes, rows: int) -> dict[str, float]:
    from sqlalchemy import insert

    from lms import create_app
    from lms.db import Base, db, utcnow
    from lms.models import Agency, EmploymentType, Role, User
    from lms.staff.importer import apply_import, build_preview

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        db.session.add_all([Agency(id=1, code="IMP", name="Impor"), Agency(id=2, code="BASE", name="Base")])
        db.session.commit()
        # baseline: the same rows, already parsed, written with one Core executemany
        now = utcnow()
        plain = [
            {
                "agency_id": 2,
                "nip": f"{i:018d}",
                "email": f"b{i}@x.go.id",
                "name": f"P {i}",
                "position": "Analis",
                "role": Role.LEARNER,
                "employment_type": EmploymentType.PNS,
                "active": True,
                "created_at": now,
            }
            for i in range(rows)
        ]
        t0 = time.perf_counter()
        for i in range(0, rows, 5000):
            db.session.execute(insert(User.__table__), plain[i : i + 5000])
        db.session.commit()
        baseline = time.perf_counter() - t0

        agency = db.session.get(Agency, 1)
        t0 = time.perf_counter()
        preview = build_preview(agency, "staff.csv", data, create_units=True)
        assert not preview.errors, preview.errors[:3]
        t_validate = time.perf_counter() - t0
        apply_import(agency, preview, None)
        db.session.commit()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = build_preview(agency, "staff.csv", data, create_units=True)
        apply_import(agency, again, None)
        db.session.commit()
        second = time.perf_counter() - t0
        assert again.unchanged == rows and again.to_create == again.to_update == 0
    with app.app_context():
        db.engine.dispose()
    return {
        "baseline_s": baseline,
        "validate_s": t_validate,
        "import_s": first,
        "reimport_s": second,
    }


def run(rows: int, skip_pg: bool = False) -> dict[str, dict[str, float]]:
    data = make_csv(rows)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        out["SQLite"] = run_one(f"sqlite:///{tmp}/import.db", data, rows)
    if not skip_pg:
        recreate_database(IMPORT_DB)
        out["PostgreSQL"] = run_one(pg_url(IMPORT_DB), data, rows)
    for name, r in out.items():
        print(
            f"{name}: import of {rows:,} CSV rows {r['import_s']:.2f} s "
            f"(validate {r['validate_s']:.2f} s; {r['import_s'] / r['baseline_s']:.1f}x the bare "
            f"executemany baseline of {r['baseline_s']:.2f} s); re-import (no change) "
            f"{r['reimport_s']:.2f} s; target < 30 s: {'OK' if r['import_s'] < 30 else 'MISSED'}"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    run(args.rows, args.skip_pg)


if __name__ == "__main__":
    main()
