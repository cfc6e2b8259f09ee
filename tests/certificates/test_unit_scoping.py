"""An agency admin limited to units: their certificate ZIP holds only their units' PDFs, and a
ZIP job is for the admin who asked for it (and whole-agency admins), nobody else."""

from __future__ import annotations

import io
import time
import zipfile

from flask import Flask
from sqlalchemy import insert

from lms.db import db
from lms.models import admin_units
from tests.conftest import csrf_token, login

from .conftest import issue


def _limit(app: Flask, admin, *units) -> None:
    with app.app_context():
        db.session.execute(insert(admin_units), [{"user_id": admin.id, "unit_id": u.id} for u in units])
        db.session.commit()


def _setup(app: Flask, make, world):
    health = make.unit(world["agency"], "Dinas Kesehatan")
    budi = make.user(world["agency"], name="Budi Santoso", unit_id=health.id)
    siti_cert = issue(app, world["learner"], world["program"])
    budi_cert = issue(app, budi, world["program"])
    limited = make.admin(world["agency"], name="Admin Pendidikan", unit_id=world["unit"].id)
    _limit(app, limited, world["unit"])
    return {"health": health, "budi": budi, "siti_cert": siti_cert, "budi_cert": budi_cert, "limited": limited}


def _start_zip(app: Flask, client, world) -> str:
    aid, pid = world["agency"].id, world["program"].id
    listing = f"/admin/agencies/{aid}/certificates?program={pid}"
    response = client.post(f"/admin/programs/{pid}/certificates.zip", data={"csrf_token": csrf_token(client, listing)})
    assert response.status_code == 302
    return response.headers["Location"]


def _finished(client, job_url: str) -> dict:
    deadline = time.time() + 30
    state: dict = {}
    while time.time() < deadline:
        state = client.get(job_url + ".json").get_json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert state["status"] == "done", state
    return state


def test_zip_of_a_unit_limited_admin_holds_only_their_units(app: Flask, make, world) -> None:
    s = _setup(app, make, world)
    limited = app.test_client()
    login(limited, s["limited"].email)
    state = _finished(limited, _start_zip(app, limited, world))
    assert state["total"] == 1
    archive = zipfile.ZipFile(io.BytesIO(limited.get(state["download"]).data))
    names = archive.namelist()
    assert len(names) == 1 and "Siti" in names[0]
    assert archive.read(names[0]) == s["siti_cert"].pdf

    whole = app.test_client()
    login(whole, world["admin"].email)
    state = _finished(whole, _start_zip(app, whole, world))
    archive = zipfile.ZipFile(io.BytesIO(whole.get(state["download"]).data))
    assert len(archive.namelist()) == 2


def test_a_zip_job_is_only_for_its_requester_and_whole_agency_admins(app: Flask, make, world) -> None:
    s = _setup(app, make, world)
    whole = app.test_client()
    login(whole, world["admin"].email)
    whole_job = _start_zip(app, whole, world)
    _finished(whole, whole_job)

    limited = app.test_client()
    login(limited, s["limited"].email)
    for url in (whole_job, whole_job + ".json", whole_job + "/download"):
        assert limited.get(url).status_code == 404, url  # holds Budi's certificate

    limited_job = _start_zip(app, limited, world)
    _finished(limited, limited_job)
    # another admin limited to the same unit did not ask for it
    peer = make.admin(world["agency"], name="Admin Pendidikan Dua", unit_id=world["unit"].id)
    _limit(app, peer, world["unit"])
    peer_client = app.test_client()
    login(peer_client, peer.email)
    for url in (limited_job, limited_job + ".json", limited_job + "/download"):
        assert peer_client.get(url).status_code == 404, url
        assert whole.get(url).status_code == 200, url  # a whole-agency admin sees everything

    # the requester, once limited to another unit, no longer sees what the ZIP holds
    with app.app_context():
        db.session.execute(admin_units.delete().where(admin_units.c.user_id == s["limited"].id))
        db.session.commit()
    _limit(app, s["limited"], s["health"])
    assert limited.get(limited_job).status_code == 404

    # another agency's admin: 404 on every job
    intruder = app.test_client()
    login(intruder, make.admin(make.agency("PGK")).email)
    assert intruder.get(whole_job + "/download").status_code == 404


def test_unit_limited_admin_sees_no_certificate_of_another_unit(app: Flask, make, world) -> None:
    s = _setup(app, make, world)
    client = app.test_client()
    login(client, s["limited"].email)
    base = f"/admin/agencies/{world['agency'].id}/certificates"
    html = client.get(base).get_data(as_text=True)
    assert "Siti Rahmawati" in html and "Budi Santoso" not in html
    assert client.get(f"{base}/{s['budi_cert'].code}").status_code == 404
    assert client.get(f"/certificates/{s['budi_cert'].code}.pdf").status_code == 404
    assert client.get(f"{base}/{s['siti_cert'].code}").status_code == 200
    assert client.get(f"/certificates/{s['siti_cert'].code}.pdf").status_code == 200
    token = csrf_token(client, f"{base}/{s['siti_cert'].code}")
    revoke = client.post(
        f"{base}/{s['budi_cert'].code}/revoke", data={"csrf_token": token, "reason": "bukan unit saya"}
    )
    assert revoke.status_code == 404


def test_certificate_design_is_for_whole_agency_admins_only(app: Flask, make, world) -> None:
    """The design prints on every unit's certificates: a unit-limited admin may not see or change
    it (404, and no link to it), a whole-agency admin may."""
    s = _setup(app, make, world)
    base = f"/admin/agencies/{world['agency'].id}/certificates"
    limited = app.test_client()
    login(limited, s["limited"].email)
    assert limited.get(f"{base}/design").status_code == 404
    form = {
        "title_id": "Piagam",
        "title_en": "Charter",
        "language": "id",
        "primary_color": "#112233",
        "accent_color": "#445566",
        "csrf_token": csrf_token(limited, base),
    }
    assert limited.post(f"{base}/design", data=form).status_code == 404
    assert f"{base}/design" not in limited.get(base).get_data(as_text=True)
    assert issue(
        app, make.user(world["agency"], unit_id=world["unit"].id), world["program"]
    ).pdf  # the default design still applies

    whole = app.test_client()
    login(whole, world["admin"].email)
    assert f"{base}/design" in whole.get(base).get_data(as_text=True)
    assert whole.get(f"{base}/design").status_code == 200
