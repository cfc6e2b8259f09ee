"""The ``module`` requirement kind, the core's completion, signals and the admin statistics."""

from __future__ import annotations

from sqlalchemy import select

from lms.db import db
from lms.models import ProgramCompletion, User
from lms.services.programs import registry
from modules import services
from modules.models import TrainingModule
from modules.signals import module_passed
from modules.stats import module_stats
from tests.conftest import login
from tests.modules.helpers import SLUG, answer_form, import_mini


def _attempt(app, user_id: int, right: bool) -> int:
    with app.app_context():
        user = db.session.get(User, user_id)
        for lesson in services.active_module(SLUG).lessons:
            services.mark_lesson_read(user, lesson)
        attempt = services.start_attempt(user, services.active_module(SLUG))
        db.session.flush()
        attempt_id = attempt.id
        db.session.commit()
    form = answer_form(app, attempt_id, right=right)
    with app.app_context():
        from modules.models import QuizAttempt

        services.submit_attempt(db.session.get(QuizAttempt, attempt_id), form)
        db.session.commit()
    return attempt_id


def test_passing_completes_the_program_and_sends_signals(app, make) -> None:
    import_mini(app)
    agency = make.agency()
    program = make.program(agency, requirements=[("module", SLUG)])
    user = make.user(agency)
    received = []

    def on_pass(sender, **kw):
        received.append(kw)

    module_passed.connect(on_pass, sender=app)
    try:
        _attempt(app, user.id, right=False)
        with app.test_request_context():
            assert db.session.scalar(select(ProgramCompletion)) is None
            kind = registry().get("module")
            step = kind.learner_step(user.id, SLUG, program.id)
            assert step.started and not step.met
        _attempt(app, user.id, right=True)
    finally:
        module_passed.disconnect(on_pass, sender=app)
    assert len(received) == 1 and received[0]["slug"] == SLUG and received[0]["score"] == 100.0
    with app.test_request_context():
        completion = db.session.scalar(select(ProgramCompletion))
        assert completion is not None
        assert (completion.user_id, completion.program_id) == (user.id, program.id)
        kind = registry().get("module")
        assert list(db.session.scalars(kind.met_user_ids(SLUG, program.id))) == [user.id]
        assert list(db.session.scalars(kind.started_user_ids(SLUG, program.id))) == [user.id]
        assert kind.jp_hours(SLUG) == 2.0
        assert kind.learner_step(user.id, SLUG, program.id).met
        assert [c.ref for c in kind.choices(agency.id)] == [SLUG]


def test_pass_on_an_old_version_still_counts(app, make, tmp_path) -> None:
    from tests.modules.helpers import copy_pack

    import_mini(app)
    agency = make.agency()
    user = make.user(agency)
    _attempt(app, user.id, right=True)
    folder = copy_pack(tmp_path)
    (folder / "module.yaml").write_text((folder / "module.yaml").read_text().replace("version: 1", "version: 2"))
    import_mini(app, folder)
    program = make.program(agency, requirements=[("module", SLUG)])
    with app.test_request_context():
        kind = registry().get("module")
        assert kind.learner_step(user.id, SLUG, program.id).met
        assert len(list(db.session.scalars(select(TrainingModule)))) == 2


def test_home_shows_requirement_and_module_link(app, make, client) -> None:
    import_mini(app)
    agency = make.agency()
    make.program(agency, requirements=[("module", SLUG)], title="Pilkada Uji")
    user = make.user(agency)
    login(client, user.nip)
    home = client.get("/").text
    # the learner's step; the kind's label alone is the module's title
    assert "Lulus modul: Modul Uji Netralitas" in home and f'href="/modules/{SLUG}"' in home


