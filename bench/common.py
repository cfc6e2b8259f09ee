"""Shared bits of the benchmarks: the bench database, a requirement kind made from audit rows."""

from __future__ import annotations

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
