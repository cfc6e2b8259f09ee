"""Helpers for the certificates tests: issue through the real service, a JP requirement kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from certificates import services
from certificates.models import Certificate
from lms.db import db
from lms.models import ElectionKind, ProgramCompletion, User
from lms.requirements import LearnerStep, RequirementChoice, RequirementKind

ELECTION_NAME = "Pemilihan Umum Tahun 2029"
ELECTION_NAME_EN = "2029 General Election"
VOTING_DAY = dt.date(2029, 2, 14)  # illustrative: KPU has not set it yet


class JpKind(RequirementKind):
    """A stand-in requirement kind worth JP hours (real ones come from other plugins)."""

    name = "certtest"
    title = "Test"

    def choices(self, agency_id: int) -> list[RequirementChoice]:
        return [RequirementChoice("netralitas", "Modul Netralitas ASN")]

    def label(self, ref: str) -> str:
        return f"Modul {ref.title()}"

    def met_user_ids(self, ref: str, program_id: int):
        return select(User.id)

    def jp_hours(self, ref: str) -> float:
        return 2.0

    def learner_step(self, user_id: int, ref: str, program_id: int) -> LearnerStep:
        return LearnerStep(label=self.label(ref), met=True)


@pytest.fixture(autouse=True)
def _jp_kind(requirement_kinds) -> None:
    requirement_kinds(JpKind())


@dataclass
class Issued:
    code: str
    number: str
    pdf: bytes
    sha: str
    user_id: int
    program_id: int


def issue(app: Flask, user: User, program, completed: bool = True) -> Issued:
    """Issue as the real flow does: after the program's completion is recorded (unless told not to)."""
    with app.app_context():
        exists = db.session.scalar(
            select(ProgramCompletion).where(
                ProgramCompletion.user_id == user.id, ProgramCompletion.program_id == program.id
            )
        )
        if completed and exists is None:
            db.session.add(ProgramCompletion(user_id=user.id, program_id=program.id))
        cert = services.issue_certificate(user.id, program.id)
        db.session.commit()
        return Issued(cert.code, cert.number, cert.pdf or b"", cert.pdf_sha256 or "", cert.user_id, cert.program_id)


def load(app: Flask, code: str) -> Certificate:
    with app.app_context():
        cert = services.by_code(code)
        assert cert is not None
        db.session.expunge(cert)
        return cert


@pytest.fixture
def world(app: Flask, make):
    """An agency with a unit, an admin, a learner, and a program requiring a JP-bearing module."""
    agency = make.agency(
        "BANGKA", name="Pemerintah Kabupaten Bangka", head_name="Drs. Ahmad Fauzi", head_title="Sekretaris Daerah"
    )
    unit = make.unit(agency, "Dinas Pendidikan")
    learner = make.user(agency, name="Siti Rahmawati, S.Pd.", unit_id=unit.id, nip="199003152015032001")
    admin = make.admin(agency)
    election = make.election(
        kind=ElectionKind.PEMILU,
        name=ELECTION_NAME,
        name_en=ELECTION_NAME_EN,
        voting_day=VOTING_DAY,
    )
    program = make.program(
        agency, requirements=[("certtest", "netralitas")], title="Sosialisasi Netralitas ASN", election=election
    )
    return {
        "agency": agency,
        "unit": unit,
        "learner": learner,
        "admin": admin,
        "program": program,
        "election": election,
    }
