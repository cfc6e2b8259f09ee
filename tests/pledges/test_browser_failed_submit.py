"""In Chromium at 360 x 740: a wrong password keeps the drawing and the ticks, and every error
shows at once."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


def _login(page, live_server, learner) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#identifier", learner.nip)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")


def _draw(page) -> None:
    canvas = page.locator("#signature-canvas")
    canvas.scroll_into_view_if_needed()
    area = canvas.bounding_box()
    x0, y0 = area["x"] + 20, area["y"] + area["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x0 + step * 10, y0 + (25 if step % 2 else -25), steps=2)
    page.mouse.up()


def _canvas_blank(page) -> bool:
    return page.evaluate(
        """() => { const c = document.getElementById('signature-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return false; } return true; }"""
    )


@pytest.mark.browser
def test_wrong_password_keeps_drawing_and_ticks_and_shows_every_error(app, browser, live_server, setup):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    try:
        _login(page, live_server, setup.learners[0])
        page.goto(f"{live_server}{setup.sign_path}")
        page.wait_for_selector("#signature-canvas")
        for box in page.query_selector_all("input[name=commitments]"):
            box.check()
        page.fill("#password", "not-my-password")
        page.fill("#typed_name", "Orang Lain")
        _draw(page)
        drawn = page.input_value("#signature")
        assert drawn.startswith("data:image/png;base64,")
        page.click("#submit")
        page.wait_for_selector("#pledge-error")
        page.wait_for_function("document.getElementById('signature-canvas').classList.contains('signed')")
        assert page.input_value("#signature") == drawn
        assert not _canvas_blank(page)
        boxes = page.query_selector_all("input[name=commitments]")
        assert boxes and all(box.is_checked() for box in boxes)
        assert page.input_value("#password") == ""
        assert page.locator("#password-error", has_text="Kata sandi salah").count() == 1
        assert page.locator("#typed-error", has_text="harus sama dengan nama akun").count() == 1
        # Correcting only the password now signs with the drawing that came back.
        page.fill("#typed_name", "")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        page.wait_for_selector("img.signature-image")
        assert "/pledges/receipts/" in page.url
    finally:
        context.close()
