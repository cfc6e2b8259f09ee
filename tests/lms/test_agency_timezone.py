"""An agency's time zone: chosen and validated on the platform admin's agency form, and every core
page about the agency reads its times in that zone, named."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lms.db import db
from lms.demo import seed_demo
from lms.models import Agency, AuditLog
from tests.conftest import csrf_token, login


def _post(client, path, data, **kw):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)}, **kw)


def _zone_of(app, code: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Agency.timezone).where(Agency.code == code))


def test_platform_admin_picks_the_zone_when_creating_an_agency(app, client, make):
    login(client, make.platform_admin().email)
    form = client.get("/admin/agencies/new").get_data(as_text=True)
    assert 'name="timezone"' in form and "WITA (UTC+8)" in form
    response = _post(
        client, "/admin/agencies/new", {"code": "MKS", "name": "Kota Makassar", "timezone": "Asia/Makassar"}
    )
    assert response.status_code == 302
    assert _zone_of(app, "MKS") == "Asia/Makassar"


def test_an_unknown_zone_is_refused_on_its_field(app, client, make):
    login(client, make.platform_admin().email)
    response = _post(client, "/admin/agencies/new", {"code": "PAR", "name": "Paris", "timezone": "Europe/Paris"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'id="timezone-error"' in body and "WIB, WITA, atau WIT" in body
    assert _zone_of(app, "PAR") is None


def test_platform_admin_edits_the_zone_and_the_agency_page_names_it(app, client, make):
    agency = make.agency(code="JYP", name="Kota Jayapura")
    login(client, make.platform_admin().email)
    path = f"/admin/agencies/{agency.id}/edit"
    assert client.get(path).status_code == 200
    refused = _post(client, path, {"name": "Kota Jayapura", "timezone": "UTC"})
    assert refused.status_code == 400 and _zone_of(app, "JYP") == "Asia/Jakarta"
    saved = _post(client, path, {"name": "Kota Jayapura", "timezone": "Asia/Jayapura"}, follow_redirects=True)
    assert saved.status_code == 200
    assert _zone_of(app, "JYP") == "Asia/Jayapura"
    assert "Zona waktu: <strong>WIT</strong>" in saved.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "agency.updated")) is not None


def test_agency_admin_cannot_edit_the_agency(app, client, make):
    agency = make.agency()
    login(client, make.admin(agency).email)
    assert client.get(f"/admin/agencies/{agency.id}/edit").status_code in (403, 404)


def _audit_at(app, agency: Agency, when: dt.datetime) -> None:
    with app.app_context():
        db.session.add(AuditLog(action="test.event", agency_id=agency.id, at=when))
        db.session.commit()


def test_audit_log_of_a_wita_agency_shows_wita_times_to_its_admin_and_the_platform_admin(app, client, make):
    agency = make.agency(timezone="Asia/Makassar")
    _audit_at(app, agency, dt.datetime(2026, 12, 4, 4, 30, tzinfo=dt.UTC))  # stored UTC: 12.30 WITA
    for who in (make.admin(agency).email, make.platform_admin().email):
        other = app.test_client()
        login(other, who)
        body = other.get(f"/admin/agencies/{agency.id}/audit").get_data(as_text=True)
        assert "12.30 WITA" in body, who
        assert "WIB" not in body


def test_demo_agencies_are_in_wib(app):
    with app.app_context():
        list(seed_demo(app))
    assert _zone_of(app, "BANGKA") == "Asia/Jakarta"
    assert _zone_of(app, "PGK") == "Asia/Jakarta"
