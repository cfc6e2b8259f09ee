"""The learner's pages on a 360 x 740 phone: every tap target at least 44 x 44 px, the header in one
row in both languages, a segmented language toggle, and the big button ending on the certificate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.db import db
from tests.conftest import PASSWORD
from tests.lms.learner_helpers import StepKind, complete, receipt_first

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}

# Every visible link and button (the skip link sits off screen until focused).
_TARGETS = """() => [...document.querySelectorAll('a[href], button, input[type=submit], summary')]
  .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                 return r.width > 0 && r.height > 0 && r.right > 0 && s.visibility !== 'hidden'
                        && !e.classList.contains('skip-link'); })
  .map(e => { const r = e.getBoundingClientRect();
              return {text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim(),
                      href: e.getAttribute('href'), w: r.width, h: r.height}; })"""


def _small_targets(page) -> list[str]:
    return [f"{t['text']!r} {t['w']:.0f}x{t['h']:.0f}" for t in page.evaluate(_TARGETS) if t["w"] < 44 or t["h"] < 44]


def _header_rows(page) -> int:
    """How many rows the header's brand, links, buttons and language toggle take."""
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.site-header .brand, .site-header .nav li, .site-header .lang-switch')]
             .map(e => Math.round(e.getBoundingClientRect().top))"""
    )
    rows: list[int] = []
    for top in sorted(tops):
        if not rows or top - rows[-1] > 10:
            rows.append(top)
    return len(rows)


def _log_in(page, base: str, nip: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("NIP atau e-mail").fill(nip)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def learner_site(app, make, requirement_kinds):
    requirement_kinds(StepKind())
    agency = make.agency(name="Pemerintah Kabupaten Bangka")
    learner = make.user(agency, name="Dewi Lestari, A.Md.Kep.", nip="199204102018032001")
    finished = make.program(agency, title="Netralitas ASN Pilkada Bangka", requirements=[("step", "done:modul")])
    make.program(agency, title="Netralitas ASN Pemilu 2029", requirements=[("step", "todo:modul")])
    with receipt_first(app):
        complete(app, learner, finished)
        with app.app_context():
            from certificates.models import Certificate

            code = db.session.scalar(select(Certificate.code).where(Certificate.program_id == finished.id))
        assert code, "the certificates plugin issued the certificate on completion"
        yield {"learner": learner, "program": finished, "code": code}


def test_login_page_tap_targets_and_header_at_360(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    try:
        for lang in ("id", "en"):
            page.goto(f"{live_server}/login?lang={lang}")
            assert _small_targets(page) == [], lang
            assert _header_rows(page) == 1, f"header wraps at 360 px ({lang})"
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_my_programs_on_a_phone_ends_on_the_certificate(browser, live_server, learner_site):
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    try:
        _log_in(page, live_server, "199204102018032001")
        assert "Halo, Dewi Lestari, A.Md.Kep." in page.content()
        assert "A.Md.Kep.." not in page.content()

        card = page.locator("section.program-card", has_text="Pilkada Bangka")
        big = card.locator("a.button.primary.block")
        assert big.get_attribute("href") == f"/certificates/{learner_site['code']}.pdf"
        box = big.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300, box
        assert "sertifikat" in big.inner_text().lower()

        running = page.locator("section.program-card", has_text="Pemilu 2029")
        assert running.locator("a.button.primary.block").get_attribute("href") == "/step/todo:modul"

        assert _small_targets(page) == []
        assert _header_rows(page) == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        toggle = page.locator("form.lang-switch")
        assert toggle.get_by_role("button", name="ID").get_attribute("aria-pressed") == "true"
        assert toggle.get_by_role("button", name="EN").get_attribute("aria-pressed") == "false"
        id_box, en_box = (toggle.locator("button").nth(i).bounding_box() for i in (0, 1))
        assert abs(id_box["x"] + id_box["width"] - en_box["x"]) < 3, "the two halves touch: one segmented control"
        assert id_box["y"] == en_box["y"]

        toggle.get_by_role("button", name="EN").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "My programs"
        assert toggle.get_by_role("button", name="EN").get_attribute("aria-pressed") == "true"
        assert _small_targets(page) == []
        assert _header_rows(page) == 1, "header wraps at 360 px in English"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "header overflows in English"
        card = page.locator("section.program-card", has_text="Pilkada Bangka")
        assert card.locator("a.button.primary.block").get_attribute("href").endswith(f"{learner_site['code']}.pdf")
    finally:
        context.close()


def test_my_programs_on_the_desktop_ends_on_the_certificate(browser, live_server, learner_site):
    context = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = context.new_page()
    try:
        _log_in(page, live_server, "199204102018032001")
        big = page.locator("section.program-card", has_text="Pilkada Bangka").locator("a.button.primary.block")
        assert big.get_attribute("href") == f"/certificates/{learner_site['code']}.pdf"
        assert big.bounding_box()["height"] >= 44
        assert _small_targets(page) == []
        assert _header_rows(page) == 1
    finally:
        context.close()
