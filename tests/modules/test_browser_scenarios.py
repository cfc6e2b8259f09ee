"""Chromium, JavaScript off, on a 360 px phone: a lesson's scenario keeps its analysis hidden until
the learner picks an option; then the analysis shows and the chosen option says, in words, whether
it was right. Every option is a 44 px tap target, works from the keyboard, and nothing is loaded
from another site."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from lms.db import db
from modules import services
from tests.conftest import PASSWORD

PACK = Path(__file__).parent / "packs" / "scenario"
SLUG = "uji-skenario"


def _lesson(app, make, live_server, browser, javascript: bool):
    with app.app_context():
        services.import_pack(PACK)
        db.session.commit()
    learner = make.user(make.agency())
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="id-ID", java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=identifier]", learner.nip)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=identifier]) button[type=submit]").first.click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/modules/{SLUG}/lessons/kasus")
    return context, page


@pytest.mark.browser
def test_scenario_analysis_shows_only_after_choosing(app, make, live_server, browser) -> None:
    context, page = _lesson(app, make, live_server, browser, javascript=False)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    try:
        page.reload()

        first, second = page.locator("section.scenario").nth(0), page.locator("section.scenario").nth(1)
        analysis = first.locator(".scenario-analysis")
        assert first.get_by_text("Apa yang sebaiknya dilakukan Rina?").is_visible()
        assert analysis.count() == 1 and not analysis.is_visible()
        assert not first.get_by_text("Menghadiri acara tim sukses").is_visible()
        assert not first.get_by_text("Kurang tepat").first.is_visible()
        assert first.get_by_text("Pilih satu jawaban untuk melihat pembahasannya.").is_visible()

        options = first.locator("label.scenario-option")
        assert options.count() == 3
        for i in range(3):
            box = options.nth(i).bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, box

        wrong = page.get_by_label(re.compile("Datang asal tidak berfoto"))
        assert wrong.count() == 1  # the radio is named by its label
        options.filter(has_text="Datang asal tidak berfoto").click()
        assert wrong.is_checked()
        assert analysis.is_visible() and first.get_by_text("Menghadiri acara tim sukses").is_visible()
        chosen = options.filter(has_text="Datang asal tidak berfoto")
        assert chosen.locator(".scenario-verdict").is_visible()
        assert chosen.locator(".scenario-verdict").inner_text().strip() == "✗ Kurang tepat"
        right = options.filter(has_text="Menolak undangan dengan sopan")
        assert not right.locator(".scenario-verdict").is_visible()  # only the chosen one speaks
        assert not first.get_by_text("Pilih satu jawaban untuk melihat pembahasannya.").is_visible()
        assert not second.locator(".scenario-analysis").is_visible()  # each scenario on its own

        right.click()
        assert right.locator(".scenario-verdict").inner_text().strip() == "✓ Tepat"
        assert not chosen.locator(".scenario-verdict").is_visible()

        page.locator("#scenario-2-0").focus()  # the keyboard alone
        page.keyboard.press("Space")
        assert page.locator("#scenario-2-0").is_checked()
        assert second.locator(".scenario-analysis").is_visible()
        assert second.locator("label.scenario-option").first.locator(".scenario-verdict").inner_text().strip() == (
            "✓ Tepat"
        )

        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 360, f"horizontal scrolling on a phone ({scroll}px)"
        assert hosts == {urlparse(live_server).netloc}, hosts  # no external assets
    finally:
        context.close()


@pytest.mark.browser
def test_scenarios_pass_axe_before_and_after_choosing(app, make, live_server, browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from tests.a11y.test_axe import _serious

    context, page = _lesson(app, make, live_server, browser, javascript=True)  # axe-core runs as a script
    try:
        assert _serious(Axe().run(page)) == []
        page.locator("label[for=scenario-1-0]").click()
        page.locator("label[for=scenario-2-0]").click()
        assert page.locator(".scenario-analysis").nth(1).is_visible()
        assert _serious(Axe().run(page)) == []
    finally:
        context.close()
