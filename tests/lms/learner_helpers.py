"""Test doubles for the learner's home: a requirement kind whose "done:*" refs are met, and a plugin
whose ready outcome (a receipt) is listed before the real certificate, as the pact receipt is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import select

from lms.db import db
from lms.models import Program, User
from lms.plugins import Plugin
from lms.requirements import LearnerStep, ProgramOutcome, RequirementChoice, RequirementKind
from lms.services import programs as program_service

RECEIPT_URL = "/receipt-of-the-step.pdf"


class StepKind(RequirementKind):
    """``done:<x>`` is met by everyone, ``todo:<x>`` by no one; both link to a page."""

    name = "step"
    title = "Langkah uji"

    def choices(self, agency_id: int) -> list[RequirementChoice]:
        return [RequirementChoice("done:modul", "Modul"), RequirementChoice("todo:modul", "Modul")]

    def label(self, ref: str) -> str:
        return "Modul Netralitas ASN lulus" if ref.startswith("done") else "Pakta Integritas ditandatangani"

    def met_user_ids(self, ref: str, program_id: int):
        query = select(User.id)
        return query if ref.startswith("done") else query.where(User.id < 0)

    def learner_step(self, user_id: int, ref: str, program_id: int) -> LearnerStep:
        return LearnerStep(label=self.label(ref), met=ref.startswith("done"), url=f"/step/{ref}")


class ReceiptPlugin(Plugin):
    name = "receipt"

    def program_outcomes(self, user: User, program: Program) -> list[ProgramOutcome]:
        return [ProgramOutcome(label="Tanda terima", ready=True, url=RECEIPT_URL, description="Bukti langkah.")]


@contextmanager
def receipt_first(app: Flask) -> Iterator[None]:
    """The receipt plugin listed first, then the enabled plugins (the certificates last)."""
    plugins = app.extensions["lms.plugins"]
    saved = dict(plugins)
    plugins.clear()
    plugins["receipt"] = ReceiptPlugin()
    plugins.update(saved)
    try:
        yield
    finally:
        plugins.clear()
        plugins.update(saved)


def complete(app: Flask, user: User, program: Program) -> None:
    """Record the completion through the core (the certificates plugin issues on the signal)."""
    with app.app_context():
        program_service.complete_if_done(db.session.get(User, user.id), db.session.get(Program, program.id))
        db.session.commit()


class PendingPlugin(Plugin):
    """An outcome marked final that is not ready yet (a certificate still being prepared)."""

    name = "pending"

    def program_outcomes(self, user: User, program: Program) -> list[ProgramOutcome]:
        return [ProgramOutcome(label="Sertifikat uji", ready=False, final=True, description="Sedang dibuat.")]


@contextmanager
def with_plugin(app: Flask, plugin: Plugin) -> Iterator[None]:
    """``plugin`` listed after the enabled plugins, for one test."""
    plugins = app.extensions["lms.plugins"]
    plugins[plugin.name] = plugin
    try:
        yield
    finally:
        plugins.pop(plugin.name, None)


@contextmanager
def without_plugin(app: Flask, name: str) -> Iterator[None]:
    """Plugin ``name`` not listed, for one test (e.g. so a stand-in takes its outcome's place)."""
    plugins = app.extensions["lms.plugins"]
    removed = plugins.pop(name)
    try:
        yield
    finally:
        plugins[name] = removed
