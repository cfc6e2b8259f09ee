"""Crawl everything an admin of agency A can reach on the demo data (every plugin enabled), then
replay each URL as the admin of agency B, as a learner of A, and anonymously: nothing of A's people
may come back. New routes are covered without anyone remembering to add them here."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from lms.db import db
from lms.demo import DEMO_PASSWORD, seed_demo
from lms.models import Agency, Role, User
from tests.conftest import csrf_token

# Pages meant for everyone (they show only what a certificate or pledge holder agreed to publish).
PUBLIC_PREFIXES = ("/static/", "/v/", "/verify", "/api/v1/certificates/", "/healthz", "/.well-known/",
                   "/pledges/checkpoints", "/login", "/forgot", "/activate/", "/reset/")
MAX_URLS = 400
LINK_RE = re.compile(r'(?:href|action|src)="([^"#]+)"')


def _login(client, identifier: str) -> None:
    token = csrf_token(client)
    response = client.post("/login", data={"identifier": identifier, "password": DEMO_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, f"demo login failed for {identifier}"


def _crawl(client) -> list[str]:
    seen: set[str] = set()
    queue = deque(["/"])
    reached: list[str] = []
    while queue and len(seen) < MAX_URLS:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302, 303) and response.location.startswith("/"):
            queue.append(response.location)
            continue
        if response.status_code != 200:
            continue
        reached.append(url)
        if "html" not in (response.content_type or ""):
            continue
        for link in LINK_RE.findall(response.get_data().decode("utf-8", "replace")):
            link = urljoin(url, link.replace("&amp;", "&"))
            parts = urlsplit(link)
            if parts.netloc and parts.netloc != "localhost":
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith("/static/") or path in seen:
                continue
            queue.append(path)
    return reached


@pytest.fixture
def demo(app):
    with app.app_context():
        list(seed_demo(app))
        bangka = db.session.scalar(select(Agency).where(Agency.code == "BANGKA"))
        people = db.session.scalars(select(User).where(User.agency_id == bangka.id,
                                                       User.role == Role.LEARNER)).all()
        secrets = {p.name for p in people} | {p.nip for p in people if p.nip}
        learner = next(p for p in people if p.nip == "199003152015032001")
        return {"secrets": secrets, "learner_nip": learner.nip, "learner_name": learner.name}


def _leaks(client, urls, secrets) -> list[str]:
    leaking = []
    for url in urls:
        if url.startswith(PUBLIC_PREFIXES):
            continue
        response = client.get(url)
        if response.status_code in (301, 302, 303, 403, 404, 429):
            continue
        body = response.get_data().decode("utf-8", "replace")
        found = sorted(s for s in secrets if s in body)
        if response.status_code == 200 and found:
            leaking.append(f"{url} -> {response.status_code} shows {found[:3]}")
        elif response.status_code >= 500:
            leaking.append(f"{url} -> {response.status_code}")
    return leaking


def test_nothing_of_agency_a_leaks_to_others(app, demo):
    admin_a = app.test_client()
    _login(admin_a, "admin@bangka.demo")
    urls = _crawl(admin_a)
    assert len(urls) >= 10, f"the crawler reached too little: {urls}"
    secrets = demo["secrets"]

    admin_b = app.test_client()
    _login(admin_b, "admin@pangkalpinang.demo")
    learner_a = app.test_client()
    _login(learner_a, demo["learner_nip"])
    anonymous = app.test_client()

    problems = []
    problems += [f"admin B: {x}" for x in _leaks(admin_b, urls, secrets)]
    own = {demo["learner_nip"], demo["learner_name"]}
    problems += [f"learner A: {x}" for x in _leaks(learner_a, urls, secrets - own)]
    problems += [f"anonymous: {x}" for x in _leaks(anonymous, urls, secrets)]
    assert not problems, "leaking URLs:\n" + "\n".join(problems)


def test_every_crawled_page_carries_the_security_headers(app, demo):
    admin_a = app.test_client()
    _login(admin_a, "admin@bangka.demo")
    urls = _crawl(admin_a)
    assert len(urls) >= 10
    for url in urls[:150]:
        headers = admin_a.get(url).headers
        csp = headers.get("Content-Security-Policy", "")
        assert "unsafe-inline" not in csp.split("script-src")[-1].split(";")[0], url
        assert "frame-ancestors 'none'" in csp, url
        assert headers.get("X-Content-Type-Options") == "nosniff", url
