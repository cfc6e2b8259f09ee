"""Program completion computed by the core from requirement kinds."""

import re
import threading

import pytest
from sqlalchemy import func, select

from lms.db import db
from lms.models import AuditLog, ProgramCompletion, ProgramStatus, User
from lms.requirements import LearnerStep, RequirementChoice, RequirementKind
from lms.services import programs as program_service
from lms.signals import program_completed, requirement_met


class AuditKind(RequirementKind):
    """A test requirement met when an audit entry "test.met:<ref>" names the user as actor."""

    name = "audit"
    title = "Audit"

    def choices(self, agency_id):
        return [RequirementChoice("a", "A"), RequirementChoice("b", "B")]

    def label(self, ref):
        return f"Audit {ref}"

    def met_user_ids(self, ref, program_id):
        return select(AuditLog.actor_id).where(AuditLog.action == f"test.met:{ref}")

    def learner_step(self, user_id, ref, program_id):
        met_ids = self.met_user_ids(ref, program_id).subquery()
        met = db.session.scalar(select(func.count()).select_from(met_ids).where(met_ids.c[0] == user_id)) or 0
        return LearnerStep(label=self.label(ref), met=bool(met), url=f"/x/{ref}")


@pytest.fixture
def kind(requirement_kinds):
    return requirement_kinds(AuditKind())


def _meet(app, user_id, ref):
    with app.app_context():
        db.session.add(AuditLog(action=f"test.met:{ref}", actor_id=user_id))
        db.session.flush()
        requirement_met.send(app, user_id=user_id, kind="audit", ref=ref)
        db.session.commit()


def _completions(app, user_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ProgramCompletion).where(ProgramCompletion.user_id == user_id)
        )


def test_program_completes_once_when_every_requirement_is_met(app, make, kind):
    agency = make.agency()
    user = make.user(agency)
    make.program(agency, requirements=[("audit", "a"), ("audit", "b")])
    received = []

    def receiver(sender, **kw):
        received.append(kw)

    program_completed.connect(receiver, sender=app)
    try:
        _meet(app, user.id, "a")
        assert _completions(app, user.id) == 0
        _meet(app, user.id, "b")
        _meet(app, user.id, "b")  # again: still one completion, one signal
        assert _completions(app, user.id) == 1
        assert len(received) == 1 and received[0]["user_id"] == user.id
    finally:
        program_completed.disconnect(receiver, sender=app)


def test_other_units_draft_programs_and_other_agencies_do_not_apply(app, make, kind):
    agency, other = make.agency(), make.agency()
    unit_a, unit_b = make.unit(agency), make.unit(agency)
    user = make.user(agency, unit_id=unit_b.id)
    with app.app_context():
        from lms.models import Program, Unit

        targeted = make.program(agency, requirements=[("audit", "a")])
        p = db.session.get(Program, targeted.id)
        p.target_units = [db.session.get(Unit, unit_a.id)]
        db.session.commit()
    make.program(agency, requirements=[("audit", "a")], status=ProgramStatus.DRAFT)
    make.program(other, requirements=[("audit", "a")])
    _meet(app, user.id, "a")
    assert _completions(app, user.id) == 0
    with app.app_context():
        assert program_service.open_programs_for(db.session.get(User, user.id)) == []


def test_home_shows_checklist_and_next_step(app, client, make, kind):
    from tests.conftest import login

    agency = make.agency()
    user = make.user(agency)
    make.program(
        agency, title="Sosialisasi Netralitas ASN — Pilkada 2026", requirements=[("audit", "a"), ("audit", "b")]
    )
    _meet(app, user.id, "a")
    login(client, user.nip)
    page = client.get("/").get_data(as_text=True)
    assert "Pilkada 2026" in page and "Audit a" in page
    assert re.search(r'<a[^>]+href="/x/b"[^>]*>\s*Lanjutkan', page), "the big button leads to step b"


@pytest.mark.postgres_only  # a concurrency proof needs real concurrent writers
def test_concurrent_completion_records_one(app, make, kind):
    agency = make.agency()
    user = make.user(agency)
    program = make.program(agency, requirements=[("audit", "a")])
    with app.app_context():
        db.session.add(AuditLog(action="test.met:a", actor_id=user.id))
        db.session.commit()
    barrier = threading.Barrier(6)
    errors = []

    def worker():
        try:
            with app.app_context():
                from lms.models import Program

                u, p = db.session.get(User, user.id), db.session.get(Program, program.id)
                barrier.wait()
                program_service.complete_if_done(u, p)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _completions(app, user.id) == 1


def test_programs_and_units_are_agency_wide_settings(app, client, make, kind):
    """A unit-limited admin may list units and see programs, but opening or editing a program and
    adding a unit are 404 (agency-wide settings); a whole-agency admin may do all of it."""
    from lms.models import Program, Unit, admin_units
    from tests.conftest import csrf_token, login

    agency = make.agency()
    unit = make.unit(agency, "Bagian Umum")
    program = make.program(agency, requirements=[("audit", "a")], title="Lama")
    limited, whole = make.admin(agency), make.admin(agency)
    with app.app_context():
        db.session.execute(admin_units.insert().values(user_id=limited.id, unit_id=unit.id))
        db.session.commit()
    new, edit = f"/admin/agencies/{agency.id}/programs/new", f"/admin/programs/{program.id}/edit"
    units = f"/admin/agencies/{agency.id}/units"
    election = make.election()
    form = {
        "title": "Baru",
        "election_id": str(election.id),
        "starts_on": "2026-01-01",
        "deadline": "2026-02-01",
        "status": "draft",
    }

    login(client, limited.email)
    token = csrf_token(client, units)
    assert client.get(units).status_code == 200
    for path in (new, edit):
        assert client.get(path).status_code == 404, path
        assert client.post(path, data={**form, "csrf_token": token}).status_code == 404, path
    assert client.post(units, data={"name": "Unit Baru", "parent_id": "0", "csrf_token": token}).status_code == 404
    overview = client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    assert "Lama" in overview and new not in overview and edit not in overview
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 1
        assert db.session.get(Program, program.id).title == "Lama"

    admin = app.test_client()
    login(admin, whole.email)
    token = csrf_token(admin, units)
    assert admin.post(edit, data={**form, "csrf_token": token}).status_code == 302
    assert admin.post(new, data={**form, "csrf_token": token}).status_code == 302
    assert admin.post(units, data={"name": "Unit Baru", "parent_id": "0", "csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 2
        assert db.session.scalar(select(func.count()).select_from(Program)) == 2
