"""Every state-changing route refuses a request without a CSRF token; limits answer 429."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from tests.conftest import login

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _example_url(rule: Rule) -> str:
    values = {}
    for arg in rule.arguments:
        values[arg] = 1 if isinstance(rule._converters[arg], NumberConverter) else "X"
    return rule.build(values, append_unknown=False)[1]


def test_every_state_changing_route_requires_a_csrf_token(app, make):
    admin = make.platform_admin()
    client = app.test_client()
    login(client, admin.email)
    checked, failures = 0, []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            url = _example_url(rule)
            response = client.open(url, method=method, data={"x": "1"})
            checked += 1
            if response.status_code != 400 or "Formulir sudah kedaluwarsa" not in response.get_data(as_text=True):
                failures.append(f"{method} {rule.rule} -> {response.status_code}")
    assert checked >= 8
    assert not failures, "routes accepting requests without a CSRF token:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("path", "setting"),
    [
        ("/.well-known/ikrar-keys.json", "RATELIMIT_PUBLIC"),
        ("/v/AAAAAAAAAAAAAAAAAAAAAAAAAA", "RATELIMIT_PUBLIC"),
        ("/verify", "RATELIMIT_PUBLIC"),
        ("/api/v1/certificates/AAAAAAAAAAAAAAAAAAAAAAAAAA", "RATELIMIT_PUBLIC"),
        ("/pledges/checkpoints", "RATELIMIT_PUBLIC"),
    ],
)
def test_public_endpoints_are_rate_limited(app, path, setting):
    client = app.test_client()
    old = app.config[setting]
    app.config[setting] = "3 per minute"
    try:
        codes = [client.get(path).status_code for _ in range(5)]
    finally:
        app.config[setting] = old
    assert all(code < 429 for code in codes[:3]) and codes[-1] == 429


def test_password_reset_is_rate_limited(app, client):
    from tests.conftest import csrf_token

    codes = []
    for _ in range(7):
        token = csrf_token(client, "/forgot")
        codes.append(client.post("/forgot", data={"email": "x@y.go.id", "csrf_token": token}).status_code)
    assert codes[0] == 302 and codes[-1] == 429


def test_429_page_is_designed_and_translated(app, make):
    user = make.user(make.agency())
    client = app.test_client()
    responses = [login(client, user.nip, "wrong") for _ in range(8)]
    last = responses[-1]
    assert last.status_code == 429
    assert "Terlalu banyak permintaan" in last.get_data(as_text=True)
    assert last.headers.get("Retry-After")
