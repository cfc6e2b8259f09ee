"""A learner on a 360 px phone reads the lessons, fails the quiz, passes it, and sees the module
requirement met on My programs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import PASSWORD, screenshot
from tests.modules.helpers import SLUG, import_mini

# the test pack's questions (Indonesian text) -> (right choices, a wrong choice)
ANSWERS = {
    "Apa yang boleh dilakukan ASN atas unggahan kampanye?": (["Tidak menanggapinya"], "Membagikannya"),
    "Mana saja yang dilarang?": (
        ["Memakai mobil dinas untuk kampanye", "Mengarahkan bawahan memilih calon"],
        "Memberikan suara di TPS",
    ),
    "ASN wajib netral.": (["Benar"], "Salah"),
    "Rekan membagikan unggahan calon di grup kantor. Apa itu pelanggaran?": (["Ya, pelanggaran"], "Bukan pelanggaran"),
}


def _answer(page, right: bool) -> None:
    questions = page.locator("fieldset.question")
    assert questions.count() == 4
    for i in range(4):
        fieldset = questions.nth(i)
        legend = fieldset.locator("legend").inner_text()
        text = next(q for q in ANSWERS if q in legend)
        picks = ANSWERS[text][0] if right else [ANSWERS[text][1]]
        for choice in picks:
            label = fieldset.locator("label.choice", has_text=re.compile(rf"^\s*{re.escape(choice)}\s*$"))
            label.locator("input").check()


def _submit(page) -> None:
    page.locator("#confirm").check()
    page.get_by_role("button", name="Kirim jawaban").click()
    page.wait_for_url(re.compile(r"/result$"))


@pytest.mark.browser
def test_learner_reads_fails_then_passes(app, make, live_server, browser) -> None:
    import_mini(app)
    agency = make.agency(name="Pemerintah Kabupaten Uji")
    make.program(
        agency,
        requirements=[("module", SLUG)],
        title="Sosialisasi Netralitas ASN",
        election=make.election(name="Pemilihan Umum Tahun 2029", voting_day=dt.date(2029, 2, 14)),
    )
    learner = make.user(agency, name="Siti Rahmawati")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=identifier]", learner.nip)
        page.fill("input[name=password]", PASSWORD)
        page.locator(
            "form:has(input[name=identifier]) button[type=submit], form:has(input[name=identifier]) input[type=submit]"
        ).first.click()
        page.wait_for_url(f"{live_server}/")
        page.get_by_role("link", name=re.compile("Lanjutkan: Lulus modul")).click()
        page.wait_for_url(re.compile(f"/modules/{SLUG}$"))

        page.get_by_role("link", name=re.compile("Mulai membaca")).click()
        assert "Bawaslu setempat" in page.content()
        page.get_by_role("button", name="Tandai selesai & lanjut").click()
        page.wait_for_url(re.compile("/lessons/media-sosial$"))
        page.get_by_role("button", name="Tandai selesai & lanjut").click()
        page.wait_for_url(re.compile(f"/modules/{SLUG}"))
        assert "2 dari 2 materi" in page.content()
        screenshot(page, "learner-module")

        page.get_by_role("button", name="Mulai kuis").click()
        page.wait_for_url(re.compile(rf"/modules/{SLUG}/quiz/attempts/\d+$"))
        assert page.locator("#quiz-timer").is_visible()
        _answer(page, right=False)
        screenshot(page, "learner-quiz")
        _submit(page)
        assert "TIDAK LULUS" in page.content() and "Sisa kesempatan: 2 kali." in page.content()

        page.get_by_role("button", name="Ulangi kuis").click()
        page.wait_for_url(re.compile(rf"/modules/{SLUG}/quiz/attempts/\d+$"))
        _answer(page, right=True)
        _submit(page)
        assert "Nilai Anda: 100%" in page.content()
        assert page.locator(".badge-done", has_text="LULUS").is_visible()
        screenshot(page, "learner-quiz-result")

        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 360, f"horizontal scrolling on a phone ({scroll}px)"

        page.goto(f"{live_server}/")
        card = page.locator("section.program-card")
        step = card.locator("li", has_text="Lulus modul: Modul Uji Netralitas")
        assert step.locator(".badge-done").is_visible()
        assert card.locator(".badge-done").first.is_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_admin_sees_quiz_statistics(app, make, live_server, browser) -> None:
    from lms.db import db
    from lms.models import User
    from modules import services
    from tests.modules.helpers import answer_form

    import_mini(app)
    agency = make.agency(name="Pemerintah Kabupaten Uji")
    program = make.program(
        agency,
        requirements=[("module", SLUG)],
        title="Sosialisasi Netralitas ASN",
        election=make.election(name="Pemilihan Umum Tahun 2029", voting_day=dt.date(2029, 2, 14)),
    )
    for i in range(5):
        learner = make.user(agency)
        for right in [False, True] if i % 2 else [i == 0]:
            with app.app_context():
                for lesson in services.active_module(SLUG).lessons:
                    services.mark_lesson_read(db.session.get(User, learner.id), lesson)
                attempt = services.start_attempt(db.session.get(User, learner.id), services.active_module(SLUG))
                db.session.commit()
                attempt_id = attempt.id
            form = answer_form(app, attempt_id, right=right)
            with app.app_context():
                from modules.models import QuizAttempt

                services.submit_attempt(db.session.get(QuizAttempt, attempt_id), form)
                db.session.commit()
    admin = make.admin(agency)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=identifier]", admin.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator(
            "form:has(input[name=identifier]) button[type=submit], form:has(input[name=identifier]) input[type=submit]"
        ).first.click()
        page.goto(f"{live_server}/admin/agencies/{agency.id}")
        page.get_by_role("link", name="Statistik kuis").first.click()
        page.wait_for_url(re.compile(f"/admin/programs/{program.id}/quiz$"))
        assert page.locator("table.question-stats tbody tr").count() == 4
        assert "Tingkat kelulusan" in page.content()
        screenshot(page, "admin-quiz-stats")
    finally:
        context.close()
