import re

import pytest
from sqlalchemy import select

from lms import ConfigError, create_app
from lms.db import db, utcnow
from lms.models import AuthSession, User
from lms.services import accounts
from tests.conftest import PASSWORD, csrf_token, login


def test_learner_logs_in_with_nip_with_spaces_and_sees_my_programs(client, make):
    agency = make.agency()
    user = make.user(agency, nip="199003152015032001")
    response = login(client, "19900315 201503 2 001")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Program saya" in page and user.name in page


def test_login_by_email_and_wrong_password_message(client, make):
    agency = make.agency()
    make.user(agency, email="siti@x.go.id")
    bad = login(client, "siti@x.go.id", "wrong-password")
    assert bad.status_code == 400
    assert "kata sandi salah" in bad.get_data(as_text=True)
    assert login(client, "SITI@x.go.id").status_code == 302


def test_deactivated_account_cannot_log_in(client, make):
    agency = make.agency()
    user = make.user(agency, active=False)
    assert login(client, user.nip).status_code == 400


def test_session_is_new_on_login_and_ended_server_side_on_logout(app, client, make):
    agency = make.agency()
    user = make.user(agency)
    client.get("/login")
    before = client.get_cookie("ikrar_session").value
    login(client, user.nip)
    after = client.get_cookie("ikrar_session").value
    assert before != after
    stolen = after
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.query(AuthSession).count() == 0
    # Replaying the old cookie no longer opens a session.
    client.set_cookie("ikrar_session", stolen)
    assert client.get("/").status_code == 302


def test_cookie_flags(app, client, make):
    user = make.user(make.agency())
    response = login(client, user.nip)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_is_rate_limited_per_account(client, make):
    user = make.user(make.agency())
    responses = [login(client, user.nip, "nope") for _ in range(7)]
    assert responses[-1].status_code == 429
    assert "Terlalu banyak" in responses[-1].get_data(as_text=True)


def test_form_without_csrf_token_is_refused(client, make):
    user = make.user(make.agency())
    response = client.post("/login", data={"identifier": user.nip, "password": PASSWORD})
    assert response.status_code == 400
    assert "kedaluwarsa" in response.get_data(as_text=True)


def test_activation_link_works_once(app, client, make):
    agency = make.agency()
    user = make.user(agency, password_hash=None, activated_at=None)
    with app.app_context():
        token = accounts.issue_link(user, accounts.ACTIVATION)
        db.session.commit()
    page = client.get(f"/activate/{token}")
    assert page.status_code == 200 and user.name in page.get_data(as_text=True)
    data = {
        "password": "a-new-password-1",
        "confirm": "a-new-password-1",
        "csrf_token": csrf_token(client, f"/activate/{token}"),
    }
    assert client.post(f"/activate/{token}", data=data).status_code == 302
    assert login(client, user.nip, "a-new-password-1").status_code == 302
    again = client.get(f"/activate/{token}")
    assert again.status_code == 400 and "sudah dipakai" in again.get_data(as_text=True)


def test_tampered_and_expired_links_are_refused(app, client, make):
    user = make.user(make.agency())
    with app.app_context():
        token = accounts.issue_link(user, accounts.RESET)
        db.session.commit()
    assert client.get(f"/reset/{token}x").status_code == 400
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    try:
        page = client.get(f"/reset/{token}")
        assert page.status_code == 400 and "kedaluwarsa" in page.get_data(as_text=True)
    finally:
        app.config["RESET_TOKEN_MAX_AGE"] = 7200


def test_short_password_is_refused_with_a_message(app, client, make):
    user = make.user(make.agency())
    with app.app_context():
        token = accounts.issue_link(user, accounts.RESET)
        db.session.commit()
    data = {"password": "short", "confirm": "short", "csrf_token": csrf_token(client, f"/reset/{token}")}
    response = client.post(f"/reset/{token}", data=data)
    assert response.status_code == 400 and "minimal 10" in response.get_data(as_text=True)


def test_change_password_ends_other_sessions(app, make):
    user = make.user(make.agency())
    first, second = app.test_client(), app.test_client()
    login(first, user.nip)
    login(second, user.nip)
    data = {
        "current_password": PASSWORD,
        "password": "another-pass-99",
        "confirm": "another-pass-99",
        "csrf_token": csrf_token(first, "/account/password"),
    }
    assert first.post("/account/password", data=data).status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302  # logged out


