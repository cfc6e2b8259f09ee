"""One-time links: a newer link or a new password revokes older links, activation links are
refused once the account is active, and links an admin issues are traced (audit, the person's
record and the pact evidence)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.db import db, utcnow
from lms.models import AuditLog, OneTimeLink, User
from lms.security import hash_password
from lms.services import accounts
from pledges import ledger as pledge_ledger
from pledges import services as pledge_services
from pledges.content import DEFAULT_KEY
from pledges.models import PledgeSignature
from tests.conftest import PASSWORD, csrf_token, login
from tests.pledges.conftest import Setup, sign


@pytest.fixture
def default_text(app) -> int:
    with app.app_context():
        template = pledge_services.ensure_default_text()
        db.session.commit()
        return template.id


def _issue(app, user, purpose, by=None) -> str:
    with app.app_context():
        person = db.session.get(User, user.id)
        issuer = db.session.get(User, by.id) if by is not None else None
        token = accounts.issue_link(person, purpose, issuer)
        db.session.commit()
    return f"/{'activate' if purpose == accounts.ACTIVATION else 'reset'}/{token}"


def _set_password(client, path: str, password: str):
    data = {"password": password, "confirm": password, "csrf_token": csrf_token(client, path)}
    return client.post(path, data=data)


def _refused(client, path: str, text: str) -> None:
    page = client.get(path)
    assert page.status_code == 400 and text in page.get_data(as_text=True), page.status_code
    posted = client.post(path, data={"password": "x-new-password-9", "confirm": "x-new-password-9"})
    assert posted.status_code == 400


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_second_activation_link_revokes_the_first_and_is_refused_after_activation(app, client, make):
    user = make.user(make.agency(), password_hash=None, activated_at=None)
    first = _issue(app, user, accounts.ACTIVATION)
    second = _issue(app, user, accounts.ACTIVATION)
    _refused(client, first, "tautan yang lebih baru")
    assert _set_password(client, second, "first-choice-pass").status_code == 302
    _refused(client, first, "tautan yang lebih baru")
    _refused(client, second, "sudah dipakai")
    assert login(client, user.nip, "first-choice-pass").status_code == 302


def test_activation_link_is_refused_for_an_account_already_active(app, client, make):
    user = make.user(make.agency(), password_hash=None, activated_at=None)
    path = _issue(app, user, accounts.ACTIVATION)
    with app.app_context():  # activated some other way (e.g. a link issued before this fix)
        person = db.session.get(User, user.id)
        person.activated_at, person.password_hash = utcnow(), hash_password(PASSWORD)
        db.session.commit()
    _refused(client, path, "sudah aktif")
    assert login(client, user.nip).status_code == 302  # the password was not replaced


def test_changing_the_password_revokes_outstanding_links(app, client, make):
    user = make.user(make.agency())
    reset = _issue(app, user, accounts.RESET)
    login(client, user.nip)
    data = {
        "current_password": PASSWORD,
        "password": "another-pass-99",
        "confirm": "another-pass-99",
        "csrf_token": csrf_token(client, "/account/password"),
    }
    assert client.post("/account/password", data=data).status_code == 302
    other = app.test_client()
    _refused(other, reset, "kata sandi sudah diubah")
    assert login(other, user.nip, "another-pass-99").status_code == 302


def test_a_reset_revokes_every_other_outstanding_link(app, client, make):
    user = make.user(make.agency())
    first = _issue(app, user, accounts.RESET)
    second = _issue(app, user, accounts.RESET)
    _refused(client, first, "tautan yang lebih baru")
    with app.app_context():  # a legacy row of another purpose, still unused
        db.session.add(OneTimeLink(jti="legacy-activation", user_id=user.id, purpose="activate"))
        db.session.commit()
    assert _set_password(client, second, "after-reset-pass").status_code == 302
    with app.app_context():
        legacy = db.session.get(OneTimeLink, "legacy-activation")
        assert legacy.revoked_at is not None


def _staff_link(app, make, agency, person):
    admin = make.admin(agency)
    client = app.test_client()
    login(client, admin.email)
    path = f"/admin/agencies/{agency.id}/staff/{person.id}/link"
    token = csrf_token(client, f"/admin/agencies/{agency.id}/staff/{person.id}")
    response = client.post(path, data={"csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    link = html[html.index("/reset/") :].split()[0].split("<")[0]
    return admin, link


def test_admin_shown_link_is_audited_and_traced_into_the_pact_evidence(app, client, make, default_text):
    agency = make.agency()
    unit = make.unit(agency)
    learner = make.user(agency, unit_id=unit.id, email="siti@x.go.id")
    program = make.program(agency, requirements=[("pledge", DEFAULT_KEY)])
    admin, link = _staff_link(app, make, agency, learner)
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "auth.link_issued"))
        assert entry.actor_id == admin.id and entry.target_id == str(learner.id)
        assert entry.details["purpose"] == "reset" and entry.details["delivery"] == "shown"
        row = db.session.scalar(select(OneTimeLink).where(OneTimeLink.user_id == learner.id))
        assert row.issued_by_id == admin.id
    # The admin uses the link to set a password the learner does not know...
    assert _set_password(app.test_client(), link, PASSWORD).status_code == 302
    person = _user(app, learner.id)
    assert person.password_set_via_admin_link_at is not None
    assert person.password_set_via_admin_link_by_id == admin.id
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "auth.reset"))
        assert entry.details["link_issued_by"] == admin.id
    # ...and signs the pact as the learner: the evidence says how that password was set.
    setup = Setup(agency, unit, program, [learner])
    assert sign(client, setup, learner).status_code == 302
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        assert sig.identity["password_set_via_admin_link"] is True
        assert sig.identity["password_admin_link"]["issued_by_user_id"] == admin.id
        assert pledge_ledger.verify_ledger().ok


def test_own_password_choice_clears_the_admin_link_mark(app, client, make):
    agency = make.agency()
    learner = make.user(agency, email="siti@x.go.id")
    _admin, link = _staff_link(app, make, agency, learner)
    assert _set_password(app.test_client(), link, "set-by-admin-1").status_code == 302
    assert _user(app, learner.id).password_set_via_admin_link_by_id is not None
    login(client, learner.nip, "set-by-admin-1")
    data = {
        "current_password": "set-by-admin-1",
        "password": "my-own-choice-1",
        "confirm": "my-own-choice-1",
        "csrf_token": csrf_token(client, "/account/password"),
    }
    assert client.post("/account/password", data=data).status_code == 302
    person = _user(app, learner.id)
    assert person.password_set_via_admin_link_at is None
    assert person.password_set_via_admin_link_by_id is None
    with app.app_context():
        assert (
            pledge_services.identity_snapshot(db.session.get(User, learner.id))["password_set_via_admin_link"] is False
        )
    # A self-service reset (/forgot) clears it too.
    _admin, link = _staff_link(app, make, agency, learner)
    assert _set_password(app.test_client(), link, "set-by-admin-2").status_code == 302
    assert _user(app, learner.id).password_set_via_admin_link_at is not None
    own = _issue(app, learner, accounts.RESET)  # as /forgot does: no issuer
    assert _set_password(app.test_client(), own, "my-own-choice-2").status_code == 302
    assert _user(app, learner.id).password_set_via_admin_link_at is None


def test_old_and_new_pact_records_verify_together(app, client, make, default_text, monkeypatch):
    """Records sealed before the admin-link keys existed (no such key in identity) still verify
    next to new ones."""
    agency = make.agency()
    unit = make.unit(agency)
    a, b = make.user(agency, unit_id=unit.id), make.user(agency, unit_id=unit.id)
    program = make.program(agency, requirements=[("pledge", DEFAULT_KEY)])
    setup = Setup(agency, unit, program, [a, b])
    original = pledge_services.identity_snapshot

    def legacy(user):
        snap = original(user)
        snap.pop("password_set_via_admin_link")
        snap.pop("password_admin_link")
        return snap

    with monkeypatch.context() as patch:
        patch.setattr(pledge_services, "identity_snapshot", legacy)
        assert sign(client, setup, a).status_code == 302
    assert sign(app.test_client(), setup, b).status_code == 302
    with app.app_context():
        sigs = db.session.scalars(select(PledgeSignature).order_by(PledgeSignature.id)).all()
        assert "password_set_via_admin_link" not in sigs[0].identity
        assert sigs[1].identity["password_set_via_admin_link"] is False
        assert pledge_ledger.verify_ledger().ok
