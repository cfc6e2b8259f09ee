"""CLI commands, the demo seed, and concurrent completion (PostgreSQL)."""

from __future__ import annotations

import json
import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from certificates import services
from certificates.models import Certificate, NumberCounter
from lms.db import db
from lms.signals import program_completed

from .conftest import issue, load


def test_cli_list_pdf_revoke_reissue(app: Flask, world, tmp_path) -> None:
    issued = issue(app, world["learner"], world["program"])
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["certificates", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert len(rows) == 1
    row = rows[0]
    assert row["code"] == issued.code and row["status"] == "valid"
    assert row["name"] == "Siti Rahmawati, S.Pd." and row["agency"] == "Pemerintah Kabupaten Bangka"
    assert row["program"] == "Sosialisasi Netralitas ASN" and row["issued_at"]
    assert "nip" not in json.dumps(rows).lower()
    plain = runner.invoke(args=["certificates", "list"])
    assert issued.code in plain.output

    out = tmp_path / "c.pdf"
    result = runner.invoke(args=["certificates", "pdf", issued.code.lower(), "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes() == issued.pdf
    assert runner.invoke(args=["certificates", "pdf", "NOPE", "-o", str(out)]).exit_code != 0

    too_short = runner.invoke(args=["certificates", "revoke", issued.code, "--reason", "x"])
    assert too_short.exit_code != 0
    revoked = runner.invoke(args=["certificates", "revoke", issued.code, "--reason", "Salah data"])
    assert revoked.exit_code == 0, revoked.output
    assert load(app, issued.code).status == "revoked"

    reissued = runner.invoke(args=["certificates", "reissue", issued.code])
    assert reissued.exit_code == 0, reissued.output
    old = load(app, issued.code)
    assert old.status == "superseded"
    rows = json.loads(runner.invoke(args=["certificates", "list", "--json"]).output)
    assert sorted(r["status"] for r in rows) == ["superseded", "valid"]


def test_numbers_count_up_per_agency_and_year(app: Flask, make, world) -> None:
    first = issue(app, world["learner"], world["program"])
    second = issue(app, make.user(world["agency"]), world["program"])
    other_agency = make.agency("PGK")
    third = issue(app, make.user(other_agency), make.program(other_agency))
    year = first.number.rsplit("/", 1)[1]
    assert first.number == f"0001/BANGKA/{year}"
    assert second.number == f"0002/BANGKA/{year}"
    assert third.number == f"0001/PGK/{year}"


def test_demo_seed_leaves_a_valid_and_a_revoked_certificate(app: Flask) -> None:
    from lms.demo import seed_demo

    with app.app_context():
        lines = list(seed_demo(app))
        assert any("certificates" in line for line in lines)
        statuses = [c.status.value for c in db.session.scalars(select(Certificate))]
        # Other plugins' demo data complete programs too, and each completion issues a certificate.
        assert statuses.count("revoked") == 1 and "valid" in statuses
        count = len(statuses)
        list(seed_demo(app))  # idempotent
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == count
        for cert in db.session.scalars(select(Certificate)):
            from certificates import sealing

            assert sealing.check_pdf(cert.pdf).ok


@pytest.mark.postgres_only  # concurrent writers need PostgreSQL
def test_concurrent_completion_yields_one_certificate(app: Flask, world) -> None:
    user_id, program_id = world["learner"].id, world["program"].id
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    codes: list[str] = []

    def worker(use_signal: bool) -> None:
        try:
            with app.app_context():
                barrier.wait()
                if use_signal:
                    program_completed.send(app, user_id=user_id, program_id=program_id, completion_id=None)
                    cert = services.current_for(user_id, program_id)
                else:
                    cert = services.issue_certificate(user_id, program_id)
                db.session.commit()
                if cert is not None:
                    codes.append(cert.code)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i % 2 == 0,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    with app.app_context():
        rows = list(db.session.scalars(select(Certificate)))
        assert len(rows) == 1
        assert rows[0].pdf and rows[0].pdf_sha256
        assert db.session.scalar(select(NumberCounter.value)) == 1  # no number was burnt
    assert set(codes) <= {rows[0].code}
