"""Test doubles for the dashboard: a requirement kind and an outcome column made from audit rows,
so the figures are tested without any plugin."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from lms.db import db
from lms.models import AuditLog, Program, User
from lms.requirements import LearnerStep, OutcomeColumn, RequirementChoice, RequirementKind


class FakeKind(RequirementKind):
    """Met when an audit row ``test.met:<ref>`` exists with the user as actor."""

    name = "testmet"
    title = "Test"

    def choices(self, agency_id: int) -> list[RequirementChoice]:
        return [RequirementChoice("a", "Modul A"), RequirementChoice("b", "Pakta B")]

    def label(self, ref: str) -> str:
        return {"a": "Modul A lulus", "b": "Pakta B ditandatangani"}.get(ref, ref)

    def met_user_ids(self, ref: str, program_id: int):
        return select(AuditLog.actor_id).where(AuditLog.action == f"test.met:{ref}")

    def started_user_ids(self, ref: str, program_id: int):
        return select(AuditLog.actor_id).where(AuditLog.action == f"test.started:{ref}")

    def learner_step(self, user_id: int, ref: str, program_id: int) -> LearnerStep:
        return LearnerStep(self.label(ref), False)


KIND = FakeKind()


class FakePlugin:
    name = "fakecert"

    def outcome_columns(self, program: Program) -> list[OutcomeColumn]:
        return [
            OutcomeColumn(
                "fakecert",
                "Sertifikat uji",
                select(AuditLog.actor_id).where(AuditLog.action == "test.cert"),
            )
        ]

    def program_outcomes(self, user: User, program: Program) -> list[Any]:
        return []


@contextmanager
def fake_plugin(app):
    """Only the fake plugin contributes columns, whichever real plugins are enabled."""
    plugins = app.extensions["lms.plugins"]
    saved = dict(plugins)
    plugins.clear()
    plugins["fakecert"] = FakePlugin()
    try:
        yield
    finally:
        plugins.clear()
        plugins.update(saved)


def mark(app, user: User, action: str) -> None:
    with app.app_context():
        db.session.add(AuditLog(action=action, actor_id=user.id, agency_id=user.agency_id))
        db.session.commit()
