"""Layout of the learner's module pages in Chromium (issue 14): on a 360 x 740 phone every link,
button and label is at least 44 x 44 px; lesson numbers sit on the first line of a wrapped title;
a question with a long URL stays inside its card; the lesson title appears once; a passed quiz
leads on to the next step."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.modules.helpers import SLUG, copy_pack, import_mini
from tests.modules.test_browser import _answer, _submit

LONG_TITLE = "Dasar netralitas aparatur sipil negara dalam pemilihan umum dan pemilihan kepala daerah serentak"
LONG_URL = "https://jdih.example.go.id/peraturan/detail/undang-undang-nomor-20-tahun-2023-tentang-aparatur-sipil-negara"

# every visible link, button and label of the page outside the site header (the core's, measured by
# the core's own tests), with its box
SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, label, summary')]
  .filter(e => !e.closest('.site-header'))
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect();
              return {text: (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 40),
                      w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10}; })
  .filter(b => b.w < 44 || b.h < 44)"""


def _pack(tmp_path):
    folder = copy_pack(tmp_path)
    module = folder / "module.yaml"
    module.write_text(module.read_text().replace('"Dasar netralitas"', f'"{LONG_TITLE}"'))
    questions = folder / "questions.yaml"
    questions.write_text(questions.read_text().replace('"ASN wajib netral."', f'"ASN wajib netral ({LONG_URL})."'))
    return folder


def _login(page, live_server, nip) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=identifier]", nip)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=identifier]) button[type=submit]").first.click()
    page.wait_for_url(f"{live_server}/")


def _no_small_targets(page, where: str) -> None:
    small = page.evaluate(SMALL_TARGETS)
    assert not small, f"tap targets under 44 x 44 px on the {where} page: {small}"


def _first_line_top(page, selector: str) -> float:
    return page.evaluate(
        """(sel) => { const a = document.querySelector(sel); const range = document.createRange();
                      range.selectNodeContents(a); return range.getClientRects()[0].top; }""",
        selector,
    )


def _lesson_numbers_align(page, wraps: bool) -> None:
    first = page.locator(".lesson-list li").first
    link = first.locator("a")
    if wraps:
        assert link.bounding_box()["height"] > 50, "the long title should wrap at this width"
    number_box = first.locator(".lesson-number").bounding_box()
    text_top = _first_line_top(page, ".lesson-list li a")
    # the number's text line starts where the title's first line starts (same padding, line height)
    number_top = _first_line_top(page, ".lesson-list .lesson-number")
    assert abs(number_top - text_top) <= 2, (number_top, text_top)
    assert number_box["y"] < link.bounding_box()["y"] + 20


def _questions_inside_cards(page) -> None:
    cards = page.locator("fieldset.question")
    for i in range(cards.count()):
        card = cards.nth(i).bounding_box()
        widest = cards.nth(i).evaluate(
            "f => Math.max(...[...f.querySelectorAll('*')].map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= card["x"] + card["width"] + 0.5, f"question {i + 1} sticks out of its card"
        assert card["x"] + card["width"] <= page.viewport_size["width"], f"card {i + 1} wider than the screen"
        assert cards.nth(i).evaluate("f => f.scrollWidth <= f.clientWidth")


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(360, 740), (1366, 900)])
def test_module_pages_layout_and_tap_targets(app, make, live_server, browser, tmp_path, width, height) -> None:
    import_mini(app, _pack(tmp_path))
    agency = make.agency(name="Pemerintah Kabupaten Uji", timezone="Asia/Jayapura")
    make.program(agency, requirements=[("module", SLUG)], title="Sosialisasi Netralitas ASN")
    learner = make.user(agency, name="Siti Rahmawati")
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    phone = width == 360
    try:
        _login(page, live_server, learner.nip)
        page.goto(f"{live_server}/modules/{SLUG}")
        _lesson_numbers_align(page, wraps=phone)
        if phone:
            _no_small_targets(page, "module")

        page.locator(".lesson-list li a").first.click()
        page.wait_for_url(re.compile("/lessons/dasar$"))
        assert page.locator("h1").count() == 1 and page.locator(".lesson-body h1").count() == 0
        assert page.get_by_text("Mengapa netral").count() == 0  # the file's own heading is not repeated
        if phone:
            _no_small_targets(page, "lesson")
        page.get_by_role("button", name="Tandai selesai & lanjut").click()
        page.wait_for_url(re.compile("/lessons/media-sosial$"))
        page.get_by_role("button", name="Tandai selesai & lanjut").click()
        page.wait_for_url(re.compile(f"/modules/{SLUG}"))
        if phone:
            _no_small_targets(page, "module (lessons read)")

        page.get_by_role("button", name="Mulai kuis").click()
        page.wait_for_url(re.compile(rf"/modules/{SLUG}/quiz/attempts/\d+$"))
        assert page.locator("legend", has_text=LONG_URL).count() == 1
        _questions_inside_cards(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if phone:
            _no_small_targets(page, "quiz")
        _answer_long(page)
        _submit(page)
        assert "Nilai Anda: 100%" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if phone:
            _no_small_targets(page, "result")
        main = page.locator(".result-summary a.button.primary")
        assert main.get_attribute("href").endswith("/")  # no step left: My programs
        page.goto(f"{live_server}/modules/{SLUG}")  # now with the attempt history table
        assert page.locator("table a").count() == 1
        if phone:
            _no_small_targets(page, "module (history)")
    finally:
        context.close()


def _answer_long(page) -> None:
    """Answer right; the long-URL question is the true/false one."""
    from tests.modules import test_browser

    answers = dict(test_browser.ANSWERS)
    answers[f"ASN wajib netral ({LONG_URL})."] = answers.pop("ASN wajib netral.")
    saved = test_browser.ANSWERS
    test_browser.ANSWERS = answers
    try:
        _answer(page, right=True)
    finally:
        test_browser.ANSWERS = saved
