import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from lms.dashboard import services
from lms.db import db
from lms.models import Program, ProgramCompletion, Role, User
from tests.conftest import login
from tests.dashboard.helpers import KIND, fake_plugin, mark


@pytest.fixture(autouse=True)
def _only_the_fake_plugin(app):
    with fake_plugin(app):
        yield


@pytest.fixture
def agency_data(app, make, requirement_kinds):
    """A small agency computed by hand:
    U1: a1 (met a, met b, certified, complete), a2 (met a), a3 (nothing)
    U2: b1 (met a), b2 (started b)
    no unit: c1 (nothing); plus an inactive learner, an admin and another agency (not counted)."""
    requirement_kinds(KIND)
    agency = make.agency(code="KAB")
    u1, u2 = make.unit(agency, "Bagian Umum"), make.unit(agency, "Dinas Pendidikan")
    people = {
        "a1": make.user(agency, unit_id=u1.id, name="Ani", email="ani@x.go.id", locale="en"),
        "a2": make.user(agency, unit_id=u1.id, name="Budi", email="budi@x.go.id"),
        "a3": make.user(agency, unit_id=u1.id, name="Citra"),
        "b1": make.user(agency, unit_id=u2.id, name="Dewi", email="dewi@x.go.id", locale="en"),
        "b2": make.user(agency, unit_id=u2.id, name="Eko", email="eko@x.go.id"),
        "c1": make.user(agency, name="Fajar", email="fajar@x.go.id"),
    }
    make.user(agency, unit_id=u1.id, active=False)
    other = make.agency(code="LAIN")
    outsider = make.user(other, name="Orang Lain")
    program = make.program(agency, requirements=[("testmet", "a"), ("testmet", "b")], title="Netralitas 2026")
    for key in ("a1", "a2", "b1"):
        mark(app, people[key], "test.met:a")
    mark(app, people["a1"], "test.met:b")
    mark(app, people["b2"], "test.started:b")
    mark(app, people["a1"], "test.cert")
    mark(app, outsider, "test.met:a")
    with app.app_context():
        db.session.add(ProgramCompletion(program_id=program.id, user_id=people["a1"].id))
        db.session.commit()
    admin = make.admin(agency)
    return {
        "agency": agency,
        "units": (u1, u2),
        "people": people,
        "program": program,
        "admin": admin,
        "other": other,
    }


def test_unit_table_matches_hand_computed_figures(app, agency_data):
    program, admin = agency_data["program"], agency_data["admin"]
    with app.app_context():
        viewer = db.session.get(User, admin.id)
        loaded = db.session.get(Program, program.id)
        req_a, req_b = loaded.requirements
        f = services.program_figures(loaded, viewer)
    got = {
        (
            r.unit_name,
            r.assigned,
            r.started,
            r.met[f"req{req_a.id}"],
            r.met[f"req{req_b.id}"],
            r.met["out_fakecert"],
            r.completed,
        )
        for r in f.rows
    }
    assert got == {
        ("Bagian Umum", 3, 2, 2, 1, 1, 1),
        ("Dinas Pendidikan", 2, 2, 1, 0, 0, 0),
        ("", 1, 0, 0, 0, 0, 0),
    }
    assert [r.unit_name for r in f.rows] == ["Dinas Pendidikan", "", "Bagian Umum"]  # worst first
    assert (f.total.assigned, f.total.started, f.total.completed) == (6, 4, 1)
    assert f.total.percent == pytest.approx(1 / 6)
    assert [c.label for c in f.columns] == [
        "Modul A lulus",
        "Pakta B ditandatangani",
        "Sertifikat uji",
    ]
    assert f.days_left == (program.deadline - services.jakarta_today()).days
    assert sum(n for _d, n in f.per_day) == 1
    assert f.per_day[-1] == (services.jakarta_today(), 1)


def test_staff_list_with_status_and_incomplete_filter(app, agency_data):
    program, admin = agency_data["program"], agency_data["admin"]
    u1 = agency_data["units"][0]
    with app.app_context():
        viewer = db.session.get(User, admin.id)
        program = db.session.get(Program, program.id)
        _c, page = services.staff_page(program, viewer, u1.id, False, 1)
        rows = page.items
        assert page.total == 3 and [r.name for r in rows] == ["Ani", "Budi", "Citra"]
        assert rows[0].completed_at is not None and all(rows[0].met.values())
        assert rows[1].started and not rows[2].started
        _c, page = services.staff_page(program, viewer, None, True, 1)
        assert page.total == 5 and "Ani" not in [r.name for r in page.items]
        _c, page = services.staff_page(program, viewer, 0, False, 1)
        assert [r.name for r in page.items] == ["Fajar"]
        _c, second = services.staff_page(program, viewer, None, True, 2, per_page=2)
        assert (second.pages, [r.name for r in second.items]) == (3, ["Dewi", "Eko"])


