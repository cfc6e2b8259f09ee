"""Quiz integrity through real requests: answers never in the page before submit, fixed
questions, bad answer sheets rejected, one result per attempt, deadline, attempt limit, privacy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from lms.db import db
from modules import services
from modules.models import Choice, LessonProgress, Question, QuizAttempt
from tests.conftest import login
from tests.modules.helpers import SLUG, answer_form, import_mini, latest_attempt_id, token


@pytest.fixture
def learner(app, make, client):
    import_mini(app)
    agency = make.agency()
    user = make.user(agency)
    login(client, user.nip)
    return user


def _read_all(client) -> None:
    """Read every lesson through the lesson pages (the quiz opens only then)."""
    page = client.get(f"/modules/{SLUG}")
    for key in dict.fromkeys(re.findall(rf'href="/modules/{SLUG}/lessons/([a-z0-9-]+)"', page.text)):
        lesson = client.get(f"/modules/{SLUG}/lessons/{key}")
        resp = client.post(f"/modules/{SLUG}/lessons/{key}/read", data={"csrf_token": token(lesson.text)})
        assert resp.status_code == 302


def _start(client) -> tuple[int, str]:
    _read_all(client)
    page = client.get(f"/modules/{SLUG}")
    assert page.status_code == 200
    resp = client.post(f"/modules/{SLUG}/quiz", data={"csrf_token": token(page.text)})
    assert resp.status_code == 303, resp.text
    attempt_id = int(re.search(rf"/modules/{SLUG}/quiz/attempts/(\d+)", resp.location).group(1))
    attempt_page = client.get(f"/modules/{SLUG}/quiz/attempts/{attempt_id}")
    assert attempt_page.status_code == 200
    return attempt_id, attempt_page.text


def _submit(client, attempt_id: int, html: str, answers: dict, confirm: bool = True):
    data = dict(answers)
    data["csrf_token"] = token(html)
    if confirm:
        data["confirm"] = "y"
    return client.post(f"/modules/{SLUG}/quiz/attempts/{attempt_id}", data=data)


def _stored(app, attempt_id: int) -> QuizAttempt:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        db.session.expunge(attempt)
        return attempt


def test_lessons_read_and_module_page_progress(app, client, learner) -> None:
    page = client.get(f"/modules/{SLUG}")
    assert "0 dari 2 materi" in page.text and "Mulai membaca: Dasar netralitas" in page.text
    lesson = client.get(f"/modules/{SLUG}/lessons/dasar")
    assert "<li>Bawaslu setempat</li>" in lesson.text  # data.yaml list expanded
    csrf = {"csrf_token": token(lesson.text)}
    resp = client.post(f"/modules/{SLUG}/lessons/dasar/read", data=csrf)
    assert resp.status_code == 302 and resp.location.endswith("/lessons/media-sosial")
    page = client.get(f"/modules/{SLUG}")
    assert "1 dari 2 materi" in page.text and "Lanjutkan membaca: Media sosial" in page.text
    resp = client.post(f"/modules/{SLUG}/lessons/media-sosial/read", data={"csrf_token": token(lesson.text)})
    assert resp.location.endswith(f"/modules/{SLUG}#kuis")
    # marking twice keeps one row
    client.post(f"/modules/{SLUG}/lessons/media-sosial/read", data=csrf)
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 2


def test_correct_answers_never_reach_the_page_before_submit(app, client, learner) -> None:
    attempt_id, html = _start(client)
    attempt = _stored(app, attempt_id)
    with app.app_context():
        choices = list(db.session.scalars(select(Choice)))
        correct_ids = {c.id for c in choices if c.is_correct}
        explanations = [q.explanation["id"] for q in db.session.scalars(select(Question))]
    lowered = html.lower()
    for word in ("correct", 'benar"', "is_correct", "data-correct", "explanation"):
        assert word not in lowered
    for text in explanations:
        assert text not in html
    # the form values are positions in the stored shuffled order, not choice ids
    values = re.findall(r'name="q-(\d+)" value="([^"]+)"', html)
    assert values and all(v.isdigit() and int(v) < 3 for _q, v in values)
    assert {int(q) for q, _v in values} == set(attempt.question_ids)
    assert not any(f'value="{cid}"' in html for cid in correct_ids if cid > 3)
    assert "Sisa waktu" in html and "menit" in html  # server-rendered remaining time
    assert "<script>" not in html  # no inline script (CSP)


def test_questions_are_fixed_at_start(app, client, learner) -> None:
    attempt_id, html = _start(client)
    first = _stored(app, attempt_id)
    again = client.get(f"/modules/{SLUG}/quiz/attempts/{attempt_id}").text
    assert re.findall(r'name="q-(\d+)"', html) == re.findall(r'name="q-(\d+)"', again)
    # starting again while it runs resumes the same attempt
    resp = client.post(f"/modules/{SLUG}/quiz", data={"csrf_token": token(html)})
    assert resp.location.endswith(f"/modules/{SLUG}/quiz/attempts/{attempt_id}")
    assert _stored(app, attempt_id).question_ids == first.question_ids
    assert _stored(app, attempt_id).choice_order == first.choice_order


def test_pass_records_result_and_result_page_explains(app, client, learner) -> None:
    attempt_id, html = _start(client)
    resp = _submit(client, attempt_id, html, answer_form(app, attempt_id, right=True))
    assert resp.status_code == 303 and resp.location.endswith(f"/attempts/{attempt_id}/result")
    stored = _stored(app, attempt_id)
    assert stored.passed is True and stored.score == 100.0 and stored.submitted_at
    result = client.get(resp.location).text
    assert "LULUS" in result and "Nilai Anda: 100%" in result
    assert "jawaban benar" in result and "PP Nomor 94 Tahun 2021 Pasal 5 huruf n" in result
    assert "Menanggapi unggahan kampanye adalah bentuk keberpihakan." in result


def test_fail_shows_attempts_left_and_way_back(app, client, learner) -> None:
    attempt_id, html = _start(client)
    resp = _submit(client, attempt_id, html, answer_form(app, attempt_id, right=False))
    result = client.get(resp.location).text
    assert "TIDAK LULUS" in result and "Sisa kesempatan: 2 kali." in result
    assert f'href="/modules/{SLUG}"' in result and "Salah" in result
    assert _stored(app, attempt_id).passed is False


@pytest.mark.parametrize(
    "bad",
    [
        "other_question",
        "unknown_choice",
        "non_numeric",
        "two_on_single",
        "stray_field",
        "duplicate",
        "huge_value",
        "huge_name",
        "overflowing_name",
        "unicode_digits",
    ],
)
def test_bad_answer_sheets_are_rejected_and_nothing_stored(app, client, learner, bad) -> None:
    attempt_id, html = _start(client)
    answers = answer_form(app, attempt_id)
    attempt = _stored(app, attempt_id)
    with app.app_context():
        outside = db.session.scalar(select(Question.id).where(Question.id.not_in(attempt.question_ids)))
        single = next(q for q in attempt.question_ids if db.session.get(Question, q).type == "single")
    if bad == "other_question":  # the mini bank has 4 questions, all drawn: invent one
        answers[f"q-{outside or 99999}"] = ["0"]
    elif bad == "unknown_choice":
        answers[f"q-{single}"] = ["7"]
    elif bad == "non_numeric":
        answers[f"q-{single}"] = ["a"]
    elif bad == "two_on_single":
        answers[f"q-{single}"] = ["0", "1"]
    elif bad == "stray_field":
        answers["score"] = ["100"]
    elif bad == "duplicate":
        answers[f"q-{single}"] = ["1", "1"]
    elif bad == "huge_value":  # more digits than Python converts to int (ValueError, was a 500)
        answers[f"q-{single}"] = ["9" * 5000]
    elif bad == "huge_name":
        answers["q-" + "9" * 5000] = ["0"]
    elif bad == "overflowing_name":
        answers[f"q-{2**64}"] = ["0"]
    elif bad == "unicode_digits":  # "isdigit" is true for these, but they are no question id
        answers["q-\u0661"] = ["\u0660"]
    resp = _submit(client, attempt_id, html, answers)
    assert resp.status_code == 400
    assert "Permintaan tidak valid" in resp.text
    assert re.search(r"soal|pilihan|formulir", resp.text, re.I)
    stored = _stored(app, attempt_id)
    assert stored.submitted_at is None and stored.answers is None and stored.score is None


def test_confirmation_is_required(app, client, learner) -> None:
    attempt_id, html = _start(client)
    answers = answer_form(app, attempt_id)
    resp = _submit(client, attempt_id, html, answers, confirm=False)
    assert resp.status_code == 400 and "Saya yakin" in resp.text
    assert resp.text.count("checked") >= len(answers)  # answers kept on the page
    assert _stored(app, attempt_id).submitted_at is None


def test_double_submit_records_one_result(app, client, learner) -> None:
    attempt_id, html = _start(client)
    wrong = answer_form(app, attempt_id, right=False)
    right = answer_form(app, attempt_id, right=True)
    first = _submit(client, attempt_id, html, wrong)
    second = _submit(client, attempt_id, html, right)  # replay with other answers
    assert first.status_code == 303 and second.status_code == 303
    assert second.location.endswith(f"/attempts/{attempt_id}/result")
    stored = _stored(app, attempt_id)
    assert stored.passed is False and stored.score == 0.0
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    # the service itself is also safe against a second call
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        services.submit_attempt(attempt, right)
        db.session.commit()
    assert _stored(app, attempt_id).score == 0.0


def _move_deadline(app, attempt_id: int, seconds_ago: int) -> None:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        now = dt.datetime.now(dt.UTC)
        attempt.started_at = now - dt.timedelta(minutes=21)
        attempt.deadline = now - dt.timedelta(seconds=seconds_ago)
        db.session.commit()


def test_submit_within_grace_is_graded(app, client, learner) -> None:
    attempt_id, html = _start(client)
    _move_deadline(app, attempt_id, seconds_ago=10)
    _submit(client, attempt_id, html, answer_form(app, attempt_id))
    assert _stored(app, attempt_id).passed is True


def test_late_submit_is_graded_as_of_deadline_with_no_answers(app, client, learner) -> None:
    attempt_id, html = _start(client)
    _move_deadline(app, attempt_id, seconds_ago=120)
    resp = _submit(client, attempt_id, html, answer_form(app, attempt_id), confirm=False)
    assert resp.status_code == 303
    stored = _stored(app, attempt_id)
    assert stored.score == 0.0 and stored.passed is False and stored.answers == {}
    assert stored.submitted_at == stored.deadline
    assert "tidak dihitung" in client.get(resp.location).text


def test_expired_attempt_is_shown_without_writing_and_closed_by_a_post(app, client, learner) -> None:
    attempt_id, _html = _start(client)
    _move_deadline(app, attempt_id, seconds_ago=600)
    page = client.get(f"/modules/{SLUG}/quiz/attempts/{attempt_id}")
    assert page.status_code == 200 and "Waktu habis" in page.text
    assert 'name="q-' not in page.text  # no questions to answer any more
    module_page = client.get(f"/modules/{SLUG}").text
    assert "Waktu habis" in module_page and "Lanjutkan kuis" not in module_page
    result = client.get(f"/modules/{SLUG}/quiz/attempts/{attempt_id}/result")
    assert result.status_code == 302 and result.location.endswith(f"/attempts/{attempt_id}")
    assert _stored(app, attempt_id).submitted_at is None  # GETs never write
    resp = client.post(f"/modules/{SLUG}/quiz/attempts/{attempt_id}", data={"csrf_token": token(page.text)})
    assert resp.status_code == 303 and resp.location.endswith("/result")
    stored = _stored(app, attempt_id)
    assert stored.submitted_at == stored.deadline and stored.passed is False
    assert "Percobaan ini ditutup" in client.get(resp.location).text


def test_expired_attempt_is_closed_by_the_next_start(app, client, learner) -> None:
    attempt_id, html = _start(client)
    _move_deadline(app, attempt_id, seconds_ago=600)
    resp = client.post(f"/modules/{SLUG}/quiz", data={"csrf_token": token(html)})
    assert resp.status_code == 303
    new_id = latest_attempt_id(app, learner.id)
    assert new_id != attempt_id and resp.location.endswith(f"/quiz/attempts/{new_id}")
    stored = _stored(app, attempt_id)
    assert stored.submitted_at == stored.deadline and stored.score == 0.0


def test_max_attempts_is_enforced(app, client, learner) -> None:
    for _ in range(3):
        attempt_id, html = _start(client)
        _submit(client, attempt_id, html, answer_form(app, attempt_id, right=False))
    page = client.get(f"/modules/{SLUG}")
    assert "Kesempatan habis" in page.text and "Mulai kuis" not in page.text
    resp = client.post(f"/modules/{SLUG}/quiz", data={"csrf_token": token(page.text)}, follow_redirects=True)
    assert "Kesempatan mengerjakan kuis sudah habis (3 kali)" in resp.text
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 3


def test_no_new_attempt_after_passing(app, client, learner) -> None:
    attempt_id, html = _start(client)
    _submit(client, attempt_id, html, answer_form(app, attempt_id))
    resp = client.post(f"/modules/{SLUG}/quiz", data={"csrf_token": token(html)}, follow_redirects=True)
    assert "sudah lulus" in resp.text
    assert latest_attempt_id(app, learner.id) == attempt_id


def test_another_learners_attempt_is_404(app, client, make, learner) -> None:
    attempt_id, html = _start(client)
    other = make.user(make.agency())
    other_client = app.test_client()
    login(other_client, other.nip)
    assert other_client.get(f"/modules/{SLUG}/quiz/attempts/{attempt_id}").status_code == 404
    assert other_client.get(f"/modules/{SLUG}/quiz/attempts/{attempt_id}/result").status_code == 404
    page = other_client.get(f"/modules/{SLUG}").text
    resp = other_client.post(
        f"/modules/{SLUG}/quiz/attempts/{attempt_id}",
        data={**answer_form(app, attempt_id), "csrf_token": token(page), "confirm": "y"},
    )
    assert resp.status_code == 404
    assert _stored(app, attempt_id).submitted_at is None


def test_anonymous_is_sent_to_login(app, client) -> None:
    import_mini(app)
    resp = client.get(f"/modules/{SLUG}")
    assert resp.status_code == 302 and "/login" in resp.location


def test_concurrent_submit_race_records_one_result(app, client, learner) -> None:
    """Two requests that both loaded the attempt before either wrote: the conditional UPDATE lets
    only the first one record a result."""
    from sqlalchemy import update

    from modules.signals import module_passed

    attempt_id, _html = _start(client)
    right = answer_form(app, attempt_id, right=True)
    sent = []

    def on_pass(sender, **kw):
        sent.append(kw)

    module_passed.connect(on_pass, sender=app)
    with app.app_context():
        stale = db.session.get(QuizAttempt, attempt_id)
        assert stale.submitted_at is None
        # the "other request" records a failed result behind this session's back
        db.session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt_id)
            .values(submitted_at=dt.datetime.now(dt.UTC), score=25.0, passed=False, answers={}, results={})
            .execution_options(synchronize_session=False)
        )
        assert stale.submitted_at is None  # still stale in memory
        services.submit_attempt(stale, right)
        db.session.commit()
    module_passed.disconnect(on_pass, sender=app)
    stored = _stored(app, attempt_id)
    assert stored.score == 25.0 and stored.passed is False
    assert sent == []


def test_pages_in_english(app, client, learner) -> None:
    headers = {"Accept-Language": "en"}
    page = client.get(f"/modules/{SLUG}", headers=headers).text
    assert "The quiz opens once every lesson is read. 2 lessons are still unread:" in page
    _read_all(client)
    page = client.get(f"/modules/{SLUG}", headers=headers).text
    assert "Neutrality Test Module" in page and "Start the quiz" in page
    lesson = client.get(f"/modules/{SLUG}/lessons/dasar", headers=headers).text
    assert "<h1>Neutrality basics</h1>" in lesson and "<li>The local Bawaslu</li>" in lesson
    assert "Why neutral" not in lesson  # the file's own heading is not shown under the title
    assert "Mark as done" in lesson


def test_questions_are_drawn_at_random_and_choices_shuffled(app, make, tmp_path) -> None:
    from tests.modules.helpers import copy_pack

    folder = copy_pack(tmp_path)
    (folder / "module.yaml").write_text(
        (folder / "module.yaml").read_text().replace("questions_per_attempt: 4", "questions_per_attempt: 2")
    )
    import_mini(app, folder)
    agency = make.agency()
    draws, orders = set(), set()
    with app.app_context():
        from lms.models import User

        module = services.active_module(SLUG)
        module.require_all_lessons_read = False  # this test is about the draw, not the gate
        bank = {q.id for q in module.questions}
        for _ in range(12):
            user = User(agency_id=agency.id, name="x", nip=None, email=None)
            db.session.add(user)
            db.session.flush()
            attempt = services.start_attempt(user, module)
            assert len(attempt.question_ids) == 2 and set(attempt.question_ids) <= bank
            draws.add(tuple(attempt.question_ids))
            orders.add(tuple(tuple(v) for _k, v in sorted(attempt.choice_order.items())))
        db.session.rollback()
    assert len(draws) > 1 and len(orders) > 1


def test_pages_are_small_for_slow_links(app, client, learner) -> None:
    sizes = {
        "module": len(client.get(f"/modules/{SLUG}").data),
        "lesson": len(client.get(f"/modules/{SLUG}/lessons/dasar").data),
    }
    attempt_id, html = _start(client)
    sizes["attempt"] = len(html.encode())
    resp = _submit(client, attempt_id, html, answer_form(app, attempt_id))
    sizes["result"] = len(client.get(resp.location).data)
    css = client.get("/modules/static/modules.css")
    js = client.get("/modules/static/quiz.js")
    assert css.status_code == 200 and js.status_code == 200
    sizes["css"], sizes["js"] = len(css.data), len(js.data)
    print("page sizes (bytes):", sizes)
    assert max(sizes.values()) < 20_000, sizes


def test_a_lost_start_race_undoes_only_the_attempt(app, make, monkeypatch) -> None:
    """Two starts that both counted no attempt: the second insert hits the unique number, is
    undone to its savepoint and refused; the rest of the request's transaction (here a lesson
    marked read) is still the view's to commit."""
    from lms.models import User

    import_mini(app)
    user_id = make.user(make.agency()).id
    with app.app_context():
        user, module = db.session.get(User, user_id), services.active_module(SLUG)
        module.require_all_lessons_read = False  # the gate is tested elsewhere
        services.start_attempt(user, module)
        db.session.commit()
        services.mark_lesson_read(user, module.lessons[0])
        monkeypatch.setattr(services, "attempts_of", lambda *_a: [])  # the stale count
        with pytest.raises(services.QuizError, match="jendela lain"):
            services.start_attempt(user, module)
        db.session.commit()
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 1
