"""A learner logs in, sees "my programs", switches language and logs out, on desktop and phone."""

import datetime as dt

import pytest

from tests.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_learner_login_programs_language_logout(browser, live_server, make, device):
    agency = make.agency(name="Pemerintah Kabupaten Bangka")
    learner = make.user(agency, name="Siti Rahmawati, S.Pd.", nip="199003152015032001")
    pemilu = make.election(name="Pemilihan Umum Tahun 2029", voting_day=dt.date(2029, 2, 14))
    make.program(agency, title="Sosialisasi Netralitas ASN", election=pemilu)
    context = browser.new_context(viewport=VIEWPORTS[device], locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        assert page.locator("h1").inner_text() == "Masuk ke Ikrar"
        if device == "phone":
            screenshot(page, "login-phone")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, "no horizontal scrolling on a 360 px phone"
        page.get_by_label("NIP atau e-mail").fill("19900315 201503 2 001")
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(f"{live_server}/")
        assert page.locator("h1").inner_text() == "Program saya"
        assert "Sosialisasi Netralitas ASN" in page.content() and "Pemilihan Umum Tahun 2029" in page.content()
        screenshot(page, f"learner-home-{device}")
        if device == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360

        page.get_by_role("button", name="EN").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "My programs"
        assert page.locator("html").get_attribute("lang") == "en"

        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{live_server}/login")
        assert "You have logged out." in page.content()
        page.goto(f"{live_server}/")
        assert page.url.startswith(f"{live_server}/login")
    finally:
        context.close()
    assert learner.name