def test_staff_page_pager_keeps_the_filters(app, client, agency_data):
    program, u1 = agency_data["program"], agency_data["units"][0]
    login(client, agency_data["admin"].email)
    from lms.dashboard import views

    saved, views.PAGE_SIZE = views.PAGE_SIZE, 2
    try:
        html = client.get(f"/admin/programs/{program.id}/staff?unit={u1.id}").get_data(as_text=True)
    finally:
        views.PAGE_SIZE = saved
    assert "Halaman 1 dari 2" in html
    assert f'href="/admin/programs/{program.id}/staff?page=2&amp;unit={u1.id}"' in html
    no_unit = client.get(f"/admin/programs/{program.id}/staff?unit=0").get_data(as_text=True)
    assert "Fajar" in no_unit and "Ani" not in no_unit  # "(tanpa unit)" lists only those


def test_dashboard_pages_render(app, client, agency_data):
    program = agency_data["program"]
    login(client, agency_data["admin"].email)
    page = client.get(f"/admin/programs/{program.id}").get_data(as_text=True)
    assert "Dinas Pendidikan" in page and "Modul A lulus" in page and "<svg" in page
    assert "16.7%" in page  # 1 of 6
    agency_page = client.get(f"/admin/agencies/{agency_data['agency'].id}/dashboard")
    assert agency_page.status_code == 200 and "Netralitas 2026" in agency_page.get_data(as_text=True)
    people = client.get(f"/admin/programs/{program.id}/staff?unit={agency_data['units'][1].id}")
    assert "Dewi" in people.get_data(as_text=True) and "Ani" not in people.get_data(as_text=True)
    # the program list links to the dashboard through the menu slot
    assert f"/admin/programs/{program.id}" in client.get(f"/admin/agencies/{agency_data['agency'].id}").get_data(
        as_text=True
    )


def test_national_view_for_platform_admin_only(app, client, make, agency_data):
    login(client, agency_data["admin"].email)
    assert client.get("/admin/national").status_code == 404
    client.get("/logout")
    root = make.platform_admin()
    client2 = app.test_client()
    login(client2, root.email)
    page = client2.get("/admin/national").get_data(as_text=True)
    assert "Netralitas 2026" in page and "Instansi" in page
    with app.app_context():
        rows = services.national_table(db.session.get(User, root.id))
    row = next(r for r in rows if r.program is not None)
    assert (row.assigned, row.completed) == (6, 1)


def test_unit_limited_admin_sees_only_their_units(app, client, make, agency_data):
    from lms.models import admin_units

    u1, u2 = agency_data["units"]
    limited = make.admin(agency_data["agency"])
    with app.app_context():
        db.session.execute(admin_units.insert().values(user_id=limited.id, unit_id=u1.id))
        db.session.commit()
    login(client, limited.email)
    program = agency_data["program"]
    page = client.get(f"/admin/programs/{program.id}").get_data(as_text=True)
    assert "Bagian Umum" in page and "Dinas Pendidikan" not in page
    assert client.get(f"/admin/programs/{program.id}/staff?unit={u2.id}").status_code == 404
    assert client.get(f"/admin/agencies/{agency_data['agency'].id}/staff/import").status_code == 404
    staff = client.get(f"/admin/agencies/{agency_data['agency'].id}/staff").get_data(as_text=True)
    assert "Impor pegawai" not in staff and "Tautan aktivasi" in staff


