"""At 360 x 740 every tap target on the signing page and the receipt is at least 44 x 44 px:
links, buttons, checkbox labels, fields and disclosure summaries."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

TARGETS = "a[href], button, input:not([type=hidden]), label.checkbox, summary, select, textarea"


def _small_targets(page, scope: str) -> list[str]:
    small = []
    for element in page.query_selector_all(f"{scope} :is({TARGETS})"):
        box = element.bounding_box()
        if box is None:  # not rendered (e.g. inside a closed <details>)
            continue
        if element.evaluate("e => e.matches('input[type=checkbox]') && !!e.closest('label')"):
            continue  # the label around it is the target, measured itself
        if box["width"] < 44 or box["height"] < 44:
            text = element.evaluate("e => (e.innerText || e.value || e.name || e.tagName).trim().slice(0, 40)")
            small.append(f"{text!r} {box['width']:.0f}x{box['height']:.0f}")
    return small


def _login(page, live_server, learner) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#identifier", learner.nip)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["id-ID", "en-GB"])
def test_signing_page_and_receipt_tap_targets_on_a_phone(app, browser, live_server, setup, locale):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale=locale)
    page = context.new_page()
    try:
        _login(page, live_server, setup.learners[0])
        page.goto(f"{live_server}{setup.sign_path}")
        page.wait_for_selector("#signature-canvas")
        assert _small_targets(page, "main") == []
        for box in page.query_selector_all("input[name=commitments]"):
            box.check()
        page.fill("#password", PASSWORD)
        page.fill("#typed_name", setup.learners[0].name)
        page.click("#submit")
        page.wait_for_selector("#next-step")
        for summary in page.query_selector_all("main summary"):
            summary.click()  # open the signed text: its own links and summaries count too
        assert _small_targets(page, "main") == []
    finally:
        context.close()
