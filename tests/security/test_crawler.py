"""Crawl everything an admin of agency A can reach on the demo data (every plugin enabled), then
replay each URL as the admin of agency B, as a learner of A, and anonymously: nothing of A's people
may come back. Replayed as an admin of A limited to one unit, nothing of A's other units may come
back either. New routes are covered without anyone remembering to add them here."""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from certificates.models import Certificate, Job
from lms.db import db, utcnow
from lms.demo import DEMO_PASSWORD, DEMO_PROGRAM_TITLE, seed_demo
from lms.models import Agency, EmploymentType, Program, Role, Unit, User, admin_units
from lms.security import hash_password
from pledges.models import PledgeSignature
from tests.conftest import csrf_token

# Pages meant for everyone (they show only what a certificate or pledge holder agreed to publish).
PUBLIC_PREFIXES = (
    "/static/",
    "/v/",
    "/verify",
    "/api/v1/certificates/",
    "/healthz",
    "/.well-known/",
    "/pledges/checkpoints",
    "/login",
    "/forgot",
    "/activate/",
    "/reset/",
)
MAX_URLS = 400
LINK_RE = re.compile(r'(?:href|action|src)="([^"#]+)"')


def _login(client, identifier: str) -> None:
    token = csrf_token(client)
    response = client.post("/login", data={"identifier": identifier, "password": DEMO_PASSWORD, "csrf_token": token})
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
        people = db.session.scalars(select(User).where(User.agency_id == bangka.id, User.role == Role.LEARNER)).all()
        secrets = {p.name for p in people} | {p.nip for p in people if p.nip}
        learner = next(p for p in people if p.nip == "199003152015032001")
        return {"secrets": secrets, "learner_nip": learner.nip, "learner_name": learner.name}


def _body(response) -> str:
    """The response as text; a ZIP (an XLSX export, a certificate ZIP) as its file names and
    members, so names inside compressed files are found too."""
    data = response.get_data()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [*archive.namelist(), *(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())]
        return "\n".join(parts)
    return data.decode("utf-8", "replace")


def _leaks(client, urls, secrets) -> list[str]:
    leaking = []
    for url in urls:
        if url.startswith(PUBLIC_PREFIXES):
            continue
        response = client.get(url)
        if response.status_code in (301, 302, 303, 403, 404, 429):
            continue
        body = _body(response)
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


# --- an admin of A limited to one unit -----------------------------------------------------------

UNIT_ADMIN_EMAIL = "unit@bangka.demo"
LIMITED_UNIT = "Dinas Pendidikan"
# detail pages of one person, certificate, signature or ZIP job: (pattern, kind of the id)
DETAIL_PATTERNS = (
    (re.compile(r"^/admin/agencies/\d+/staff/(\d+)(?:/|$)"), "user"),
    (re.compile(r"^/certificates/([A-Za-z0-9]+)\.pdf$"), "certificate"),
    (re.compile(r"^/admin/agencies/\d+/certificates/(?!jobs/|design)([A-Za-z0-9]+)(?:/|$)"), "certificate"),
    (re.compile(r"^/admin/signatures/(\d+)(?:/|$)"), "signature"),
    (re.compile(r"^/admin/agencies/\d+/certificates/jobs/(\d+)(?:\.json|/|$)"), "job"),
)


def _unit_admin(app) -> dict:
    """An admin of BANGKA limited to one unit, and what they must not see: the names and NIPs of
    BANGKA's learners in other units (minus any that also belong to someone of their unit)."""
    with app.app_context():
        bangka = db.session.scalar(select(Agency).where(Agency.code == "BANGKA"))
        unit = db.session.scalar(select(Unit).where(Unit.agency_id == bangka.id, Unit.name == LIMITED_UNIT))
        admin = User(
            agency_id=bangka.id,
            unit_id=unit.id,
            role=Role.AGENCY_ADMIN,
            employment_type=EmploymentType.NON_ASN,
            email=UNIT_ADMIN_EMAIL,
            name="Admin Unit Pendidikan",
            password_hash=hash_password(DEMO_PASSWORD),
            activated_at=utcnow(),
        )
        db.session.add(admin)
        db.session.flush()
        db.session.execute(admin_units.insert().values(user_id=admin.id, unit_id=unit.id))
        db.session.commit()
        people = db.session.scalars(select(User).where(User.agency_id == bangka.id, User.role == Role.LEARNER)).all()
        own = [v for p in people if p.unit_id == unit.id for v in (p.name, p.nip) if v]
        others = {v for p in people if p.unit_id != unit.id for v in (p.name, p.nip) if v}
        secrets = {s for s in others if not any(s in o for o in own)}
        outside = {p.id for p in people if p.unit_id != unit.id}
        return {"secrets": secrets, "outside": outside}


