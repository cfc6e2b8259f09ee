"""Behaviour that depends on deployment settings: HTTPS, Redis-backed limits, SMTP."""

from __future__ import annotations

import email
import email.policy
import socket
import time

import pytest

from lms import create_app
from lms.db import Base, db
from tests.conftest import csrf_token, login


def test_cookies_are_secure_and_hsts_sent_behind_https(database_url, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/h.db", "HTTPS": True})
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age=" in response.headers["Strict-Transport-Security"]


@pytest.mark.redis
def test_login_limits_are_counted_in_redis_when_configured(tmp_path, redis_url):
    import redis

    prefix = f"ikrar-test-{time.time_ns()}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/r.db",
            "REDIS_URL": redis_url,
            "RATELIMIT_KEY_PREFIX": prefix,
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
    client = app.test_client()
    codes = [login(client, "nobody@x.go.id", "wrong").status_code for _ in range(7)]
    assert codes[-1] == 429
    keys = redis.Redis.from_url(redis_url).keys(f"*{prefix}*")
    assert keys, "the limiter did not write its counters to Redis"
    # A second app instance (another gunicorn worker) sees the same counters.
    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/r.db",
            "REDIS_URL": redis_url,
            "RATELIMIT_KEY_PREFIX": prefix,
        }
    )
    assert login(other.test_client(), "nobody@x.go.id", "wrong").status_code == 429


def test_forgotten_password_mail_reaches_a_real_smtp_server(app, client, make):
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
            self.messages.append(envelope)
            return "250 OK"

    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    old = (app.config.get("MAIL_SERVER"), app.config.get("MAIL_PORT"))
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        user = make.user(make.agency(), email="siti@x.go.id")
        token = csrf_token(client, "/forgot")
        assert client.post("/forgot", data={"email": "siti@x.go.id", "csrf_token": token}).status_code == 302
        token = csrf_token(client, "/forgot")
        client.post("/forgot", data={"email": "unknown@x.go.id", "csrf_token": token})
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER=old[0], MAIL_PORT=old[1])
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message.rcpt_tos == ["siti@x.go.id"]
    body = email.message_from_bytes(message.content, policy=email.policy.default).get_content()
    link = next(line for line in body.splitlines() if "/reset/" in line).strip()
    path = link[link.index("/reset/") :]
    page = client.get(path)
    assert page.status_code == 200 and user.name in page.get_data(as_text=True)


def test_database_outage_gives_a_clean_503_page(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none"})
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["sid"] = "x"
    for path in ("/", "/account", "/admin/"):
        response = client.get(path, headers={"Accept-Language": "en"})
        body = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert "The database cannot be reached" in body and "Traceback" not in body
        assert response.headers["Retry-After"]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "unavailable"


def test_production_without_redis_warns_at_start_up(tmp_path, caplog):
    config = {"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/w.db"}
    with caplog.at_level("WARNING"):
        create_app(config)
    assert any("REDIS_URL is not set" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level("WARNING"):
        app = create_app({**config, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert not any("REDIS_URL" in r.getMessage() for r in caplog.records)
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_gunicorn_refuses_several_workers_without_redis(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_SECRET_KEY="k" * 40, LMS_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/g.db")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "-w", "2", "-b", "127.0.0.1:0", "wsgi:app"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Refusing to start 2 workers" in result.stdout + result.stderr
