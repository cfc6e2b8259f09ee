"""One invitation e-mail, in the recipient's language (``User.locale``, else Indonesian), whatever
the language of the admin who sends it. Mail goes through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy

from sqlalchemy import select

from lms.db import db
from lms.models import User
from tests.conftest import csrf_token, login
from tests.security.test_host_header import inbox  # noqa: F401 - the SMTP sink fixture

ENGLISH = ("Your Ikrar account", "Open the following link")
INDONESIAN = ("Akun Ikrar Anda", "Buka tautan berikut")


def _mail_by_recipient(box) -> dict[str, tuple[str, str]]:
    out = {}
    for envelope in box.messages:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        out[envelope.rcpt_tos[0]] = (str(msg["Subject"]), msg.get_content())
    return out


def _assert_language(mail: tuple[str, str], words: tuple[str, str]) -> None:
    subject, body = mail
    assert subject == words[0], subject
    assert words[1] in body and ("/activate/" in body or "/reset/" in body), body


def test_invitations_go_out_in_each_recipients_language(app, make, inbox):  # noqa: F811
    agency = make.agency()
    admin = make.admin(agency, locale="id")
    anne = make.user(agency, name="Anne", email="anne@x.go.id", locale="en", password_hash=None, activated_at=None)
    make.user(agency, name="Bayu", email="bayu@x.go.id", password_hash=None, activated_at=None)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    login(client, admin.email)

    path = f"/admin/agencies/{agency.id}/staff/invitations"
    page = client.post(path, data={"csrf_token": csrf_token(client, path), "unit_id": "0"})
    assert "2 tautan dikirim lewat e-mail" in page.get_data(as_text=True)  # the admin's language
    mails = _mail_by_recipient(inbox)
    _assert_language(mails["anne@x.go.id"], ENGLISH)
    _assert_language(mails["bayu@x.go.id"], INDONESIAN)

    # the link sent from a staff member's page: the same e-mail, again in English for Anne
    inbox.messages.clear()
    edit = f"/admin/agencies/{agency.id}/staff/{anne.id}"
    response = client.post(f"{edit}/link", data={"csrf_token": csrf_token(client, edit)}, follow_redirects=True)
    assert "Tautan dikirim ke anne@x.go.id" in response.get_data(as_text=True)
    _assert_language(_mail_by_recipient(inbox)["anne@x.go.id"], ENGLISH)


def test_new_staff_and_first_admin_get_indonesian_from_an_english_admin(app, make, inbox):  # noqa: F811
    agency = make.agency()
    admin = make.admin(agency, locale="en")
    client = app.test_client()
    login(client, admin.email)
    path = f"/admin/agencies/{agency.id}/staff/new"
    data = {
        "name": "Siti",
        "employment_type": "pns",
        "nip": "19900315 201503 2 001",
        "email": "siti@x.go.id",
        "unit_id": "0",
        "csrf_token": csrf_token(client, path),
    }
    page = client.post(path, data=data, follow_redirects=True)
    assert "Link sent to siti@x.go.id" in page.get_data(as_text=True)  # the admin's language
    with app.app_context():
        siti = db.session.scalar(select(User).where(User.email == "siti@x.go.id"))
        assert siti.locale is None
    _assert_language(_mail_by_recipient(inbox)["siti@x.go.id"], INDONESIAN)

    inbox.messages.clear()
    root = make.platform_admin()
    with app.app_context():
        db.session.get(User, root.id).locale = "en"
        db.session.commit()
    platform = app.test_client()
    login(platform, root.email)
    data = {
        "code": "BKD-Z",
        "name": "BKD Z",
        "admin_name": "Pak Budi",
        "admin_email": "budi@z.go.id",
        "csrf_token": csrf_token(platform, "/admin/agencies/new"),
    }
    assert platform.post("/admin/agencies/new", data=data).status_code == 302
    _assert_language(_mail_by_recipient(inbox)["budi@z.go.id"], INDONESIAN)
