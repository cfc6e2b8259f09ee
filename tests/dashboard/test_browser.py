import datetime as dt

import pytest

from lms.db import db
from lms.models import ProgramCompletion
from tests.conftest import PASSWORD, screenshot
from tests.dashboard.helpers import KIND, mark


@pytest.fixture
def dashboard_data(app, make, requirement_kinds):
    requirement_kinds(KIND)
    agency = make.agency(code="KABSLM", name="Pemerintah Kabupaten Sleman")
    units = [make.unit(agency, n) for n in ("Bagian Umum", "Dinas Pendidikan", "Dinas Kesehatan")]
    people = [make.user(agency, unit_id=units[i % 3].id, name=f"Pegawai {i:02d}") for i in range(12)]
    program = make.program(
        agency,
        requirements=[("testmet", "a"), ("testmet", "b")],
        title="Sosialisasi Netralitas ASN",
        election=make.election(name="Pemilihan Umum Tahun 2029", voting_day=dt.date(2029, 2, 14)),
    )
    for i, person in enumerate(people):
        if i % 2 == 0:
            mark(app, person, "test.met:a")
        if i % 4 == 0:
            mark(app, person, "test.met:b")
    with app.app_context():
        for person in people[::4]:
            db.session.add(ProgramCompletion(program_id=program.id, user_id=person.id))
        db.session.commit()
    make.unit(agency, "Sekretariat")
    return {"agency": agency, "program": program, "admin": make.admin(agency)}


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#identifier", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}])
def test_dashboard_and_import_preview_in_browser(browser, live_server, dashboard_data, viewport, tmp_path):
    context = browser.new_context(viewport=viewport, locale="id-ID")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    _login(page, live_server, dashboard_data["admin"].email)
    program = dashboard_data["program"]
    page.goto(f"{live_server}/admin/programs/{program.id}")
    assert page.locator("h1").inner_text() == "Sosialisasi Netralitas ASN"
    assert page.locator("table.units tbody tr").count() == 3
    assert page.locator("svg.chart").is_visible()
    # nothing wider than the screen on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    mobile = viewport["width"] < 400
    screenshot(page, "admin-dashboard-mobile" if mobile else "admin-dashboard")
    page.get_by_role("link", name="Dinas Pendidikan", exact=True).click()
    assert "Pegawai 01" in page.content()

    csv_file = tmp_path / "pegawai.csv"
    csv_file.write_text(
        "NIP;Nama;E-mail;Unit Kerja;Jabatan;Jenis\n"
        "199001012015012101;Rina Wulandari;rina@contoh.go.id;Bagian Umum;Analis;PNS\n"
        "199001012015012102;Sari Dewi;sari@contoh.go.id;Bagian Keuangan;Pranata;PNS\n"
        "199001012015132103;Tono;tono@contoh.go.id;Bagian Umum;;PNS\n"
        "199001012015012104;Umar;umar@;Bagian Umum;;PPPK\n"
    )
    page.goto(f"{live_server}/admin/agencies/{dashboard_data['agency'].id}/staff/import")
    page.set_input_files("#file", str(csv_file))
    with page.expect_navigation():
        page.click("#submit")
    assert "Pratinjau impor" in page.content()
    assert page.locator("table tbody tr").count() == 3  # bad rows: unknown unit, NIP, e-mail
    screenshot(page, "admin-import-preview-mobile" if mobile else "admin-import-preview")
    assert not [p for p in problems if "Content Security Policy" in p], problems
    context.close()
