"""The verify page on a phone in Chromium: status first, readable at 360 px, no sideways scroll."""

from __future__ import annotations

import pytest
from flask import Flask

from certificates import services
from lms.db import db
from tests.conftest import screenshot

from .conftest import issue, load


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
        assert status.inner_text() == "SAH"  # the page language's word; English small, apart
        assert page.locator(".cert-status-alt").inner_text() == "VALID"
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
        # the confirmation names the holder (name, unit, masked NIP) and must be ticked
        confirm = page.locator("label[for=confirm]").inner_text()
        assert "Siti Rahmawati" in confirm and "Dinas Pendidikan" in confirm and "•••• 2001" in confirm
        page.click("button.danger")
        assert page.locator("#confirm").evaluate("e => e.validity.valueMissing")
        assert load(app, issued.code).status == "valid"
        page.check("#confirm")
        page.click("button.danger")
        assert "dicabut" in page.locator(".flashes").inner_text()
        page.goto(f"{live_server}/v/{issued.code}")
        assert "DICABUT" in page.locator(".cert-status").inner_text()
    finally:
        context.close()


def _statuses(app: Flask, make, world) -> dict[str, str]:
    """One certificate in each public status; the agency reads its times in WIT."""
    import datetime as dt

    from lms.db import utcnow
    from lms.models import Agency

    with app.app_context():
        db.session.get(Agency, world["agency"].id).timezone = "Asia/Jayapura"
        db.session.commit()
    codes = {"valid": issue(app, world["learner"], world["program"]).code}
    for status in ("revoked", "superseded", "expired"):
        codes[status] = issue(app, make.user(world["agency"], name=f"Pegawai {status.title()}"), world["program"]).code
    with app.app_context():
        services.revoke(services.by_code(codes["revoked"]), "Diterbitkan karena kekeliruan data", actor=None)
        services.reissue(services.by_code(codes["superseded"]), actor=None)
        services.by_code(codes["expired"]).expires_at = utcnow() - dt.timedelta(days=1)
        db.session.commit()
    return codes


WORDS = {
    "id": {"valid": "SAH", "revoked": "DICABUT", "superseded": "DIGANTI", "expired": "KEDALUWARSA"},
    "en": {"valid": "VALID", "revoked": "REVOKED", "superseded": "SUPERSEDED", "expired": "EXPIRED"},
}


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(360, 740), (1366, 900)])
def test_status_block_is_clean_on_phone_and_desktop(app: Flask, live_server: str, browser, make, world, viewport):
    codes = _statuses(app, make, world)
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    try:
        for lang, other in (("id", "en"), ("en", "id")):
            for status, code in codes.items():
                page.goto(f"{live_server}/v/{code}?lang={lang}")
                heading = page.locator(".cert-status h1")
                # the status word in the page language only: no dangling "/ REVOKED"
                assert heading.inner_text() == WORDS[lang][status], (lang, status)
                assert page.locator(".cert-status-alt").inner_text() == WORDS[other][status]
                icon = page.locator(".cert-status-icon").bounding_box()
                box = heading.bounding_box()
                block = page.locator(".cert-status").bounding_box()
                assert icon and box and block
                assert box["x"] - (icon["x"] + icon["width"]) >= 4, (lang, status, icon, box)  # icon clear of text
                # the word fits on one line, inside the block, and the page never scrolls sideways
                line = page.evaluate(
                    "parseFloat(getComputedStyle(document.querySelector('.cert-status h1')).lineHeight)"
                )
                assert box["height"] < 1.5 * line, (lang, status, box)
                assert box["x"] + box["width"] <= block["x"] + block["width"] - 4
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                if status == "revoked":
                    # the revocation time as the agency reads it (WIT), named
                    assert " WIT" in page.locator(".cert-status").inner_text()
                assert " WIT" in page.locator(".cert-issued").inner_text()
    finally:
        context.close()


DROP = """([selector, b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, {type: 'application/pdf'}));
  const target = document.querySelector(selector);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
  }
}"""


@pytest.mark.browser
def test_a_pdf_dropped_on_the_page_is_checked(app: Flask, live_server: str, browser, world) -> None:
    import base64

    issued = issue(app, world["learner"], world["program"])
    good = base64.b64encode(issued.pdf).decode()
    bad = base64.b64encode(issued.pdf + b"\n%tampered").decode()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/v/{issued.code}")
        page.evaluate(DROP, [".cert-drop", good, "sertifikat.pdf"])
        page.wait_for_selector("#pdf-local:not([hidden])")
        assert "Cocok" in page.locator("#pdf-local").inner_text()
        # dropped anywhere on the page, it still goes to the check (the browser does not open it)
        page.evaluate(DROP, ["main", bad, "lain.pdf"])
        page.wait_for_function("document.getElementById('pdf-local').textContent.includes('Tidak cocok')")
        assert page.url.endswith(f"/v/{issued.code}")

        # the server-side check: the dropped file fills the form's file input, then it is sent
        page.goto(f"{live_server}/v/{issued.code}/check")
        page.evaluate(DROP, [".cert-drop", good, "sertifikat.pdf"])
        assert page.evaluate("document.getElementById('pdf').files[0].name") == "sertifikat.pdf"
        page.get_by_role("button", name="Bandingkan berkas").click()
        page.wait_for_load_state()
        assert "sama persis" in page.content()
    finally:
        context.close()


@pytest.mark.browser
def test_without_javascript_the_pdf_check_is_a_plain_file_input(app: Flask, live_server: str, browser, world):
    issued = issue(app, world["learner"], world["program"])
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/v/{issued.code}")
        assert not page.locator(".cert-pdf-form").is_visible()  # the in-browser check needs a script
        page.get_by_role("link", name="Periksa di server").click()
        page.set_input_files(
            "#pdf", files=[{"name": "sertifikat.pdf", "mimeType": "application/pdf", "buffer": issued.pdf}]
        )
        page.get_by_role("button", name="Bandingkan berkas").click()
        page.wait_for_load_state()
        assert "sama persis" in page.content()
    finally:
        context.close()
