"""Who may see what (learner, agency admins, other agencies); admin actions and the ZIP job."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from certificates import services
from certificates.models import Certificate, Job
from lms.db import db
from lms.models import Agency, AuditLog
from tests.conftest import csrf_token, login

from .conftest import issue, load


def _png(color: str = "red") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(out, "PNG")
    return out.getvalue()


def test_learner_outcome_and_download_only_for_owner(app: Flask, make, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    owner = app.test_client()
    login(owner, world["learner"].nip)
    home = owner.get("/").get_data(as_text=True)
    assert f"/certificates/{issued.code}.pdf" in home and issued.number in home
    pdf = owner.get(f"/certificates/{issued.code}.pdf")
    assert pdf.status_code == 200 and pdf.data == issued.pdf
    assert pdf.mimetype == "application/pdf"

    stranger = make.user(world["agency"], name="Orang Lain")
    other = app.test_client()
    login(other, stranger.nip)
    assert other.get(f"/certificates/{issued.code}.pdf").status_code == 404
    assert other.get("/certificates/AAAAAAAAAAAAAAAAAAAAAAAAAA.pdf").status_code == 404

    admin = app.test_client()
    login(admin, world["admin"].email)
    assert admin.get(f"/certificates/{issued.code}.pdf").status_code == 200


def test_other_agency_admin_gets_404_everywhere(app: Flask, make, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    other_agency = make.agency("PGK")
    intruder = make.admin(other_agency)
    client = app.test_client()
    login(client, intruder.email)
    aid, pid, code = world["agency"].id, world["program"].id, issued.code
    for path in (
        f"/admin/agencies/{aid}/certificates",
        f"/admin/agencies/{aid}/certificates/{code}",
        f"/admin/agencies/{aid}/certificates/design",
        f"/admin/agencies/{aid}/certificates/jobs/1",
        f"/certificates/{code}.pdf",
        f"/admin/agencies/{other_agency.id}/certificates/{code}",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, f"/admin/agencies/{other_agency.id}/certificates")
    for path, data in (
        (f"/admin/agencies/{aid}/certificates/{code}/revoke", {"reason": "jahil sekali"}),
        (f"/admin/agencies/{aid}/certificates/{code}/reissue", {}),
        (f"/admin/programs/{pid}/certificates.zip", {}),
        (f"/admin/agencies/{other_agency.id}/certificates/{code}/revoke", {"reason": "jahil sekali"}),
    ):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    assert load(app, code).status == "valid"
    # a learner gets 404 on admin pages too
    learner = app.test_client()
    login(learner, world["learner"].nip)
    assert learner.get(f"/admin/agencies/{aid}/certificates").status_code == 404


def test_admin_lists_filters_revokes_and_reissues(app: Flask, make, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    other_unit = make.unit(world["agency"], "Dinas Kesehatan")
    budi = make.user(world["agency"], name="Budi Santoso, S.E.", unit_id=other_unit.id)
    issue(app, budi, world["program"])
    client = app.test_client()
    login(client, world["admin"].email)
    base = f"/admin/agencies/{world['agency'].id}/certificates"
    html = client.get(base).get_data(as_text=True)
    assert "Siti Rahmawati" in html and "Budi Santoso" in html
    html = client.get(base, query_string={"unit": world["unit"].id}).get_data(as_text=True)
    assert "Siti Rahmawati" in html and "Budi Santoso" not in html
    html = client.get(base, query_string={"q": "budi"}).get_data(as_text=True)
    assert "Siti Rahmawati" not in html and "Budi Santoso" in html
    agency_page = client.get(f"/admin/agencies/{world['agency'].id}").get_data(as_text=True)
    assert base in agency_page  # menu link

    detail = f"{base}/{issued.code}"
    token = csrf_token(client, detail)
    bad = client.post(f"{detail}/revoke", data={"csrf_token": token, "reason": ""})
    assert bad.status_code == 400 and load(app, issued.code).status == "valid"
    unconfirmed = client.post(f"{detail}/revoke", data={"csrf_token": token, "reason": "Terbit karena salah data"})
    assert unconfirmed.status_code == 400 and load(app, issued.code).status == "valid"
    assert "Centang konfirmasi" in unconfirmed.get_data(as_text=True)
    ok = client.post(
        f"{detail}/revoke", data={"csrf_token": token, "reason": "Terbit karena salah data", "confirm": "y"}
    )
    assert ok.status_code == 302
    assert load(app, issued.code).status == "revoked"
    html = client.get(base, query_string={"status": "revoked"}).get_data(as_text=True)
    assert "Siti Rahmawati" in html and "Budi Santoso" not in html
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificates.revoked"))
        assert entry.actor_id == world["admin"].id and entry.ip

    reissued = client.post(f"{detail}/reissue", data={"csrf_token": csrf_token(client, detail)})
    assert reissued.status_code == 302
    old = load(app, issued.code)
    assert old.status == "superseded" and old.superseded_by_id is not None
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "certificates.reissued"))


def test_design_form_validates_and_saves(app: Flask, world) -> None:
    client = app.test_client()
    login(client, world["admin"].email)
    path = f"/admin/agencies/{world['agency'].id}/certificates/design"
    form = {
        "title_id": "Sertifikat",
        "title_en": "Certificate",
        "language": "id",
        "primary_color": "#0b5d3b",
        "accent_color": "#b8860b",
        "signer_name": "Bupati Bangka",
        "signer_title": "Bupati",
        "jp_hours": "4",
    }
    bad_colour = client.post(path, data={**form, "csrf_token": csrf_token(client, path), "primary_color": "red"})
    assert bad_colour.status_code == 400
    not_png = client.post(
        path,
        data={**form, "csrf_token": csrf_token(client, path), "signature": (io.BytesIO(b"GIF89a..."), "ttd.png")},
        content_type="multipart/form-data",
    )
    assert not_png.status_code == 400 and "PNG" in not_png.get_data(as_text=True)
    evil_svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    evil = client.post(
        path,
        data={**form, "csrf_token": csrf_token(client, path), "logo": (io.BytesIO(evil_svg), "logo.svg")},
        content_type="multipart/form-data",
    )
    assert evil.status_code == 400
    good_svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>'
    ok = client.post(
        path,
        data={
            **form,
            "csrf_token": csrf_token(client, path),
            "logo": (io.BytesIO(good_svg), "logo.svg"),
            "signature": (io.BytesIO(_png()), "ttd.png"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    issued = issue(app, world["learner"], world["program"])
    snap = load(app, issued.code).snapshot
    assert snap["template"]["logo"].startswith("data:image/svg+xml;base64,")
    assert snap["signer"]["signature"].startswith("data:image/png;base64,")
    assert snap["signer"]["name"] == "Bupati Bangka" and snap["jp_hours"] == 4.0


def test_zip_job_runs_in_background_with_progress(app: Flask, make, world) -> None:
    issue(app, world["learner"], world["program"])
    issue(app, make.user(world["agency"], name="Budi Santoso"), world["program"])
    # A certificate without a completion (bad data) is not counted by the dashboard: nor by the ZIP.
    issue(app, make.user(world["agency"], name="Tanpa Selesai"), world["program"], completed=False)
    client = app.test_client()
    login(client, world["admin"].email)
    aid, pid = world["agency"].id, world["program"].id
    listing = f"/admin/agencies/{aid}/certificates?program={pid}"
    response = client.post(f"/admin/programs/{pid}/certificates.zip", data={"csrf_token": csrf_token(client, listing)})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    page = client.get(job_url)
    assert page.status_code == 200 and 'role="progressbar"' in page.get_data(as_text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        state = client.get(job_url + ".json").get_json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert state["status"] == "done" and state["done"] == state["total"] == 2
    archive = zipfile.ZipFile(io.BytesIO(client.get(state["download"]).data))
    names = archive.namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    assert all(archive.read(n).startswith(b"%PDF") for n in names)
    with app.app_context():
        assert db.session.scalar(select(Job)).status == "done"


def test_outcome_column_lists_certified_users(app: Flask, make, world) -> None:
    issue(app, world["learner"], world["program"])
    revoked = issue(app, make.user(world["agency"], name="Budi"), world["program"])
    with app.app_context():
        services.revoke(services.by_code(revoked.code), "Salah data", actor=None)
        db.session.commit()
        plugin = app.extensions["lms.plugins"]["certificates"]
        program = db.session.get(type(world["program"]), world["program"].id)
        [column] = plugin.outcome_columns(program)
        assert column.key == "certified"
        assert list(db.session.scalars(column.user_ids)) == [world["learner"].id]
        assert db.session.scalar(select(Certificate.status).where(Certificate.code == revoked.code)) == "revoked"


def test_admin_list_pages_keep_the_filters(app: Flask, make, world, monkeypatch) -> None:
    from certificates import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    issue(app, world["learner"], world["program"])
    issue(app, make.user(world["agency"], name="Budi Santoso"), world["program"])
    client = app.test_client()
    login(client, world["admin"].email)
    base = f"/admin/agencies/{world['agency'].id}/certificates"
    pid = world["program"].id
    html = client.get(base, query_string={"program": pid, "agency_id": "9"}).get_data(as_text=True)
    assert "2 sertifikat" in html and "Halaman 1 dari 2" in html
    assert f'href="{base}?page=2&amp;program={pid}"' in html
    second = client.get(base, query_string={"program": pid, "page": 2}).get_data(as_text=True)
    assert "Halaman 2 dari 2" in second and ("Budi Santoso" in second) != ("Budi Santoso" in html)


def test_list_tells_namesakes_apart_by_unit_and_masked_nip(app: Flask, make, world) -> None:
    other_unit = make.unit(world["agency"], "Dinas Kesehatan")
    issue(app, world["learner"], world["program"])
    namesake = make.user(world["agency"], name="Siti Rahmawati, S.Pd.", unit_id=other_unit.id, nip="199104202019032007")
    issue(app, namesake, world["program"])
    client = app.test_client()
    login(client, world["admin"].email)
    html = client.get(f"/admin/agencies/{world['agency'].id}/certificates").get_data(as_text=True)
    assert "Dinas Pendidikan" in html and "Dinas Kesehatan" in html
    assert "•••• 2001" in html and "•••• 2007" in html
    assert "199003152015032001" not in html and "199104202019032007" not in html  # never the whole NIP


def test_revoking_asks_for_confirmation_naming_the_holder(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    client = app.test_client()
    login(client, world["admin"].email)
    detail = f"/admin/agencies/{world['agency'].id}/certificates/{issued.code}"
    html = client.get(detail).get_data(as_text=True)
    assert "Siti Rahmawati, S.Pd." in html and "Dinas Pendidikan" in html and "•••• 2001" in html
    assert 'name="confirm"' in html
    token = csrf_token(client, detail)
    for data in ({"reason": "Nama keliru sekali"}, {"reason": "   ", "confirm": "y"}, {"confirm": "y"}):
        response = client.post(f"{detail}/revoke", data={"csrf_token": token, **data})
        assert response.status_code == 400, data
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert load(app, issued.code).status == "valid"


def test_an_empty_reason_is_a_service_error_on_the_reason_field(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    with app.app_context():
        cert = services.by_code(issued.code)
        for reason in ("", "   ", "abc"):
            try:
                services.revoke(cert, reason, actor=None)
            except services.CertificateError as exc:
                assert exc.field == "reason"
            else:
                raise AssertionError(f"revoked with reason {reason!r}")
        assert cert.status == "valid"


def test_program_page_links_to_the_zip_of_its_certificates(app: Flask, world) -> None:
    issue(app, world["learner"], world["program"])
    client = app.test_client()
    login(client, world["admin"].email)
    agency_page = client.get(f"/admin/agencies/{world['agency'].id}").get_data(as_text=True)
    link = f"/admin/agencies/{world['agency'].id}/certificates?program={world['program'].id}#zip"
    assert f'href="{link}"' in agency_page and "ZIP sertifikat" in agency_page
    target = client.get(link.split("#")[0]).get_data(as_text=True)
    assert 'id="zip"' in target
    assert f'action="/admin/programs/{world["program"].id}/certificates.zip"' in target


def test_list_and_detail_show_times_in_the_agency_zone(app: Flask, world) -> None:
    with app.app_context():
        db.session.get(Agency, world["agency"].id).timezone = "Asia/Jayapura"
        db.session.commit()
    issued = issue(app, world["learner"], world["program"])
    with app.app_context():
        issued_at = services.by_code(issued.code).issued_at
    if issued_at.tzinfo is None:  # SQLite returns naive UTC
        issued_at = issued_at.replace(tzinfo=dt.UTC)
    local = issued_at.astimezone(ZoneInfo("Asia/Jayapura"))
    client = app.test_client()
    login(client, world["admin"].email)
    base = f"/admin/agencies/{world['agency'].id}/certificates"
    for path in (base, f"{base}/{issued.code}"):
        html = client.get(path).get_data(as_text=True)
        assert f"{local:%H.%M} WIT" in html, path
