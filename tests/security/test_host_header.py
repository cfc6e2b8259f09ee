"""Password-reset host poisoning: links that leave the app come from BASE_URL, and a request
with a foreign Host header is refused. Mail goes through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
import socket
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from lms.db import db
from lms.models import User
from lms.urls import external_url, trusted_hosts
from tests.conftest import csrf_token, login

EVIL = {"Host": "evil.example"}


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append(envelope)
        return "250 OK"

    def bodies(self) -> list[str]:
        return [email.message_from_bytes(m.content, policy=email.policy.default).get_content() for m in self.messages]

    def links(self) -> list[str]:
        return [m.group(0) for body in self.bodies() for m in re.finditer(r"\S+/(?:reset|activate)/\S+", body)]


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    box = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    old = (app.config.get("MAIL_SERVER"), app.config.get("MAIL_PORT"))
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield box
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER=old[0], MAIL_PORT=old[1])


@contextlib.contextmanager
def hosts_relaxed(app: Flask) -> Iterator[None]:
    """Accept any Host (as a misconfigured deployment would): links must still use BASE_URL."""
    old = app.config["TRUSTED_HOSTS"]
    app.config["TRUSTED_HOSTS"] = None
    try:
        yield
    finally:
        app.config["TRUSTED_HOSTS"] = old


def forged_post(client, path: str, data: dict):
    """POST with ``Host: evil.example``, carrying the real session cookie (the test client only
    sends a cookie to the host it was set for), so nothing but the Host differs."""
    cookie = client.get_cookie("ikrar_session")
    client.set_cookie("ikrar_session", cookie.value, domain="evil.example")
    return client.post(path, data=data, headers=EVIL)


def _base(app: Flask) -> str:
    return app.config["BASE_URL"].rstrip("/") + "/"


def test_forged_host_on_forgot_is_refused_and_sends_no_mail(app, client, make, inbox):
    make.user(make.agency(), email="siti@x.go.id")
    token = csrf_token(client, "/forgot")
    response = forged_post(client, "/forgot", {"email": "siti@x.go.id", "csrf_token": token})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    assert inbox.messages == []
    # Refused on any page, while the configured host still works.
    assert client.get("/login", headers=EVIL).status_code == 400
    assert client.get("/login").status_code == 200


def test_forged_host_still_gets_a_base_url_link_that_works(app, client, make, inbox):
    user = make.user(make.agency(), email="siti@x.go.id")
    token = csrf_token(client, "/forgot")
    with hosts_relaxed(app):
        response = forged_post(client, "/forgot", {"email": "siti@x.go.id", "csrf_token": token})
    assert response.status_code == 302
    [link] = inbox.links()
    assert link.startswith(_base(app) + "reset/"), link
    assert "evil.example" not in "".join(inbox.bodies())
    path = link[len(_base(app)) - 1 :]
    page = client.get(path)
    assert page.status_code == 200 and user.name in page.get_data(as_text=True)
    data = {"password": "a-brand-new-pass", "confirm": "a-brand-new-pass", "csrf_token": csrf_token(client, path)}
    assert client.post(path, data=data).status_code == 302
    assert login(client, user.nip, "a-brand-new-pass").status_code == 302


def _admin_client(app, make, platform: bool = False):
    agency = make.agency()
    admin = make.platform_admin() if platform else make.admin(agency)
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    return client, agency


def test_activation_and_staff_links_use_base_url(app, make, inbox):
    client, agency = _admin_client(app, make)
    path = f"/admin/agencies/{agency.id}/staff/new"
    data = {
        "name": "Siti",
        "employment_type": "pns",
        "nip": "19900315 201503 2 001",
        "email": "siti@x.go.id",
        "unit_id": "0",
        "csrf_token": csrf_token(client, path),
    }
    assert forged_post(client, path, data).status_code == 400
    assert inbox.messages == []
    with hosts_relaxed(app):
        assert forged_post(client, path, data).status_code == 302
        with app.app_context():
            person = db.session.scalar(select(User).where(User.email == "siti@x.go.id"))
        link_path = f"/admin/agencies/{agency.id}/staff/{person.id}/link"
        token = csrf_token(client, f"/admin/agencies/{agency.id}/staff/{person.id}")
        assert forged_post(client, link_path, {"csrf_token": token}).status_code == 302
    links = inbox.links()
    assert len(links) == 2
    assert all(link.startswith(_base(app) + "activate/") for link in links), links


def test_agency_first_admin_link_uses_base_url(app, make, inbox):
    client, _agency = _admin_client(app, make, platform=True)
    data = {
        "code": "BKD-Y",
        "name": "BKD Y",
        "admin_name": "Pak Budi",
        "admin_email": "budi@y.go.id",
        "csrf_token": csrf_token(client, "/admin/agencies/new"),
    }
    with hosts_relaxed(app):
        assert forged_post(client, "/admin/agencies/new", data).status_code == 302
    [link] = inbox.links()
    assert link.startswith(_base(app) + "activate/"), link


def test_printed_invitations_use_base_url(app, make):
    client, agency = _admin_client(app, make)
    make.user(agency, password_hash=None, activated_at=None)
    path = f"/admin/agencies/{agency.id}/staff/invitations"
    token = csrf_token(client, path)
    with hosts_relaxed(app):
        page = forged_post(client, path, {"csrf_token": token, "unit_id": "0"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and (_base(app) + "activate/") in text
    assert "evil.example" not in text


def test_external_url_keeps_a_base_path_prefix(app):
    old = app.config["BASE_URL"]
    try:
        for base in ("https://ikrar.example.go.id/portal", "https://ikrar.example.go.id/portal/"):
            app.config["BASE_URL"] = base
            with app.app_context():
                assert external_url("auth.reset", token="abc") == "https://ikrar.example.go.id/portal/reset/abc"
            # inside a request for another host and script root, the result is the same
            with app.test_request_context("/x", base_url="http://other.example/mounted"):
                assert external_url("auth.reset", token="abc") == "https://ikrar.example.go.id/portal/reset/abc"
        app.config["BASE_URL"] = "http://127.0.0.1:5000"
        with app.app_context():
            assert external_url("learner.home") == "http://127.0.0.1:5000/"
    finally:
        app.config["BASE_URL"] = old


def test_trusted_hosts_come_from_base_url():
    assert trusted_hosts({"BASE_URL": "https://ikrar.example.go.id:8443/p"}) == ["ikrar.example.go.id"]
    assert trusted_hosts({"BASE_URL": "https://a.go.id", "TRUSTED_HOSTS_EXTRA": "10.0.0.5, b.go.id"}) == [
        "a.go.id",
        "10.0.0.5",
        "b.go.id",
    ]
    # Test clients and the demo on a laptop answer on loopback names too.
    assert "127.0.0.1" in trusted_hosts({"BASE_URL": "https://a.go.id", "TESTING": True})


def test_production_app_refuses_other_hosts(tmp_path):
    from lms import create_app

    prod = create_app(
        {
            "SECRET_KEY": "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
            "BASE_URL": "https://ikrar.example.go.id",
        }
    )
    client = prod.test_client()
    assert client.get("/login", base_url="https://ikrar.example.go.id").status_code == 200
    assert client.get("/login", base_url="https://localhost").status_code == 400
    assert (
        client.get("/login", base_url="https://ikrar.example.go.id", headers={"Host": "evil.example"}).status_code
        == 400
    )
