"""A learner signs the Pakta Integritas on a phone-sized screen, drawing with the mouse."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.db import db
from pledges.models import PledgeSignature
from tests.conftest import PASSWORD, screenshot


@pytest.mark.browser
def test_learner_draws_signature_on_phone_and_sees_requirement_met(app, browser, live_server, setup):
    learner = setup.learners[0]
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#identifier", learner.nip)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server}/")
        page.click("a.button.primary")  # "Lanjutkan: Tanda tangani Pakta Integritas"
        page.wait_for_selector("#signature-canvas")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        for box in page.query_selector_all("input[name=commitments]"):
            box.check()
        page.fill("#password", PASSWORD)
        canvas = page.locator("#signature-canvas")
        canvas.scroll_into_view_if_needed()
        area = canvas.bounding_box()
        assert area["width"] >= 200
        x0, y0 = area["x"] + 20, area["y"] + area["height"] / 2
        page.mouse.move(x0, y0)
        page.mouse.down()
        for step in range(1, 30):
            page.mouse.move(x0 + step * 9, y0 + (25 if step % 2 else -25), steps=2)
        page.mouse.up()
        value = page.input_value("#signature")
        assert value.startswith("data:image/png;base64,")
        screenshot(page, "learner-pledge")
        page.click("#submit")
        page.wait_for_selector("text=Tanda terima pakta")
        assert "/pledges/receipts/" in page.url
        assert page.locator("img.signature-image").count() == 1
        screenshot(page, "learner-pledge-receipt")
        page.goto(f"{live_server}/")
        item = page.locator(".checklist li", has_text="Pakta Integritas ditandatangani")
        assert item.locator(".badge-done").count() == 1
        assert page.locator(".checklist li", has_text="Tanda terima pakta").count() == 1
    finally:
        context.close()
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        assert sig.user_id == learner.id and sig.signature_png is not None
        assert "Chrome" in (sig.user_agent or "")
