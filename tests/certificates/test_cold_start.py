"""The demo CA and an agency's seal are created once, even when several workers start cold."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from certificates import sealing
from certificates.models import Seal, SealKind
from lms.db import db
from lms.models import Agency
from tests.lms.test_cold_start import race


def test_one_ca_and_one_seal_per_agency_when_workers_start_cold(app: Flask, make) -> None:
    agency = make.agency("BANGKA")

    def seal() -> object:
        return sealing.local_seal(db.session.get(Agency, agency.id))

    assert race(app, seal) == []
    with app.app_context():
        kinds = dict(db.session.execute(select(Seal.kind, func.count()).group_by(Seal.kind)).all())
        assert kinds == {SealKind.CA: 1, SealKind.SEAL: 1}
