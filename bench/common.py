"""Shared bits of the benchmarks: the bench database, a requirement kind made from audit rows."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

import psycopg
from sqlalchemy import select

from lms.models import AuditLog
from lms.requirements import LearnerStep, RequirementChoice, RequirementKind

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "ikrar_bench"


def pg_url(name: str = BENCH_DB) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def recreate_database(name: str) -> None:
    if not name.startswith("ikrar_bench"):
        raise SystemExit("refusing to touch a database not named ikrar_bench*")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_agency_and_program(title: str, requirements: list[tuple[str, str]] = (), **dates: dt.date):
    """The bench's agency and its open program for Pemilu 2029 (added and flushed); returns both."""
    from lms.db import db
    from lms.models import Agency, Election, ElectionKind, Program, ProgramRequirement, ProgramStatus

    agency = Agency(
        code="KEMENBENCH",
        name="Kementerian Pendayagunaan Bench Nasional",
        head_name="Dr. Siti Rahmawati, M.Si.",
        head_title="Sekretaris Jenderal",
    )
    election = Election(kind=ElectionKind.PEMILU, name="Pemilihan Umum Tahun 2029", voting_day=dt.date(2029, 2, 14))
    db.session.add_all([agency, election])
    db.session.flush()
    today = dt.date.today()
    program = Program(
        election_id=election.id,
        agency_id=agency.id,
        title=title,
        starts_on=dates.get("starts_on", today - dt.timedelta(days=30)),
        deadline=dates.get("deadline", today + dt.timedelta(days=60)),
        status=ProgramStatus.OPEN,
        requirements=[ProgramRequirement(kind=k, ref=r, position=i) for i, (k, r) in enumerate(requirements)],
    )
    db.session.add(program)
    db.session.flush()
    return agency, program


def database_exists(name: str) -> bool:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


class BenchKind(RequirementKind):
    """Met when an audit row ``bench.met:<ref>`` of the program's agency names the user."""

    name = "benchmet"
    title = "Bench"

    def choices(self, agency_id: int) -> list[RequirementChoice]:
        return [RequirementChoice("module", "Modul"), RequirementChoice("pledge", "Pakta")]

    def label(self, ref: str) -> str:
        return {"module": "Modul lulus", "pledge": "Pakta ditandatangani"}[ref]

    def met_user_ids(self, ref: str, program_id: int):
        return select(AuditLog.actor_id).where(AuditLog.agency_id == 1, AuditLog.action == f"bench.met:{ref}")

    def learner_step(self, user_id: int, ref: str, program_id: int) -> LearnerStep:
        return LearnerStep(self.label(ref), False)


def register_kind(app) -> None:
    reg = app.extensions["lms.requirements"]
    if reg.get("benchmet") is None:
        reg.register(BenchKind())


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)
