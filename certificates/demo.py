"""Demo data: local CA and agency seals; certificates only through real completion.

The other plugins' demo data complete programs for some learners, and each completion issues the
certificate (``handlers.on_program_completed``). Here we only issue what a failed render may have
left behind, for learners who have a ``ProgramCompletion``, and revoke one BANGKA certificate so
the demo shows a revoked status too. A learner who did not complete never gets a certificate.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from lms.db import db
from lms.demo import AGENCIES, demo_programs
from lms.models import Agency, ProgramCompletion

from . import sealing, services
from .models import Certificate, CertificateStatus

REVOKED_REASON = "Diterbitkan karena kekeliruan data (contoh demo)."


def seed(app: Flask) -> None:
    for spec in AGENCIES:
        agency = db.session.scalar(select(Agency).where(Agency.code == spec.code))
        if agency is not None:
            sealing.local_seal(agency)
    for program in demo_programs():
        completed = db.session.scalars(
            select(ProgramCompletion.user_id)
            .where(ProgramCompletion.program_id == program.id)
            .order_by(ProgramCompletion.id)
        ).all()
        for user_id in completed:
            if services.current_for(user_id, program.id) is None:
                services.issue_certificate(user_id, program.id)
        if program.agency.code == "BANGKA" and completed:
            _revoke_one(program.id, completed[-1])
    db.session.flush()


def _revoke_one(program_id: int, user_id: int) -> None:
    """One revoked certificate in the program (once: a second run finds it)."""
    already = db.session.scalar(
        select(Certificate.id)
        .where(Certificate.program_id == program_id, Certificate.status == CertificateStatus.REVOKED)
        .limit(1)
    )
    cert = services.current_for(user_id, program_id)
    if already is None and cert is not None and cert.status == CertificateStatus.VALID:
        services.revoke(cert, REVOKED_REASON, actor=None)
