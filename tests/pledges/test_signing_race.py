"""One signature per learner, program and pact, even when the agency publishes a new version of the
pact while two signings of the same learner race (one signs the old version, one the new): on
PostgreSQL as on SQLite (the UNIQUE constraint is per template version, so it cannot catch this)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms.db import db
from lms.models import Agency, Program, User
from pledges import services
from pledges.content import DEFAULT_KEY
from pledges.models import LedgerEntry, PledgeSignature, PledgeText
from tests.conftest import PASSWORD
from tests.pledges.conftest import data_url, png_bytes


def _slow_signature_insert(session: Session, _context, _instances) -> None:
    """Widen the gap between the existence check and the INSERT, so the race is not left to luck:
    without a lock held across both, each racer sees no signature and inserts its own."""
    if any(isinstance(obj, PledgeSignature) for obj in session.new):
        time.sleep(0.4)


def _sign(app, user_id: int, program_id: int, template_id: int) -> bool:
    with app.test_request_context(method="POST"):
        user = db.session.get(User, user_id)
        program = db.session.get(Program, program_id)
        template = db.session.get(PledgeText, template_id)
        _sig, created = services.sign_pledge(
            user,
            program,
            template,
            services.SignInput(
                form_token=services.form_token_for(user, program, template),
                ticked=[str(c["id"]) for c in template.commitments],
                password=PASSWORD,
                signature_data_url=data_url(png_bytes()),
                typed_name=None,
                ip="10.0.0.9",
                user_agent="race",
            ),
        )
        db.session.commit()
        return created


def _publish(app, agency_id: int, admin_id: int) -> int:
    with app.app_context():
        template = services.create_agency_version(
            db.session.get(Agency, agency_id),
            services.TextInput(
                key=DEFAULT_KEY,
                title_id="Pakta {agency}",
                title_en="Pact of {agency}",
                preamble_id="Saya berjanji:",
                preamble_en="I promise:",
            ),
            db.session.get(User, admin_id),
        )
        db.session.commit()
        return template.id


def test_new_version_published_while_two_signings_race_gives_one_signature(app, make, default_text):
    agency = make.agency()
    admin = make.admin(agency)
    program = make.program(agency, requirements=[("pledge", DEFAULT_KEY)])
    learners = [make.user(agency) for _ in range(3)]
    errors: list[BaseException] = []
    created: list[bool] = []
    published: list[int] = []
    start, racing = threading.Barrier(3), threading.Barrier(2)  # new ones for each learner

    def old_version(user_id: int) -> None:
        try:
            start.wait()  # the old version is what this learner's form was opened with
            racing.wait()
            created.append(_sign(app, user_id, program.id, default_text))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def new_version(user_id: int) -> None:
        try:
            start.wait()
            while not published:  # the form opened just after the agency published
                time.sleep(0.01)
            racing.wait()
            created.append(_sign(app, user_id, program.id, published[-1]))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def publisher() -> None:
        try:
            start.wait()
            published.append(_publish(app, agency.id, admin.id))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    event.listen(Session, "before_flush", _slow_signature_insert)
    try:
        for learner in learners:
            start, racing = threading.Barrier(3), threading.Barrier(2)
            published.clear()
            threads = [
                threading.Thread(target=old_version, args=(learner.id,)),
                threading.Thread(target=new_version, args=(learner.id,)),
                threading.Thread(target=publisher),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert not errors, errors
    finally:
        event.remove(Session, "before_flush", _slow_signature_insert)

    assert created.count(True) == created.count(False) == len(learners)
    with app.app_context():
        for learner in learners:
            sigs = db.session.scalars(select(PledgeSignature).where(PledgeSignature.user_id == learner.id)).all()
            assert len(sigs) == 1, [(s.text_id, s.text_version) for s in sigs]
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == len(learners)
    code = app.test_cli_runner().invoke(args=["pledges", "verify-ledger"])
    assert code.exit_code == 0, code.output