def test_exports_read_back_with_types(app, client, agency_data):
    program = agency_data["program"]
    login(client, agency_data["admin"].email)
    resp = client.get(f"/admin/programs/{program.id}/export/units.xlsx")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == "attachment; filename=kab-netralitas-2026-unit.xlsx"
    assert resp.headers["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Unit kerja" and rows[0][-2] == "Persen selesai (%)"
    umum = next(r for r in rows if r[0] == "Bagian Umum")
    assert umum[1:4] == (3, 2, 2) and isinstance(umum[1], int)
    assert umum[-2] == pytest.approx(0.3333) and isinstance(umum[-2], float)
    assert isinstance(umum[-1], dt.datetime) and umum[-1].date() == program.deadline
    cells = {c.column: c for c in next(r for r in ws.iter_rows() if r[0].value == "Bagian Umum")}
    assert cells[len(rows[0]) - 1].number_format == "0.0%"
    assert cells[len(rows[0])].is_date

    people = load_workbook(io.BytesIO(client.get(f"/admin/programs/{program.id}/export/staff.xlsx").data)).active
    prow = {r[0]: r for r in people.iter_rows(values_only=True)}
    assert isinstance(prow["Ani"][-1], dt.datetime) and prow["Budi"][-1] is None
    assert prow["Ani"][1] == agency_data["people"]["a1"].nip

    text = client.get(f"/admin/programs/{program.id}/export/staff.csv?incomplete=1").data.decode("utf-8-sig")
    names = [r[0] for r in csv.reader(io.StringIO(text))][1:]
    assert names == ["Budi", "Citra", "Dewi", "Eko", "Fajar"]
    units_csv = client.get(f"/admin/programs/{program.id}/export/units.csv")
    assert units_csv.mimetype == "text/csv"
    # unit, assigned, started, module A, pledge B, fake certificate column, completed, percent
    assert "Dinas Pendidikan,2,2,1,0,0,0,0.0" in units_csv.data.decode("utf-8-sig")


def test_admin_role_is_not_counted(app, agency_data):
    with app.app_context():
        n = db.session.query(User).filter(User.role == Role.AGENCY_ADMIN).count()
    assert n == 1


def test_exports_never_turn_names_into_formulas(app, client, make):
    agency = make.agency(code="F")
    make.user(agency, name='=HYPERLINK("http://evil")')
    program = make.program(agency, title="P")
    admin = make.admin(agency)
    login(client, admin.email)
    text = client.get(f"/admin/programs/{program.id}/export/staff.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    ws = load_workbook(io.BytesIO(client.get(f"/admin/programs/{program.id}/export/staff.xlsx").data)).active
    cell = ws.cell(row=2, column=1)
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"


def test_staff_page_offers_import_and_invitations(app, client, agency_data):
    login(client, agency_data["admin"].email)
    html = client.get(f"/admin/agencies/{agency_data['agency'].id}/staff").get_data(as_text=True)
    assert "Impor pegawai" in html and "Tautan aktivasi" in html


def test_people_filter_is_a_labelled_control_and_drill_down_keeps_it(app, client, agency_data):
    program, u1 = agency_data["program"], agency_data["units"][0]
    login(client, agency_data["admin"].email)
    html = client.get(f"/admin/programs/{program.id}/staff?incomplete=1").get_data(as_text=True)
    assert '<label for="filter-incomplete">Status</label>' in html
    assert '<select id="filter-incomplete" name="incomplete">' in html
    assert '<option value="1" selected>Hanya yang belum selesai</option>' in html
    form = html.split('class="search staff-filter"')[1].split("</form>")[0]
    assert 'type="submit"' in form
    # the unit of each row drills down with the filter kept
    assert f'href="/admin/programs/{program.id}/staff?unit={u1.id}&amp;incomplete=1"' in html
    assert f'href="/admin/programs/{program.id}/staff?unit=0&amp;incomplete=1">(tanpa unit)</a>' in html
    # from the program's unit table too: "2 belum" in Bagian Umum leads to its unfinished people
    dash = client.get(f"/admin/programs/{program.id}").get_data(as_text=True)
    assert f'href="/admin/programs/{program.id}/staff?unit={u1.id}&amp;incomplete=1"' in dash
    from lms.dashboard import views

    saved, views.PAGE_SIZE = views.PAGE_SIZE, 1
    try:
        page = client.get(f"/admin/programs/{program.id}/staff?unit={u1.id}&incomplete=1").get_data(as_text=True)
    finally:
        views.PAGE_SIZE = saved
    assert "Halaman 1 dari 2" in page and "Budi" in page and "Ani" not in page
    assert f'href="/admin/programs/{program.id}/staff?page=2&amp;unit={u1.id}&amp;incomplete=1"' in page


def test_people_list_shows_completion_time_in_the_agency_zone(app, client, make, agency_data):
    import datetime as _dt

    from lms.models import Agency

    with app.app_context():
        db.session.get(Agency, agency_data["agency"].id).timezone = "Asia/Jayapura"
        completion = db.session.query(ProgramCompletion).one()
        completion.completed_at = _dt.datetime(2026, 12, 4, 3, 30, tzinfo=_dt.UTC)
        db.session.commit()
    login(client, agency_data["admin"].email)
    html = client.get(f"/admin/programs/{agency_data['program'].id}/staff").get_data(as_text=True)
    assert "4 Des 2026 12.30 WIT" in html
