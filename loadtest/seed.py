"""Seed a load-test database through the app's own models and services.

    LMS_SQLALCHEMY_DATABASE_URI=... LMS_SECRET_KEY=... .venv/bin/python loadtest/seed.py --learners 500

Run after ``lms db upgrade`` and ``lms modules import modules/content/netralitas-asn``. Creates one
agency with five units, one agency admin, N learners (valid PNS NIPs, bulk-inserted with ONE shared
argon2 hash of ``PASSWORD``: hashing 500 times would only measure argon2), the platform's default
pledge text, and one open program requiring module ``netralitas-asn`` and pledge
``netralitas-asn``. Prints one JSON line: program_id, agency_id, admin_email, learners.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from sqlalchemy import insert, select

PASSWORD = "load-test-password-2026"
ADMIN_EMAIL = "admin@load.example.id"
UNITS = ["Bagian Umum", "Bagian Keuangan", "Bidang Pendidikan", "Bidang Kesehatan", "Sekretariat"]


def learner_nip(i: int) -> str:
    """A well-formed PNS NIP: birth date (varies with i), TMT 2015-03, sex 1, sequence 001."""
    born = dt.date(1980, 1, 1) + dt.timedelta(days=i)
    return f"{born:%Y%m%d}201503" + "1" + "001"


def learner_email(i: int) -> str:
    return f"peserta{i:04d}@load.example.id"


def learner_name(i: int) -> str:
    return f"Peserta Uji {i:04d}"


def seed(n: int) -> dict[str, object]:
    from lms.db import db
    from lms.models import Agency, Election, ElectionKind, Program, ProgramRequirement, ProgramStatus, Role, Unit, User
    from lms.security import hash_password
    from pledges import services as pledge_services

    agency = Agency(code="LOADTEST", name="Badan Uji Beban", head_name="Kepala Badan Uji", head_title="Kepala")
    db.session.add(agency)
    db.session.flush()
    units = [Unit(agency_id=agency.id, name=name) for name in UNITS]
    db.session.add_all(units)
    db.session.flush()
    shared = hash_password(PASSWORD)
    db.session.add(
        User(
            agency_id=agency.id,
            role=Role.AGENCY_ADMIN,
            email=ADMIN_EMAIL,
            name="Admin Uji Beban",
            password_hash=shared,
            activated_at=dt.datetime.now(dt.UTC),
        )
    )
    now = dt.datetime.now(dt.UTC)
    db.session.execute(
        insert(User),
        [
            {
                "agency_id": agency.id,
                "unit_id": units[i % len(units)].id,
                "role": Role.LEARNER,
                "nip": learner_nip(i),
                "email": learner_email(i),
                "name": learner_name(i),
                "position": "Analis",
                "password_hash": shared,
                "active": True,
                "activated_at": now,
            }
            for i in range(n)
        ],
    )
    pledge_services.ensure_default_text()
    today = dt.date.today()
    election = Election(kind=ElectionKind.PEMILU, name="Pemilihan Umum Tahun 2029", voting_day=dt.date(2029, 2, 14))
    db.session.add(election)
    db.session.flush()
    program = Program(
        election_id=election.id,
        agency_id=agency.id,
        title="Sosialisasi Netralitas ASN (uji beban)",
        starts_on=today - dt.timedelta(days=1),
        deadline=today + dt.timedelta(days=30),
        status=ProgramStatus.OPEN,
    )
    program.requirements = [
        ProgramRequirement(kind="module", ref="netralitas-asn", position=0),
        ProgramRequirement(kind="pledge", ref="netralitas-asn", position=1),
    ]
    db.session.add(program)
    db.session.commit()
    count = db.session.scalar(
        select(db.func.count()).select_from(User).where(User.agency_id == agency.id, User.role == Role.LEARNER)
    )
    return {"program_id": program.id, "agency_id": agency.id, "admin_email": ADMIN_EMAIL, "learners": count}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=500)
    args = parser.parse_args()
    from lms import create_app

    app = create_app()
    with app.app_context():
        print(json.dumps(seed(args.learners)))


if __name__ == "__main__":
    main()
