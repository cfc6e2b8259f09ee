"""Demo data: local CA and agency seals, one valid and one revoked certificate in BANGKA."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from lms.db import db
from lms.demo import AGENCIES, demo_programs
from lms.models import Agency, User

from . import sealing, services
from .models import CertificateStatus

VALID_NIP = "199003152015032001"  # Siti Rahmawati
REVOKED_NIP = "198805122014031003"  # Budi Santoso


def seed(app: Flask) -> None:
    for spec in AGENCIES:
        agency = db.session.scalar(select(Agency).where(Agency.code == spec.code))
        if agency is not None:
            sealing.local_seal(agency)
    program = next((p for p in demo_programs() if p.agency.code == "BANGKA"), None)
    if program is None:
        return
    for nip, revoke in ((VALID_NIP, False), (REVOKED_NIP, True)):
        user = db.session.scalar(select(User).where(User.nip == nip))
        if user is None:
            continue
        if services.current_for(user.id, program.id) is not None:
            continue
        cert = services.issue_certificate(user.id, program.id)
        if revoke and cert.status == CertificateStatus.VALID:
            services.revoke(cert, "Diterbitkan karena kekeliruan data (contoh demo).", actor=None)
    db.session.flush()
