"""The quiz opens once every lesson is read (pack setting ``quiz.require_all_lessons_read``,
default true), refused by the service, not only hidden; every "next" at a lesson's foot is a POST
that marks the lesson read, and a GET never writes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.db import db
from lms.models import User
from modules import services
from modules.models import LessonProgress, QuizAttempt
from modules.packs import load_pack
from tests.conftest import login
from tests.modules.helpers import SLUG, copy_pack, import_mini, token


@pytest.fixture
def learner(app, make, client):
    import_mini(app)
    user = make.user(make.agency())
    login(client, user.nip)
    return user


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def _read(client, key: str):
    lesson = client.get(f"/modules/{SLUG}/lessons/{key}")
    return client.post(f"/modules/{SLUG}/lessons/{key}/read", data={"csrf_token": token(lesson.text)})


def test_the_module_page_says_what_is_left_to_read(app, client, learner) -> None:
    page = client.get(f"/modules/{SLUG}").text
    assert "Kuis belum terbuka" in page and "Masih 2 materi yang belum dibaca" in page
    quiz = page.split('id="kuis"')[1]
    assert "Dasar netralitas" in quiz and "Media sosial" in quiz and "Mulai kuis" not in quiz
    _read(client, "dasar")
    quiz = client.get(f"/modules/{SLUG}").text.split('id="kuis"')[1]
    assert "Masih 1 materi" in quiz and "Media sosial" in quiz and "Dasar netralitas" not in quiz
    _read(client, "media-sosial")
    quiz = client.get(f"/modules/{SLUG}").text.split('id="kuis"')[1]
    assert "Mulai kuis" in quiz and "belum dibaca" not in quiz


def test_starting_before_reading_everything_is_refused(app, client, learner) -> None:
    page = client.get(f"/modules/{SLUG}")
    _read(client, "dasar")
    resp = client.post(f"/modules/{SLUG}/quiz", data={"csrf_token": token(page.text)})
    assert resp.status_code == 403
    assert "Kuis terbuka setelah semua materi dibaca. Belum dibaca: Media sosial." in resp.text
    assert _count(app, QuizAttempt) == 0
    _read(client, "media-sosial")
    resp = client.post(f"/modules/{SLUG}/quiz", data={"csrf_token": token(page.text)})
    assert resp.status_code == 303 and "/quiz/attempts/" in resp.location
    assert _count(app, QuizAttempt) == 1


def test_the_service_refuses_with_the_lessons_left(app, learner) -> None:
    with app.app_context():
        user, module = db.session.get(User, learner.id), services.active_module(SLUG)
        with pytest.raises(services.LessonsUnread) as info:
            services.start_attempt(user, module)
        assert [le.key for le in info.value.unread] == ["dasar", "media-sosial"]
        assert isinstance(info.value, services.ServiceError)


def test_a_pack_may_open_the_quiz_without_reading(app, make, client, tmp_path) -> None:
    folder = copy_pack(tmp_path)
    module_yaml = folder / "module.yaml"
    module_yaml.write_text(
        module_yaml.read_text().replace("max_attempts: 3}", "max_attempts: 3, require_all_lessons_read: false}")
    )
    assert load_pack(folder).require_all_lessons_read is False
    import_mini(app, folder)
    login(client, make.user(make.agency()).nip)
    page = client.get(f"/modules/{SLUG}")
    assert "Mulai kuis" in page.text
    resp = client.post(f"/modules/{SLUG}/quiz", data={"csrf_token": token(page.text)})
    assert resp.status_code == 303
    out = tmp_path / "exported"  # the setting survives export
    assert app.test_cli_runner().invoke(args=["modules", "export", SLUG, "-o", str(out)]).exit_code == 0
    assert "require_all_lessons_read: false" in (out / "module.yaml").read_text()
    assert load_pack(out).content_hash() == load_pack(folder).content_hash()


def test_the_setting_is_validated(tmp_path) -> None:
    from modules.packs import PackInvalid

    folder = copy_pack(tmp_path)
    module_yaml = folder / "module.yaml"
    module_yaml.write_text(
        module_yaml.read_text().replace("max_attempts: 3}", "max_attempts: 3, require_all_lessons_read: maybe}")
    )
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    assert any("'require_all_lessons_read' must be true or false" in e.message for e in info.value.errors)


def test_every_next_at_the_foot_of_a_lesson_is_a_post_that_marks_it_read(app, client, learner) -> None:
    page = client.get(f"/modules/{SLUG}/lessons/dasar").text
    assert _count(app, LessonProgress) == 0  # a GET never writes
    foot = page.split('class="lesson-body"')[1]
    assert not re.search(rf'<a [^>]*href="/modules/{SLUG}/lessons/media-sosial"', foot)  # no plain GET "next"
    forms = re.findall(r'<form method="post" action="([^"]+)"', foot)
    assert forms == [f"/modules/{SLUG}/lessons/dasar/read"] * 2
    nav = foot.split('class="lesson-nav"')[1]
    assert "Media sosial →" in nav and 'name="csrf_token"' in nav
    resp = client.post(forms[1], data={"csrf_token": token(nav)})
    assert resp.status_code == 302 and resp.location.endswith("/lessons/media-sosial")
    assert _count(app, LessonProgress) == 1
    last = client.get(f"/modules/{SLUG}/lessons/media-sosial").text.split('class="lesson-nav"')[1]
    assert "Ke kuis →" in last and f'action="/modules/{SLUG}/lessons/media-sosial/read"' in last
    resp = client.post(f"/modules/{SLUG}/lessons/media-sosial/read", data={"csrf_token": token(last)})
    assert resp.location.endswith(f"/modules/{SLUG}#kuis") and _count(app, LessonProgress) == 2
    assert page.count('id="csrf_token"') <= 1  # no duplicate id from the second form
