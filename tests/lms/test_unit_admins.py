"""Agency admins limited to units: the page that manages an agency's admins, and the audit log of
a unit-limited admin (only their people, and their own actions)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import insert, select

from lms.db import db
from lms.models import AuditLog, Role, User, admin_units
from lms.services import audit
from tests.conftest import csrf_token, login


def _limit(app: Flask, admin, *units) -> None:
    with app.app_context():
        db.session.execute(insert(admin_units), [{"user_id": admin.id, "unit_id": u.id} for u in units])
        db.session.commit()


def _state(app: Flask, user_id: int) -> tuple[Role, list[int]]:
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.role, sorted(u.id for u in user.admin_units)


def _actions(app: Flask, target_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditLog.action)
                .where(
                    AuditLog.target_type == "user",
                    AuditLog.target_id == str(target_id),
                    AuditLog.action.like("admin.%"),
                )
                .order_by(AuditLog.id)
            )
        )


def test_whole_agency_admin_grants_limits_and_revokes_admin_rights(app: Flask, make) -> None:
    agency = make.agency("BANGKA")
    school, health = make.unit(agency, "Dinas Pendidikan"), make.unit(agency, "Dinas Kesehatan")
    boss = make.admin(agency, name="Admin Utama")
    siti = make.user(agency, name="Siti Rahmawati", unit_id=school.id)
    client = app.test_client()
    login(client, boss.email)
    page = f"/admin/agencies/{agency.id}/admins"
    html = client.get(page).get_data(as_text=True)
    assert "Admin Utama" in html and "Seluruh instansi" in html
    assert page in client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)  # nav link

    # without a CSRF token nothing changes
    assert client.post(page, data={"identifier": siti.nip}).status_code == 400
    assert _state(app, siti.id) == (Role.LEARNER, [])
    # an unknown person or a unit of another agency: a clear 400
    token = csrf_token(client, page)
    assert client.post(page, data={"csrf_token": token, "identifier": "0000"}).status_code == 400
    foreign = make.unit(make.agency("PGK"), "Dinas Lain")
    bad = client.post(page, data={"csrf_token": token, "identifier": siti.nip, "unit_ids": [str(foreign.id)]})
    assert bad.status_code == 400 and _state(app, siti.id) == (Role.LEARNER, [])

    ok = client.post(page, data={"csrf_token": token, "identifier": siti.nip, "unit_ids": [str(school.id)]})
    assert ok.status_code == 302
    assert _state(app, siti.id) == (Role.AGENCY_ADMIN, [school.id])
    assert "Dinas Pendidikan" in client.get(page).get_data(as_text=True)

    edit = f"{page}/{siti.id}"
    token = csrf_token(client, edit)
    both = client.post(edit, data={"csrf_token": token, "unit_ids": [str(school.id), str(health.id)]})
    assert both.status_code == 302
    assert _state(app, siti.id) == (Role.AGENCY_ADMIN, sorted([school.id, health.id]))
    lifted = client.post(edit, data={"csrf_token": token})  # no unit: the whole agency
    assert lifted.status_code == 302 and _state(app, siti.id) == (Role.AGENCY_ADMIN, [])
    revoked = client.post(f"{edit}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302 and _state(app, siti.id) == (Role.LEARNER, [])
    assert _actions(app, siti.id) == ["admin.granted", "admin.units_changed", "admin.units_changed", "admin.revoked"]
    with app.app_context():
        assert all(
            e.actor_id == boss.id and e.agency_id == agency.id
            for e in db.session.scalars(select(AuditLog).where(AuditLog.action.like("admin.%")))
        )


def test_nobody_changes_their_own_rights(app: Flask, make) -> None:
    agency = make.agency("BANGKA")
    unit = make.unit(agency, "Dinas Pendidikan")
    boss = make.admin(agency)
    client = app.test_client()
    login(client, boss.email)
    edit = f"/admin/agencies/{agency.id}/admins/{boss.id}"
    token = csrf_token(client, f"/admin/agencies/{agency.id}/admins")
    assert client.post(edit, data={"csrf_token": token, "unit_ids": [str(unit.id)]}).status_code == 400
    assert client.post(f"{edit}/revoke", data={"csrf_token": token}).status_code == 400
    assert _state(app, boss.id) == (Role.AGENCY_ADMIN, [])
    assert _actions(app, boss.id) == []


def test_unit_limited_and_other_admins_cannot_use_the_page(app: Flask, make) -> None:
    agency = make.agency("BANGKA")
    unit = make.unit(agency, "Dinas Pendidikan")
    boss = make.admin(agency)
    limited = make.admin(agency, name="Admin Unit", unit_id=unit.id)
    _limit(app, limited, unit)
    learner = make.user(agency, unit_id=unit.id)
    page = f"/admin/agencies/{agency.id}/admins"

    client = app.test_client()
    login(client, limited.email)
    assert client.get(page).status_code == 404
    assert client.get(f"{page}/{boss.id}").status_code == 404
    assert page not in client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    token = csrf_token(client, f"/admin/agencies/{agency.id}/staff")
    assert client.post(page, data={"csrf_token": token, "identifier": learner.nip}).status_code == 404
    assert client.post(f"{page}/{limited.id}", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{page}/{boss.id}/revoke", data={"csrf_token": token}).status_code == 404
    assert _state(app, limited.id) == (Role.AGENCY_ADMIN, [unit.id])
    assert _state(app, boss.id) == (Role.AGENCY_ADMIN, [])
    assert _state(app, learner.id) == (Role.LEARNER, [])

    intruder = app.test_client()
    login(intruder, make.admin(make.agency("PGK")).email)
    assert intruder.get(page).status_code == 404

    root = app.test_client()
    login(root, make.platform_admin().email)
    assert root.get(page).status_code == 200
    token = csrf_token(root, page)
    assert root.post(f"{page}/{limited.id}", data={"csrf_token": token}).status_code == 302
    assert _state(app, limited.id) == (Role.AGENCY_ADMIN, [])


def test_audit_log_of_a_unit_limited_admin_lists_only_their_people(app: Flask, make) -> None:
    agency = make.agency("BANGKA")
    school, health = make.unit(agency, "Dinas Pendidikan"), make.unit(agency, "Dinas Kesehatan")
    boss = make.admin(agency, name="Admin Utama")
    limited = make.admin(agency, name="Admin Pendidikan", unit_id=school.id)
    _limit(app, limited, school)
    siti = make.user(agency, name="Siti Rahmawati", unit_id=school.id)
    budi = make.user(agency, name="Budi Santoso", unit_id=health.id)
    for person in (siti, budi):  # each logs in: the entry names them as actor and target
        login(app.test_client(), person.nip)
    with app.app_context():
        audit.record(
            "staff.updated",
            actor=db.session.get(User, boss.id),
            agency_id=agency.id,
            target_type="user",
            target_id=budi.id,
        )
        audit.record(
            "program.created",
            actor=db.session.get(User, boss.id),
            agency_id=agency.id,
            target_type="program",
            target_id=1,
        )
        db.session.commit()

    client = app.test_client()
    login(client, limited.email)
    html = client.get(f"/admin/agencies/{agency.id}/audit").get_data(as_text=True)
    assert "Siti Rahmawati" in html and "Budi Santoso" not in html
    assert f"user {budi.id}" not in html and "program.created" not in html
    assert "Admin Pendidikan" in html  # their own login

    whole = app.test_client()
    login(whole, boss.email)
    html = whole.get(f"/admin/agencies/{agency.id}/audit").get_data(as_text=True)
    assert "Siti Rahmawati" in html and "Budi Santoso" in html and "program.created" in html


def test_unit_limited_admin_cannot_manage_another_admin_of_their_unit(app: Flask, make) -> None:
    """A whole-agency admin who sits in the unit: a limited admin must not reset their password,
    deactivate or edit them (that would hand over the whole agency)."""
    agency = make.agency("BANGKA")
    school = make.unit(agency, "Dinas Pendidikan")
    boss = make.admin(agency, name="Admin Utama", unit_id=school.id)
    limited = make.admin(agency, name="Admin Pendidikan", unit_id=school.id)
    _limit(app, limited, school)
    siti = make.user(agency, name="Siti Rahmawati", unit_id=school.id)
    client = app.test_client()
    login(client, limited.email)
    base = f"/admin/agencies/{agency.id}/staff"
    assert client.get(f"{base}/{siti.id}").status_code == 200
    assert client.get(f"{base}/{boss.id}").status_code == 404
    token = csrf_token(client, base)
    assert client.post(f"{base}/{boss.id}/link", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{base}/{boss.id}/active", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(User, boss.id).active
