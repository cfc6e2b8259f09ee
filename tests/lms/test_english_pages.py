"""English pages: WTForms' own validation messages in the page's language (through the app's
catalogue), the CSRF refusal in English, and dates written out, never numeric US-style."""

from __future__ import annotations

import datetime as dt
import re

from tests.conftest import csrf_token, login

INDONESIAN = re.compile(r"\b(wajib|tidak|harus|pilih|isian|isi|karakter|formulir|tanggal|kata sandi)\b", re.I)


def _errors(html: str) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]*)<', html)


def test_empty_login_form_in_english_has_no_indonesian_message(client):
    response = client.post("/login?lang=en", data={"csrf_token": csrf_token(client, "/login?lang=en")})
    errors = _errors(response.get_data(as_text=True))
    assert len(errors) == 2
    assert not [e for e in errors if INDONESIAN.search(e)]


def test_empty_login_form_in_indonesian_is_in_indonesian(client):
    response = client.post("/login?lang=id", data={"csrf_token": csrf_token(client, "/login?lang=id")})
    assert _errors(response.get_data(as_text=True)) == ["Wajib diisi.", "Wajib diisi."]


def test_empty_program_form_in_english_has_no_indonesian_message(app, client, make):
    agency = make.agency()
    login(client, make.admin(agency).email)
    client.post("/lang", data={"lang": "en", "csrf_token": csrf_token(client, "/account")})
    path = f"/admin/agencies/{agency.id}/programs/new"
    token = csrf_token(client, path)
    for data in ({}, {"title": "x", "starts_on": "2026-13-45", "deadline": "abc", "status": "zzz", "election_id": "a"}):
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 400
        errors = _errors(response.get_data(as_text=True))
        assert errors, data
        assert not [e for e in errors if INDONESIAN.search(e)], errors


def test_length_and_email_messages_follow_the_language(client, make):
    login(client, make.platform_admin().email)
    data = {"code": "X" * 41, "name": "Instansi", "admin_email": "bukan-email", "timezone": "Asia/Jakarta"}
    english = client.post(
        "/admin/agencies/new?lang=en", data={**data, "csrf_token": csrf_token(client, "/admin/agencies/new")}
    )
    errors = _errors(english.get_data(as_text=True))
    assert "At most 40 characters." in errors and "Invalid e-mail address." in errors
    indonesian = client.post(
        "/admin/agencies/new?lang=id", data={**data, "csrf_token": csrf_token(client, "/admin/agencies/new")}
    )
    errors = _errors(indonesian.get_data(as_text=True))
    assert "Maksimal 40 karakter." in errors and "Alamat e-mail tidak sah." in errors


def test_a_form_without_its_csrf_token_is_refused_in_english(client):
    body = client.post("/login?lang=en", data={"identifier": "x", "password": "y"}).get_data(as_text=True)
    assert "The form has expired or is not valid." in body
    assert not INDONESIAN.search(re.sub(r"<[^>]+>", " ", body.split("<main", 1)[1].split("</main>", 1)[0]))


def test_english_dates_are_written_out_never_numeric_us_style(app, client, make):
    agency = make.agency()
    make.program(agency, deadline=dt.date(2026, 12, 14), starts_on=dt.date(2026, 12, 1))
    learner = make.user(agency)
    login(client, learner.nip)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "December 14, 2026" in english
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", english)
    assert "14 Desember 2026" in client.get("/?lang=id").get_data(as_text=True)