def test_admin_stats_and_scoping(app, make, client) -> None:
    import_mini(app)
    agency = make.agency()
    program = make.program(agency, requirements=[("module", SLUG)])
    a, b = make.user(agency), make.user(agency)
    outsider = make.user(make.agency())  # another agency: not counted
    _attempt(app, a.id, right=False)
    _attempt(app, a.id, right=True)
    _attempt(app, b.id, right=False)
    _attempt(app, outsider.id, right=True)
    with app.app_context():
        from lms.models import Program

        stats = module_stats(db.session.get(Program, program.id), SLUG)
    assert (stats.attempts, stats.learners, stats.passed_attempts, stats.passed_learners) == (3, 2, 1, 1)
    assert stats.average_score == round(100 / 3, 1) and stats.pass_rate == 33.3
    assert len(stats.questions) == 4
    q01 = next(s for s in stats.questions if s.question.key == "q01")
    assert q01.answered == 3 and q01.correct == 1 and q01.percent_correct == 33.3
    assert q01.wrong_choice is not None and not q01.wrong_choice.is_correct
    assert q01.wrong_count == 2

    admin = make.admin(agency)
    login(client, admin.email)
    agency_page = client.get(f"/admin/agencies/{agency.id}").text
    assert f"/admin/programs/{program.id}/quiz" in agency_page  # menu link
    page = client.get(f"/admin/programs/{program.id}/quiz")
    assert page.status_code == 200
    assert "Statistik kuis" in page.text and "33.3%" in page.text and "q01" in page.text
    topics = page.text.split("Per topik")[1].split("Per soal")[0]
    assert '<td data-label="Topik">Media sosial</td>' in topics  # the lesson's title, not its key
    assert "media-sosial" not in page.text and "(v1, Media sosial)" in page.text
    assert '<td data-label="Topik">fasilitas</td>' in topics  # no lesson of that key: its name

    other_admin = make.admin(make.agency())
    other = app.test_client()
    login(other, other_admin.email)
    assert other.get(f"/admin/programs/{program.id}/quiz").status_code == 404
    learner_client = app.test_client()
    login(learner_client, a.nip)
    assert learner_client.get(f"/admin/programs/{program.id}/quiz").status_code == 404


def test_reading_a_lesson_counts_as_started(app, make) -> None:
    import_mini(app)
    agency = make.agency()
    program = make.program(agency, requirements=[("module", SLUG)])
    reader, idle = make.user(agency), make.user(agency)
    with app.app_context():
        services.mark_lesson_read(db.session.get(User, reader.id), services.active_module(SLUG).lessons[0])
        db.session.commit()
        kind = registry().get("module")
        assert list(db.session.scalars(kind.started_user_ids(SLUG, program.id))) == [reader.id]
        assert list(db.session.scalars(kind.met_user_ids(SLUG, program.id))) == []
        assert idle.id not in set(db.session.scalars(kind.started_user_ids(SLUG, program.id)))


def test_unit_limited_admin_sees_only_their_units(app, make, client) -> None:
    from lms.models import admin_units

    import_mini(app)
    agency = make.agency()
    unit_a, unit_b = make.unit(agency), make.unit(agency)
    program = make.program(agency, requirements=[("module", SLUG)])
    in_a, in_b = make.user(agency, unit_id=unit_a.id), make.user(agency, unit_id=unit_b.id)
    _attempt(app, in_a.id, right=True)
    _attempt(app, in_b.id, right=False)
    admin = make.admin(agency)
    with app.app_context():
        db.session.execute(admin_units.insert().values(user_id=admin.id, unit_id=unit_a.id))
        db.session.commit()
    login(client, admin.email)
    page = client.get(f"/admin/programs/{program.id}/quiz").text
    assert "100.0%" in page  # only the passing learner of unit A is counted
    with app.app_context():
        from lms.models import Program

        viewer = db.session.get(User, admin.id)
        stats = module_stats(db.session.get(Program, program.id), SLUG, viewer=viewer)
        assert (stats.attempts, stats.passed_attempts) == (1, 1)
        whole = module_stats(db.session.get(Program, program.id), SLUG)
        assert whole.attempts == 2