def test_language_switch(client, make):
    user = make.user(make.agency())
    login(client, user.nip)
    token = csrf_token(client, "/")
    client.post("/lang", data={"lang": "en", "csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert "My programs" in page and 'lang="en"' in page


def test_security_headers_on_every_response(client):
    for path in ("/login", "/healthz", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_hsts_only_over_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert "Strict-Transport-Security" in client.get("/login", base_url="https://localhost").headers


def test_404_page_is_designed_and_translated(client):
    response = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page not found" in body and "Traceback" not in body


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"


def test_missing_secret_key_is_a_startup_error(monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": None})


def test_open_redirect_is_not_followed(client, make):
    user = make.user(make.agency())
    token = csrf_token(client)
    response = client.post(
        "/login?next=//evil.example/x", data={"identifier": user.nip, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"
    assert not re.match(r"https?://evil", response.headers["Location"])


def test_failed_logins_from_one_ip_do_not_lock_out_the_owner_elsewhere(app, make):
    user = make.user(make.agency())
    attacker, owner = app.test_client(), app.test_client()
    attacker_ip, owner_ip = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.2"}
    token = csrf_token(attacker, "/login")
    codes = [
        attacker.post(
            "/login",
            data={"identifier": user.nip, "password": f"guess-{i}", "csrf_token": token},
            environ_base=attacker_ip,
        ).status_code
        for i in range(8)
    ]
    assert codes[:5] == [400] * 5 and codes[-1] == 429  # the pair limit stops the guessing
    # ...even with the right password from that IP...
    assert (
        attacker.post(
            "/login", data={"identifier": user.nip, "password": PASSWORD, "csrf_token": token}, environ_base=attacker_ip
        ).status_code
        == 429
    )
    # ...but the owner, from another address, logs in.
    token = csrf_token(owner, "/login")
    response = owner.post(
        "/login", data={"identifier": user.nip, "password": PASSWORD, "csrf_token": token}, environ_base=owner_ip
    )
    assert response.status_code == 302


def test_successful_logins_are_not_counted_against_the_account(app, make):
    user = make.user(make.agency())
    client = app.test_client()
    for _ in range(8):
        assert login(client, user.nip).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_global_account_failure_limit_is_passed_by_a_reset_link(app, make):
    user = make.user(make.agency())
    old = app.config["RATELIMIT_LOGIN_ACCOUNT"]
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "6 per hour"
    try:
        for n in range(4):  # failures spread over IPs reach the per-account limit
            client = app.test_client()
            token = csrf_token(client, "/login")
            for _ in range(2):
                client.post(
                    "/login",
                    data={"identifier": user.nip, "password": "wrong-one", "csrf_token": token},
                    environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"},
                )
        owner = app.test_client()
        assert login(owner, user.nip).status_code == 429
        with app.app_context():
            token = accounts.issue_link(db.session.get(User, user.id), accounts.RESET)
            db.session.commit()
        data = {
            "password": "owner-new-pass-1",
            "confirm": "owner-new-pass-1",
            "csrf_token": csrf_token(owner, f"/reset/{token}"),
        }
        assert owner.post(f"/reset/{token}", data=data).status_code == 302
        assert login(owner, user.nip, "owner-new-pass-1").status_code == 302
    finally:
        app.config["RATELIMIT_LOGIN_ACCOUNT"] = old


def _move_last_seen(app, seconds: int) -> None:
    import datetime as dt

    with app.app_context():
        row = db.session.scalar(select(AuthSession))
        row.last_seen_at = utcnow() - dt.timedelta(seconds=seconds)
        db.session.commit()


def _last_seen(app):
    with app.app_context():
        row = db.session.scalar(select(AuthSession))
        return row.last_seen_at if row else None


def test_session_ends_after_the_idle_timeout(app, client, make):
    user = make.user(make.agency())
    login(client, user.nip)
    _move_last_seen(app, 10)
    before = _last_seen(app)
    assert client.get("/").status_code == 200
    assert _last_seen(app) == before  # used within the last minute: no write
    _move_last_seen(app, 5 * 60)
    assert client.get("/").status_code == 200
    assert (utcnow() - _last_seen(app).replace(tzinfo=utcnow().tzinfo)).total_seconds() < 30
    _move_last_seen(app, app.config["SESSION_IDLE_TIMEOUT"] + 60)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert _last_seen(app) is None  # the server-side session is gone
