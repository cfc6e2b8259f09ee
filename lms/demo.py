"""Demo data: two agencies with units, admins and about 50 learners each, one open program each.

Idempotent: running it again changes nothing. Plugins add their part through ``Plugin.seed_demo``.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from lms.db import db, utcnow
from lms.models import Agency, Election, ElectionKind, EmploymentType, Program, ProgramStatus, Role, Unit, User
from lms.security import hash_password
from lms.urls import external_url

DEMO_PASSWORD = "ikrar-demo-2026"
PLATFORM_ADMIN_EMAIL = "platform@ikrar.demo"
DEMO_PROGRAM_TITLE = "Sosialisasi Netralitas ASN"
# A closed program of the past re-run, so the admin pages and the dashboard show a finished one.
RERUN_PROGRAM_TITLE = "Sosialisasi Netralitas ASN — Pemilihan Ulang 2025"
RERUN_DATES = (dt.date(2025, 7, 21), dt.date(2025, 8, 20))


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    head_name: str
    head_title: str
    admin_email: str
    units: tuple[str, ...]
    named_learners: tuple[tuple[str, str, EmploymentType, str], ...]  # (name, nip, type, email)
    timezone: str = "Asia/Jakarta"  # Bangka Belitung is in WIB (UTC+7)


AGENCIES = (
    DemoAgency(
        code="BANGKA",
        name="Pemerintah Kabupaten Bangka",
        head_name="Drs. H. Ahmad Fauzi, M.Si.",
        head_title="Sekretaris Daerah",
        admin_email="admin@bangka.demo",
        units=(
            "Sekretariat Daerah",
            "Dinas Pendidikan",
            "Dinas Kesehatan",
            "Badan Kepegawaian dan Pengembangan SDM",
            "Kecamatan Sungailiat",
        ),
        named_learners=(
            ("Siti Rahmawati, S.Pd.", "199003152015032001", EmploymentType.PNS, "siti@bangka.demo"),
            ("Budi Santoso, S.E.", "198805122014031003", EmploymentType.PNS, "budi@bangka.demo"),
            ("Dewi Lestari, A.Md.Kep.", "199507202023212112", EmploymentType.PPPK, "dewi@bangka.demo"),
        ),
    ),
    DemoAgency(
        code="PGK",
        name="Pemerintah Kota Pangkalpinang",
        head_name="Ir. Rina Marlina, M.T.",
        head_title="Sekretaris Daerah",
        admin_email="admin@pangkalpinang.demo",
        units=("Sekretariat Daerah", "Dinas Perhubungan", "Dinas Sosial", "Kecamatan Bukit Intan"),
        named_learners=(("Andi Pratama, S.H.", "199201012019031005", EmploymentType.PNS, "andi@pangkalpinang.demo"),),
    ),
)

FIRST_NAMES = (
    "Agus",
    "Rina",
    "Hendra",
    "Yuni",
    "Fajar",
    "Lina",
    "Rudi",
    "Maya",
    "Eko",
    "Sri",
    "Dedi",
    "Nurul",
    "Bayu",
    "Wulan",
    "Iwan",
    "Tika",
    "Arif",
    "Desi",
    "Joko",
    "Intan",
)
LAST_NAMES = (
    "Saputra",
    "Wijaya",
    "Hidayat",
    "Kurniawan",
    "Permata",
    "Susanti",
    "Gunawan",
    "Handayani",
    "Setiawan",
    "Anggraini",
    "Nugroho",
    "Rahayu",
)
LEARNERS_PER_AGENCY = 50


def _random_nip(rng: random.Random, kind: EmploymentType, seq: int) -> str:
    born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 35))
    sex = rng.choice((1, 2))
    if kind == EmploymentType.PPPK:
        year = rng.randrange(max(born.year + 20, 2019), 2026)
        return f"{born:%Y%m%d}{year}{rng.choice((21, 24)):02d}{sex}{seq:03d}"
    year = rng.randrange(born.year + 20, min(born.year + 35, 2025) + 1)
    return f"{born:%Y%m%d}{year}{rng.randrange(1, 13):02d}{sex}{seq:03d}"


@functools.cache
def _demo_hash() -> str:
    """One argon2 hash shared by every demo account (same password; hashing 100 takes seconds)."""
    return hash_password(DEMO_PASSWORD)


def _ensure_user(**fields: object) -> User:
    key = {"nip": fields["nip"]} if fields.get("nip") else {"email": fields["email"]}
    user = db.session.scalar(select(User).filter_by(**key))
    if user is None:
        user = User(**fields, password_hash=_demo_hash(), activated_at=utcnow())
        db.session.add(user)
    return user


def _seed_agency(spec: DemoAgency, rng: random.Random) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.code == spec.code))
    if agency is None:
        agency = Agency(code=spec.code, name=spec.name, head_name=spec.head_name, head_title=spec.head_title)
        db.session.add(agency)
    agency.timezone = spec.timezone
    db.session.flush()
    units = {}
    for name in spec.units:
        unit = db.session.scalar(select(Unit).where(Unit.agency_id == agency.id, Unit.name == name))
        if unit is None:
            unit = Unit(agency_id=agency.id, name=name)
            db.session.add(unit)
            db.session.flush()
        units[name] = unit
    _ensure_user(
        email=spec.admin_email,
        name=f"Admin {spec.name}",
        role=Role.AGENCY_ADMIN,
        agency_id=agency.id,
        employment_type=EmploymentType.NON_ASN,
    )
    unit_list = list(units.values())
    for i, (name, nip, kind, email) in enumerate(spec.named_learners):
        _ensure_user(
            nip=nip,
            email=email,
            name=name,
            employment_type=kind,
            agency_id=agency.id,
            unit_id=unit_list[i % len(unit_list)].id,
            position="Pelaksana",
        )
    for i in range(LEARNERS_PER_AGENCY - len(spec.named_learners)):
        kind = EmploymentType.PPPK if i % 4 == 3 else EmploymentType.PNS
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        _ensure_user(
            nip=_random_nip(rng, kind, 100 + i),
            name=name,
            employment_type=kind,
            agency_id=agency.id,
            unit_id=unit_list[i % len(unit_list)].id,
            position=rng.choice(("Analis Kepegawaian", "Guru", "Perawat", "Pengadministrasi", "Penyuluh", "Staf")),
        )
    return agency


@dataclass(frozen=True)
class DemoElection:
    kind: ElectionKind
    name: str
    name_en: str
    voting_day: dt.date
    campaign: tuple[dt.date, dt.date] | None
    region: str | None


# The 2025 re-run is real (KPU set it for 27 August 2025 after the empty box won in 2024). Pemilu
# 2029 is the next national election, but its voting day and campaign period are not set yet: the
# dates below are illustrative (the README says so).
DEMO_ELECTIONS = (
    DemoElection(
        ElectionKind.PILKADA_ULANG,
        "Pemilihan Bupati dan Wakil Bupati Bangka serta Wali Kota dan Wakil Wali Kota Pangkalpinang Tahun 2025",
        "2025 Bangka Regent and Pangkalpinang Mayor Election",
        dt.date(2025, 8, 27),
        None,
        "Kabupaten Bangka dan Kota Pangkalpinang",
    ),
    DemoElection(
        ElectionKind.PEMILU,
        "Pemilihan Umum Tahun 2029",
        "2029 General Election",
        dt.date(2029, 2, 14),
        (dt.date(2028, 11, 28), dt.date(2029, 2, 10)),
        None,
    ),
)


def _seed_elections() -> list[Election]:
    """Every demo election (once), in the order of ``DEMO_ELECTIONS``."""
    seeded = []
    for spec in DEMO_ELECTIONS:
        election = db.session.scalar(select(Election).where(Election.name == spec.name))
        if election is None:
            election = Election(
                kind=spec.kind,
                name=spec.name,
                name_en=spec.name_en,
                voting_day=spec.voting_day,
                campaign_starts_on=spec.campaign[0] if spec.campaign else None,
                campaign_ends_on=spec.campaign[1] if spec.campaign else None,
                region=spec.region,
            )
            db.session.add(election)
            db.session.flush()
        seeded.append(election)
    return seeded


def _seed_program(
    agency: Agency,
    election: Election,
    title: str = DEMO_PROGRAM_TITLE,
    dates: tuple[dt.date, dt.date] | None = None,
    status: ProgramStatus = ProgramStatus.OPEN,
) -> Program:
    program = db.session.scalar(select(Program).where(Program.agency_id == agency.id, Program.title == title))
    if program is None:
        today = dt.date.today()
        starts_on, deadline = dates or (today - dt.timedelta(days=14), today + dt.timedelta(days=21))
        program = Program(
            agency_id=agency.id,
            election_id=election.id,
            title=title,
            description="Sosialisasi wajib netralitas ASN menjelang pemilihan.",
            starts_on=starts_on,
            deadline=deadline,
            status=status,
        )
        db.session.add(program)
        db.session.flush()
    return program


def demo_programs() -> list[Program]:
    """The demo's open programs, for plugins to attach their requirements to."""
    codes = [a.code for a in AGENCIES]
    return list(
        db.session.scalars(
            select(Program).join(Agency).where(Agency.code.in_(codes), Program.title == DEMO_PROGRAM_TITLE)
        )
    )


