"""The verify page on a phone in Chromium: status first, readable at 360 px, no sideways scroll."""

from __future__ import annotations

import pytest
from flask import Flask

from certificates import services
from lms.db import db
from tests.conftest import screenshot

from .conftest import issue


@pytest.mark.browser
def test_verify_page_on_a_phone(app: Flask, live_server: str, browser, make, world) -> None:
    valid = issue(app, world["learner"], world["program"])
    revoked = issue(app, make.user(world["agency"], name="Budi Santoso, S.E."), world["program"])
    with app.app_context():
        services.revoke(services.by_code(revoked.code), "Diterbitkan karena kekeliruan data", actor=None)
        db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/v/{valid.code.lower()}")
        status = page.locator(".cert-status h1")
        assert "SAH" in status.inner_text() and "VALID" in status.inner_text()
        box = status.bounding_box()
        assert box is not None and box["y"] < 300  # the status comes first, above the fold
        assert page.locator(".cert-name").inner_text() == "Siti Rahmawati, S.Pd."
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # client-side hash check with SubtleCrypto gives the answer before submitting
        page.set_input_files(
            "input[type=file]", files=[{"name": "sertifikat.pdf", "mimeType": "application/pdf", "buffer": valid.pdf}]
        )
        page.wait_for_selector("#pdf-local:not([hidden])")
        assert "Cocok" in page.locator("#pdf-local").inner_text()
        # and the server-side check (no script needed) on the linked page
        page.get_by_role("link", name="Periksa di server").click()
        page.set_input_files(
            "input[type=file]", files=[{"name": "sertifikat.pdf", "mimeType": "application/pdf", "buffer": valid.pdf}]
        )
        page.get_by_role("button", name="Bandingkan berkas").click()
        page.wait_for_load_state()
        assert "sama persis" in page.content()
        page.goto(f"{live_server}/v/{valid.code}")
        screenshot(page, "verify-valid")

        page.goto(f"{live_server}/v/{revoked.code}")
        text = page.locator(".cert-status").inner_text()
        assert "DICABUT" in text and "REVOKED" in text and "kekeliruan data" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "verify-revoked")
    finally:
        context.close()


@pytest.mark.browser
def test_admin_revokes_in_the_browser(app: Flask, live_server: str, browser, world) -> None:
    from tests.conftest import PASSWORD

    issued = issue(app, world["learner"], world["program"])
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#identifier", world["admin"].email)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.goto(f"{live_server}/admin/agencies/{world['agency'].id}/certificates")
        assert "Siti Rahmawati" in page.content()
        screenshot(page, "certificates-admin-list")
        page.click(f"text={issued.number}")
        page.fill("#reason", "Nama tertulis keliru, akan diterbitkan ulang")
        page.click("button.danger")
        assert "dicabut" in page.locator(".flashes").inner_text()
        page.goto(f"{live_server}/v/{issued.code}")
        assert "DICABUT" in page.locator(".cert-status").inner_text()
    finally:
        context.close()
