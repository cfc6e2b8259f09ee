"""axe-core on the plugin page types (lesson, quiz, result, verification, dashboard, import,
certificates) at desktop and 360 px, and the quiz completed with the keyboard alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.db import db
from lms.demo import DEMO_PROGRAM_TITLE, seed_demo
from lms.models import Agency, Program
from tests.a11y.test_axe import VIEWPORTS, _log_in, _serious
from tests.conftest import PASSWORD
from tests.modules.helpers import read_all_lessons

pytestmark = pytest.mark.browser


@pytest.fixture
def site(app, live_server, make):
    with app.app_context():
        list(seed_demo(app))
        agency = db.session.scalar(select(Agency).where(Agency.code == "BANGKA"))
        program_id = db.session.scalar(
            select(Program.id).where(Program.agency_id == agency.id, Program.title == DEMO_PROGRAM_TITLE)
        )
        from certificates.models import Certificate

        code = db.session.scalar(select(Certificate.code).where(Certificate.agency_id == agency.id))
    learner = make.user(agency, name="Rina Kartika, S.Sos.", nip="199104042016032003")
    read_all_lessons(app, learner.id, "netralitas-asn")  # the quiz page opens only then
    return {"base": live_server, "agency_id": agency.id, "program_id": program_id, "code": code, "learner": learner}


def _check(page, url: str, problems: dict, device: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(url) if url else None
    found = _serious(Axe().run(page))
    if device == "phone" and page.evaluate("document.documentElement.scrollWidth") > 360:
        found.append("horizontal scroll")
    if found:
        problems[url or page.url] = found


def _login_factory_user(page, base, nip):
    page.goto(f"{base}/login")
    page.get_by_label("NIP atau e-mail").fill(nip)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_learner_and_public_pages(browser, site, device):
    base = site["base"]
    context = browser.new_context(viewport=VIEWPORTS[device], locale="id-ID")
    page = context.new_page()
    problems: dict = {}
    try:
        _login_factory_user(page, base, site["learner"].nip)
        _check(page, f"{base}/modules/netralitas-asn", problems, device)
        _check(page, f"{base}/modules/netralitas-asn/lessons/mengapa-netral", problems, device)
        page.goto(f"{base}/modules/netralitas-asn")
        page.get_by_role("button", name="Mulai kuis").click()
        page.wait_for_load_state()
        _check(page, "", problems, device)  # the attempt page
        page.locator("#confirm").check()
        page.get_by_role("button", name="Kirim jawaban").click()
        page.wait_for_load_state()
        _check(page, "", problems, device)  # the result page
        _check(page, f"{base}/v/{site['code']}", problems, device)
        _check(page, f"{base}/verify", problems, device)
        _check(page, f"{base}/v/NOSUCHCODE", problems, device)
    finally:
        context.close()
    assert not problems, problems


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_admin_pages(browser, site, device):
    base, agency_id, program_id = site["base"], site["agency_id"], site["program_id"]
    context = browser.new_context(viewport=VIEWPORTS[device], locale="id-ID")
    page = context.new_page()
    problems: dict = {}
    try:
        _log_in(page, base, "admin@bangka.demo")
        for path in (
            f"/admin/programs/{program_id}",
            f"/admin/programs/{program_id}/staff",
            f"/admin/agencies/{agency_id}/staff/import",
            f"/admin/agencies/{agency_id}/certificates",
            f"/admin/programs/{program_id}/quiz",
        ):
            _check(page, base + path, problems, device)
    finally:
        context.close()
    assert not problems, problems


def test_quiz_can_be_completed_with_the_keyboard_alone(browser, site):
    base = site["base"]
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="id-ID")
    page = context.new_page()
    try:
        _login_factory_user(page, base, site["learner"].nip)
        page.goto(f"{base}/modules/netralitas-asn")
        start = page.get_by_role("button", name="Mulai kuis")
        start.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/quiz/attempts/*")
        answered: set[str] = set()
        for _ in range(400):
            page.keyboard.press("Tab")
            info = page.evaluate("""() => { const e = document.activeElement;
                return {tag: e.tagName, type: e.type || '', name: e.name || '', id: e.id || '',
                        checked: !!e.checked, text: (e.innerText || '').trim()}; }""")
            if info["type"] in ("radio", "checkbox") and info["name"].startswith("q-"):
                if info["name"] not in answered:
                    page.keyboard.press("Space")
                    answered.add(info["name"])
            elif info["id"] == "confirm":
                page.keyboard.press("Space")
            elif info["tag"] == "BUTTON" and "Kirim jawaban" in info["text"]:
                page.keyboard.press("Enter")
                break
        page.wait_for_url("**/result")
        assert len(answered) >= 10
        assert "Nilai" in page.content()
    finally:
        context.close()


def _pledge_url(site) -> str:
    return f"{site['base']}/pledges/programs/{site['program_id']}/netralitas-asn/sign"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_pledge_signing_page(browser, site, device):
    context = browser.new_context(viewport=VIEWPORTS[device], locale="id-ID")
    page = context.new_page()
    problems: dict = {}
    try:
        _login_factory_user(page, site["base"], site["learner"].nip)
        _check(page, _pledge_url(site), problems, device)
        page.get_by_role("button", name="Tanda tangani pakta").click()
        page.wait_for_load_state()
        _check(page, "", problems, device)  # the form with every error shown
    finally:
        context.close()
    assert not problems, problems


def test_pledge_can_be_signed_with_the_keyboard_alone(browser, site):
    learner = site["learner"]
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="id-ID")
    page = context.new_page()
    try:
        _login_factory_user(page, site["base"], learner.nip)
        page.goto(_pledge_url(site))
        typed_password = typed_name = False
        for _ in range(200):
            page.keyboard.press("Tab")
            info = page.evaluate("""() => { const e = document.activeElement;
                return {tag: e.tagName, type: e.type || '', name: e.name || '', checked: !!e.checked}; }""")
            if info["type"] == "checkbox" and info["name"] == "commitments" and not info["checked"]:
                page.keyboard.press("Space")
            elif info["type"] == "password" and not typed_password:
                page.keyboard.type(PASSWORD)
                typed_password = True
            elif info["name"] == "typed_name" and not typed_name:
                page.keyboard.type(learner.name)
                typed_name = True
            elif info["type"] == "submit" and typed_name:
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                break
        page.wait_for_load_state()
        errors = page.locator(".error-summary, .field-error").all_inner_texts()
        assert "/pledges/receipts/" in page.url, (page.url, errors)
        page.goto(site["base"] + "/")
        card = page.content()
        assert "Pakta" in card
    finally:
        context.close()
