"""The dashboard figures against the REAL plugins: quiz attempts through ``modules.services``,
pledge signatures through the signing page, certificates issued on completion and one revoked.
Every column of the unit table and the national view is checked against counts computed here,
in SQL of this test's own, from the plugins' tables."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from certificates import services as certificate_services
from certificates.models import Certificate, CertificateStatus
from lms.dashboard import services
from lms.db import db
from lms.models import Program, ProgramCompletion, Role, User
from modules import services as module_services
from modules.models import Lesson, LessonProgress, QuizAttempt, TrainingModule
from pledges import services as pledge_services
from pledges.content import DEFAULT_KEY
from pledges.models import PledgeSignature
from tests.modules.helpers import SLUG, answer_form, import_mini, read_all_lessons
from tests.pledges.conftest import Setup, sign


def _attempt(app, user: User, right: bool) -> None:
    read_all_lessons(app, user.id)
    with app.app_context():
        attempt = module_services.start_attempt(db.session.get(User, user.id), module_services.active_module(SLUG))
        db.session.commit()
        attempt_id = attempt.id
    form = answer_form(app, attempt_id, right=right)
    with app.app_context():
        module_services.submit_attempt(db.session.get(QuizAttempt, attempt_id), form)
        db.session.commit()


def _read_first_lesson(app, user: User) -> None:
    with app.app_context():
        module = module_services.active_module(SLUG)
        module_services.mark_lesson_read(db.session.get(User, user.id), module.lessons[0])
        db.session.commit()


@pytest.fixture
def world(app, make):
    """U1: a1 passes and signs (complete, certified), a2 passes only, a3 fails the quiz;
    U2: b1 signs only, b2 passes and signs (complete, certificate revoked);
    no unit: c1 reads a lesson, c2 does nothing. Not counted: an inactive learner who passed, an
    admin, and a learner of another agency who passed and signed there."""
    import_mini(app)
    with app.app_context():  # the platform's default pledge text the programs require
        pledge_services.ensure_default_text()
        db.session.commit()
    agency = make.agency(code="REAL")
    u1, u2 = make.unit(agency, "Bagian Umum"), make.unit(agency, "Dinas Kesehatan")
    staff = {
        "a1": make.user(agency, unit_id=u1.id, name="Ani"),
        "a2": make.user(agency, unit_id=u1.id, name="Budi"),
        "a3": make.user(agency, unit_id=u1.id, name="Citra"),
        "b1": make.user(agency, unit_id=u2.id, name="Dewi"),
        "b2": make.user(agency, unit_id=u2.id, name="Eko"),
        "c1": make.user(agency, name="Fajar"),
        "c2": make.user(agency, name="Gita"),
    }
    gone = make.user(agency, unit_id=u1.id, name="Nonaktif")
    requirements = [("module", SLUG), ("pledge", DEFAULT_KEY)]
    program = make.program(agency, requirements=requirements, title="Netralitas Nyata")
    other = make.agency(code="LAIN")
    other_unit = make.unit(other, "Sekretariat")
    outsider = make.user(other, unit_id=other_unit.id, name="Orang Lain")
    other_program = make.program(other, requirements=requirements, title="Program Lain")

    for key in ("a1", "a2", "b2"):
        _attempt(app, staff[key], right=True)
    _attempt(app, staff["a3"], right=False)
    _attempt(app, gone, right=True)
    _attempt(app, outsider, right=True)
    _read_first_lesson(app, staff["c1"])
    for key, unit in (("a1", u1), ("b1", u2), ("b2", u2)):
        response = sign(app.test_client(), Setup(agency, unit, program, []), staff[key])
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    response = sign(app.test_client(), Setup(other, other_unit, other_program, []), outsider)
    assert response.status_code in (302, 303)
    with app.app_context():
        gone_row = db.session.get(User, gone.id)
        gone_row.active = False
        cert = certificate_services.current_for(staff["b2"].id, program.id)
        assert cert is not None, "completion issues the certificate"
        certificate_services.revoke(cert, "salah nama unit", None)
        db.session.commit()
    return {
        "agency": agency,
        "program": program,
        "staff": staff,
        "units": (u1, u2),
        "admin": make.admin(agency),
        "other": other,
    }


def _expected_unit_table(program_id: int, agency_id: int) -> dict[int | None, dict[str, int]]:
    """Per unit, from the plugins' own tables: members, started, module passed, pledge signed,
    certified (valid certificate), completed."""
    members = dict(
        db.session.execute(
            select(User.id, User.unit_id).where(
                User.agency_id == agency_id, User.role == Role.LEARNER, User.active.is_(True)
            )
        ).all()
    )
    passed = set(
        db.session.scalars(select(QuizAttempt.user_id).where(QuizAttempt.slug == SLUG, QuizAttempt.passed.is_(True)))
    )
    attempted = set(db.session.scalars(select(QuizAttempt.user_id).where(QuizAttempt.slug == SLUG)))
    read = set(
        db.session.scalars(
            select(LessonProgress.user_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .join(TrainingModule, TrainingModule.id == Lesson.module_id)
            .where(TrainingModule.slug == SLUG)
        )
    )
    signed = set(
        db.session.scalars(
            select(PledgeSignature.user_id).where(
                PledgeSignature.program_id == program_id, PledgeSignature.text_key == DEFAULT_KEY
            )
        )
    )
    certified = set(
        db.session.scalars(
            select(Certificate.user_id).where(
                Certificate.program_id == program_id, Certificate.status == CertificateStatus.VALID
            )
        )
    )
    completed = set(
        db.session.scalars(select(ProgramCompletion.user_id).where(ProgramCompletion.program_id == program_id))
    )
    started = attempted | read | passed | signed | completed
    table: dict[int | None, Counter[str]] = {}
    for user_id, unit_id in members.items():
        row = table.setdefault(unit_id, Counter())
        row["assigned"] += 1
        for name, ids in (
            ("started", started),
            ("module", passed),
            ("pledge", signed),
            ("certified", certified),
            ("completed", completed),
        ):
            row[name] += user_id in ids
    return {
        unit: {k: row[k] for k in ("assigned", "started", "module", "pledge", "certified", "completed")}
        for unit, row in table.items()
    }


def test_unit_table_and_national_view_match_the_plugins_tables(app, world):
    program, agency = world["program"], world["agency"]
    u1, u2 = world["units"]
    with app.test_request_context():
        viewer = db.session.get(User, world["admin"].id)
        loaded = db.session.get(Program, program.id)
        req_module, req_pledge = loaded.requirements
        figures = services.unit_table(loaded, viewer)
        keys = [c.key for c in figures.columns]
        assert keys == [f"req{req_module.id}", f"req{req_pledge.id}", "out_certified"]
        got = {
            r.unit_id: {
                "assigned": r.assigned,
                "started": r.started,
                "module": r.met[keys[0]],
                "pledge": r.met[keys[1]],
                "certified": r.met[keys[2]],
                "completed": r.completed,
            }
            for r in figures.rows
        }
        expected = _expected_unit_table(program.id, agency.id)
        assert got == expected
        # the same figures by hand, so a wrong scenario cannot make both sides agree on nothing
        assert expected == {
            u1.id: {"assigned": 3, "started": 3, "module": 2, "pledge": 1, "certified": 1, "completed": 1},
            u2.id: {"assigned": 2, "started": 2, "module": 1, "pledge": 2, "certified": 0, "completed": 1},
            None: {"assigned": 2, "started": 1, "module": 0, "pledge": 0, "certified": 0, "completed": 0},
        }
        total = figures.total
        assert (total.assigned, total.started, total.completed) == (7, 6, 2)
        assert total.met == {keys[0]: 3, keys[1]: 3, keys[2]: 1}

        root = User(role=Role.PLATFORM_ADMIN, name="Root", email="root@x.go.id")
        national = services.national_table(root)
        learners = Counter(
            db.session.scalars(select(User.agency_id).where(User.role == Role.LEARNER, User.active.is_(True)))
        )
        by_program = {r.program.id: r for r in national if r.program is not None}
        row = by_program[program.id]
        assert (row.agency_id, row.staff, row.assigned, row.completed) == (
            agency.id,
            learners[agency.id],
            sum(e["assigned"] for e in expected.values()),
            sum(e["completed"] for e in expected.values()),
        )
        other_row = next(r for r in national if r.agency_id == world["other"].id)
        assert (other_row.staff, other_row.assigned, other_row.completed) == (1, 1, 1)
        assert [r.agency_id for r in national if r.program is None] == []


def test_check_command_agrees_with_real_plugins_and_catches_a_stray_certificate(app, world):
    """On the real plugins' data the check finds nothing; a certificate held by someone who did not
    complete the program (Budi passed the quiz only, like Siti in the old demo data) is not counted
    as "Bersertifikat" and the check reports it (exit 1)."""
    program, budi = world["program"], world["staff"]["a2"]
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["dashboard", "check", str(program.id)])
    assert clean.exit_code == 0, clean.output
    assert "Bagian Umum: assigned=3, started=3" in clean.output
    with app.app_context():
        db.session.add(
            Certificate(
                code="STRAYCODE0000000",
                number="9999/REAL/2026",
                agency_id=world["agency"].id,
                program_id=program.id,
                user_id=budi.id,
                status=CertificateStatus.VALID,
            )
        )
        db.session.commit()
    with app.test_request_context():
        loaded = db.session.get(Program, program.id)
        figures = services.unit_table(loaded, db.session.get(User, world["admin"].id))
        umum = next(r for r in figures.rows if r.unit_name == "Bagian Umum")
        assert umum.met["out_certified"] == 1 == umum.completed  # the old code counted 2 certified
        assert figures.total.met["out_certified"] <= figures.total.completed
    stray = runner.invoke(args=["dashboard", "check", str(program.id)])
    assert stray.exit_code == 1
    assert f"user {budi.id}: Bersertifikat without a completion of the program" in stray.output