def _owner_outside(app, url: str, outside: set[int]) -> bool:
    """True when ``url`` is the detail page of something of a person outside the admin's unit
    (or of a ZIP job someone else asked for)."""
    for pattern, kind in DETAIL_PATTERNS:
        match = pattern.match(url.split("?")[0])
        if not match:
            continue
        key = match.group(1)
        with app.app_context():
            if kind == "user":
                return int(key) in outside
            if kind == "certificate":
                owner = db.session.scalar(select(Certificate.user_id).where(Certificate.code == key.upper()))
                return owner in outside
            if kind == "signature":
                return (
                    db.session.scalar(select(PledgeSignature.user_id).where(PledgeSignature.id == int(key))) in outside
                )
            requester = db.session.scalar(select(Job.requested_by_id).where(Job.id == int(key)))
            admin_id = db.session.scalar(select(User.id).where(User.email == UNIT_ADMIN_EMAIL))
            return requester != admin_id
    return False


def _start_zip_job(app, client) -> str:
    """A ZIP job of the whole-agency admin (it holds every unit's certificates)."""
    with app.app_context():
        program = db.session.scalar(
            select(Program).join(Agency).where(Agency.code == "BANGKA", Program.title == DEMO_PROGRAM_TITLE)
        )
        listing = f"/admin/agencies/{program.agency_id}/certificates"
        path = f"/admin/programs/{program.id}/certificates.zip"
    response = client.post(path, data={"csrf_token": csrf_token(client, listing)})
    assert response.status_code == 302
    return urlsplit(response.location).path


def test_unit_limited_admin_sees_nothing_of_other_units(app, demo):
    admin_a = app.test_client()
    _login(admin_a, "admin@bangka.demo")
    job = _start_zip_job(app, admin_a)
    urls = _crawl(admin_a)
    urls += [job, f"{job}.json", f"{job}/download"]
    limited = _unit_admin(app)
    client = app.test_client()
    _login(client, UNIT_ADMIN_EMAIL)
    details = [u for u in urls if _owner_outside(app, u, limited["outside"])]
    assert len(details) >= 5, f"the crawler reached too few other-unit detail pages: {details}"

    problems = _leaks(client, urls, limited["secrets"])
    for url in details:
        status = client.get(url).status_code
        if status != 404:
            problems.append(f"{url} -> {status}, expected 404 (another unit's)")
    assert not problems, "unit-limited admin sees other units:\n" + "\n".join(problems)
    # and the admin of agency B still sees nothing of A, limited admin or not
    admin_b = app.test_client()
    _login(admin_b, "admin@pangkalpinang.demo")
    assert not _leaks(admin_b, urls, demo["secrets"])


# --- platform-only pages ---------------------------------------------------------------------------

PLATFORM_ONLY = ("/admin/elections", "/admin/agencies/new")


def test_platform_pages_are_closed_to_agency_admins_learners_and_anonymous(app, demo):
    root = app.test_client()
    _login(root, "platform@ikrar.demo")
    urls = [u for u in _crawl(root) if u.startswith(PLATFORM_ONLY)]
    assert "/admin/elections" in urls and "/admin/elections/new" in urls
    assert any(re.fullmatch(r"/admin/elections/\d+/edit", u) for u in urls), urls
    others = {"admin A": "admin@bangka.demo", "admin B": "admin@pangkalpinang.demo", "learner": demo["learner_nip"]}
    problems = []
    for who, identifier in others.items():
        client = app.test_client()
        _login(client, identifier)
        for url in urls:
            if (status := client.get(url).status_code) not in (403, 404):
                problems.append(f"{who}: GET {url} -> {status}")
            token = csrf_token(client, "/account")
            if (status := client.post(url, data={"csrf_token": token, "name": "X"}).status_code) not in (403, 404, 405):
                problems.append(f"{who}: POST {url} -> {status}")
    anonymous = app.test_client()
    for url in urls:
        response = anonymous.get(url)
        if response.status_code != 302 or "/login" not in response.location:
            problems.append(f"anonymous: GET {url} -> {response.status_code}")
    assert not problems, "\n".join(problems)