def seed_demo(app: Flask) -> Iterator[str]:
    rng = random.Random(2026)  # noqa: S311 - deterministic demo data, not security
    _ensure_user(
        email=PLATFORM_ADMIN_EMAIL,
        name="Admin Platform Ikrar",
        role=Role.PLATFORM_ADMIN,
        employment_type=EmploymentType.NON_ASN,
    )
    rerun, pemilu = _seed_elections()
    for spec in AGENCIES:
        agency = _seed_agency(spec, rng)
        _seed_program(agency, pemilu)
        _seed_program(agency, rerun, RERUN_PROGRAM_TITLE, RERUN_DATES, ProgramStatus.CLOSED)
    db.session.commit()
    for name, plugin in app.extensions["lms.plugins"].items():
        plugin.seed_demo(app)
        db.session.commit()
        yield f"  plugin {name}: demo data ready"
    login = external_url("auth.login")
    yield f"Demo ready. Log in at {login} with password {DEMO_PASSWORD}:"
    yield f"  platform admin   {PLATFORM_ADMIN_EMAIL}"
    for spec in AGENCIES:
        yield f"  agency admin     {spec.admin_email}  ({spec.name})"
    for spec in AGENCIES:
        for name, nip, _kind, _email in spec.named_learners:
            yield f"  learner          NIP {nip}  {name}"
