"""axe-core on every page type, at desktop and 360 px: no serious or critical violations."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.db import db
from lms.demo import DEMO_PASSWORD, seed_demo
from lms.models import Agency, Election

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _log_in(page, base: str, identifier: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("NIP atau e-mail").fill(identifier)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


@pytest.fixture
def demo_site(app, live_server):
    with app.app_context():
        list(seed_demo(app))
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == "BANGKA"))
        election_id = db.session.scalar(select(Election.id).order_by(Election.id))
    return live_server, agency_id, election_id


def _pages_for(role: str, agency_id: int, election_id: int) -> list[str]:
    if role == "platform":
        return ["/admin/agencies", "/admin/elections", "/admin/elections/new", f"/admin/elections/{election_id}/edit"]
    if role == "anonymous":
        return ["/login", "/forgot", "/no-such-page"]
    if role == "learner":
        return ["/", "/account", "/account/password"]
    base = f"/admin/agencies/{agency_id}"
    return [base, f"{base}/staff", f"{base}/staff/new", f"{base}/units", f"{base}/programs/new", f"{base}/audit"]


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("role", ["anonymous", "learner", "admin", "platform"])
def test_no_serious_accessibility_violations(browser, demo_site, role, device):
    from axe_playwright_python.sync_playwright import Axe

    base, agency_id, election_id = demo_site
    context = browser.new_context(viewport=VIEWPORTS[device], locale="id-ID")
    page = context.new_page()
    try:
        if role == "learner":
            _log_in(page, base, "199003152015032001")
        elif role == "admin":
            _log_in(page, base, "admin@bangka.demo")
        elif role == "platform":
            _log_in(page, base, "platform@ikrar.demo")
        problems = {}
        for path in _pages_for(role, agency_id, election_id):
            page.goto(base + path)
            found = _serious(Axe().run(page))
            if found:
                problems[path] = found
            if device == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 360:
                    problems.setdefault(path, []).append(f"horizontal scroll: {width}px")
        assert not problems, problems
    finally:
        context.close()
