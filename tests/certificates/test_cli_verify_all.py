"""``lms certificates verify-all`` re-hashes every stored PDF and names the ones that changed."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from certificates.models import Certificate
from lms.db import db

from .conftest import issue


def test_verify_all_reports_a_changed_pdf(app: Flask, world, make) -> None:
    first = issue(app, world["learner"], world["program"])
    other = make.user(world["agency"], name="Budi Santoso, S.E.", unit_id=world["unit"].id)
    second = issue(app, other, world["program"])
    runner = app.test_cli_runner()

    clean = runner.invoke(args=["certificates", "verify-all", "--batch", "1"])
    assert clean.exit_code == 0, clean.output
    assert "2 certificates checked, 0 problems." in clean.output

    tampered = bytearray(second.pdf)
    tampered[len(tampered) // 2] ^= 0x01
    with app.app_context():
        db.session.execute(update(Certificate).where(Certificate.code == second.code).values(pdf=bytes(tampered)))
        db.session.commit()

    dirty = runner.invoke(args=["certificates", "verify-all"])
    assert dirty.exit_code == 1
    assert f"{second.code}: stored PDF does not match its recorded SHA-256" in dirty.output
    assert first.code not in dirty.output
    assert "2 certificates checked, 1 problems." in dirty.output
