"""Platform and agency administration, and the agency boundary."""

import datetime as dt
import io

import pytest
from sqlalchemy import select

from lms.db import db
from lms.models import Agency, AuditLog, Program, Role, Unit, User
from tests.conftest import csrf_token, login


def _post(client, path, data, **kw):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)}, **kw)


def test_platform_admin_creates_agency_with_first_admin_and_link(app, client, make):
    root = make.platform_admin()
    login(client, root.email)
    png = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (40, 40), "green").save(png, "PNG")
    png.seek(0)
    response = _post(
        client,
        "/admin/agencies/new",
        {
            "code": "bkd-x",
            "name": "BKD Kabupaten X",
            "admin_name": "Pak Budi",
            "admin_email": "budi@x.go.id",
            "logo": (png, "logo.png"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "BKD Kabupaten X" in body and "/activate/" in body
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.code == "BKD-X"))
        assert agency.logo_mime == "image/png"
        admin = db.session.scalar(select(User).where(User.email == "budi@x.go.id"))
        assert admin.role == Role.AGENCY_ADMIN and admin.agency_id == agency.id
        assert admin.password_hash is None
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "agency.created"))


def test_fake_png_logo_is_refused(app, client, make):
    root = make.platform_admin()
    login(client, root.email)
    response = _post(
        client,
        "/admin/agencies/new",
        {"code": "X", "name": "X", "logo": (io.BytesIO(b"<html>not a png</html>"), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Logo harus berupa PNG atau SVG" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Agency).where(Agency.code == "X")) is None


def test_agency_admin_adds_staff_and_bad_nip_names_the_wrong_part(app, client, make):
    agency = make.agency()
    unit = make.unit(agency, "Dinas Pendidikan")
    admin = make.admin(agency)
    login(client, admin.email)
    path = f"/admin/agencies/{agency.id}/staff/new"
    bad = _post(
        client, path, {"name": "Siti", "employment_type": "pns", "nip": "199003152015132001", "unit_id": unit.id}
    )
    assert bad.status_code == 400
    assert "bulan TMT CPNS" in bad.get_data(as_text=True)
    good = _post(
        client,
        path,
        {"name": "Siti", "employment_type": "pns", "nip": "19900315 201503 2 001", "unit_id": unit.id},
        follow_redirects=True,
    )
    assert good.status_code == 200 and "/activate/" in good.get_data(as_text=True)
    with app.app_context():
        siti = db.session.scalar(select(User).where(User.nip == "199003152015032001"))
        assert siti.unit_id == unit.id and siti.agency_id == agency.id


def test_agency_admin_opens_a_program_with_requirements_from_plugins(app, client, make):
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    path = f"/admin/agencies/{agency.id}/programs/new"
    page = client.get(path).get_data(as_text=True)
    assert "Persyaratan" in page
    election = make.election()
    response = _post(
        client,
        path,
        {
            "title": "Pemilu 2029",
            "election_id": str(election.id),
            "starts_on": "2026-11-01",
            "deadline": "2026-10-01",
            "status": "open",
        },
    )
    assert response.status_code == 400
    assert "sebelum tanggal mulai" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Program)) is None


@pytest.mark.parametrize(
    "starts_on, deadline",
    [
        ("0001-01-01", "2026-10-01"),
        ("2026-10-01", "9999-12-31"),
        ("1999-12-31", "2026-01-01"),
        ("2026-01-01", "2101-01-01"),
        ("2026-01-01", "99999-01-01"),
    ],
)
def test_program_dates_outside_a_sane_range_are_refused(app, client, make, starts_on, deadline):
    """Year 9999 passes the form but breaks date arithmetic (deadline + a day) and PostgreSQL
    ranges; years before 2000 are typing mistakes."""
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    path = f"/admin/agencies/{agency.id}/programs/new"
    election = make.election()
    response = _post(
        client,
        path,
        {
            "title": "Pilkada",
            "election_id": str(election.id),
            "starts_on": starts_on,
            "deadline": deadline,
            "status": "open",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "2000" in html and "2100" in html or "99999" in deadline
    with app.app_context():
        assert db.session.scalar(select(Program)) is None


def test_program_dates_at_the_edges_of_the_range_are_kept(app, client, make):
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    path = f"/admin/agencies/{agency.id}/programs/new"
    page = client.get(path).get_data(as_text=True)
    assert 'min="2000-01-01"' in page and 'max="2100-12-31"' in page
    election = make.election(voting_day=dt.date(2100, 12, 31))
    response = _post(
        client,
        path,
        {
            "title": "Panjang",
            "election_id": str(election.id),
            "starts_on": "2000-01-01",
            "deadline": "2100-12-31",
            "status": "draft",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        program = db.session.scalar(select(Program))
        assert (program.starts_on.year, program.deadline.year) == (2000, 2100)


def _agency_urls(agency_id, user_id, program_id):
    base = f"/admin/agencies/{agency_id}"
    return [
        base,
        f"{base}/units",
        f"{base}/staff",
        f"{base}/staff/new",
        f"{base}/staff/{user_id}",
        f"{base}/programs/new",
        f"/admin/programs/{program_id}/edit",
        f"{base}/audit",
    ]


def test_admin_of_another_agency_gets_404_everywhere(app, client, make):
    a, b = make.agency(), make.agency()
    staff_b = make.user(b)
    program_b = make.program(b)
    admin_a = make.admin(a)
    login(client, admin_a.email)
    for url in _agency_urls(b.id, staff_b.id, program_b.id):
        assert client.get(url).status_code == 404, url
    # The same staff id under agency A's own path does not reveal agency B's person either.
    assert client.get(f"/admin/agencies/{a.id}/staff/{staff_b.id}").status_code == 404
    token = csrf_token(client, f"/admin/agencies/{a.id}/staff")
    for action in ("active", "link"):
        url = f"/admin/agencies/{b.id}/staff/{staff_b.id}/{action}"
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(User, staff_b.id).active


def test_learners_cannot_open_admin_pages(client, make):
    agency = make.agency()
    learner = make.user(agency)
    login(client, learner.nip)
    assert client.get(f"/admin/agencies/{agency.id}").status_code == 404
    assert client.get("/admin/agencies").status_code == 404


def test_unit_limited_admin_sees_only_their_units(app, client, make):
    agency = make.agency()
    u1, u2 = make.unit(agency), make.unit(agency)
    inside, outside = (
        make.user(agency, unit_id=u1.id, name="Di Dalam"),
        make.user(agency, unit_id=u2.id, name="Di Luar"),
    )
    admin = make.admin(agency)
    with app.app_context():
        db.session.get(User, admin.id).admin_units = [db.session.get(Unit, u1.id)]
        db.session.commit()
    login(client, admin.email)
    page = client.get(f"/admin/agencies/{agency.id}/staff").get_data(as_text=True)
    assert "Di Dalam" in page and "Di Luar" not in page
    assert client.get(f"/admin/agencies/{agency.id}/staff/{outside.id}").status_code == 404
    assert client.get(f"/admin/agencies/{agency.id}/staff/{inside.id}").status_code == 200


@pytest.mark.parametrize("q", ["%", "' OR 1=1 --", "\x00", "a" * 500])
def test_staff_search_handles_odd_queries(client, make, q):
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    response = client.get(f"/admin/agencies/{agency.id}/staff", query_string={"q": q, "page": "x"})
    assert response.status_code == (400 if "\x00" in q else 200)


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
        b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    ],
)
def test_logo_svg_that_could_run_code_is_refused(app, client, make, svg):
    root = make.platform_admin()
    login(client, root.email)
    response = _post(
        client,
        "/admin/agencies/new",
        {"code": "SVG", "name": "SVG", "logo": (io.BytesIO(svg), "logo.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Agency).where(Agency.code == "SVG")) is None
