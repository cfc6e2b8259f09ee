"""Exports open cleanly in Excel: XLSX with a bold frozen header, sized columns, human headers,
NIP as text and shares as percent numbers; CSV with a BOM, an optional ``;`` separator and NIPs
written so Excel keeps all 18 digits. Files are read back with openpyxl and csv."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from lms.db import db
from lms.models import Agency, ProgramCompletion
from tests.conftest import login
from tests.dashboard.helpers import fake_plugin
from tests.dashboard.test_figures import agency_data  # noqa: F401 - the shared fixture


@pytest.fixture(autouse=True)
def _only_the_fake_plugin(app):
    with fake_plugin(app):
        yield


@pytest.fixture
def admin_client(client, agency_data):  # noqa: F811
    login(client, agency_data["admin"].email)
    return client


def test_staff_xlsx_bold_frozen_header_widths_and_nip_as_text(app, admin_client, agency_data):  # noqa: F811
    program, ani = agency_data["program"], agency_data["people"]["a1"]
    ws = load_workbook(io.BytesIO(admin_client.get(f"/admin/programs/{program.id}/export/staff.xlsx").data)).active
    header = [c.value for c in ws[1]]
    assert header == [
        "Nama",
        "NIP",
        "E-mail",
        "Unit kerja",
        "Sudah mulai",
        "Modul A lulus",
        "Pakta B ditandatangani",
        "Sertifikat uji",
        "Selesai pada (WIB)",
    ]
    assert all(c.font.bold for c in ws[1]) and not ws["A2"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 20  # 18 digits fit
    assert ws.column_dimensions["H"].width >= len("Sertifikat uji")
    assert all(10 <= ws.column_dimensions[col].width <= 50 for col in "ABCDEFGHI")
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "Ani")
    assert row[1].value == ani.nip and row[1].data_type == "s" and row[1].number_format == "@"


def test_units_xlsx_percent_is_a_number_with_percent_format(app, admin_client, agency_data):  # noqa: F811
    ws = load_workbook(
        io.BytesIO(admin_client.get(f"/admin/programs/{agency_data['program'].id}/export/units.xlsx").data)
    ).active
    header = [c.value for c in ws[1]]
    assert "Persen selesai (%)" in header and all(c.font.bold for c in ws[1]) and ws.freeze_panes == "A2"
    umum = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "Bagian Umum")
    pct = umum[header.index("Persen selesai (%)")]
    assert pct.value == pytest.approx(1 / 3, abs=1e-4) and pct.number_format == "0.0%"


def test_staff_csv_bom_and_nip_kept_as_text_for_excel(app, admin_client, agency_data):  # noqa: F811
    program, ani = agency_data["program"], agency_data["people"]["a1"]
    data = admin_client.get(f"/admin/programs/{program.id}/export/staff.csv").data
    assert data.startswith(b"\xef\xbb\xbfNama,NIP,")
    assert f',"=""{ani.nip}""",'.encode() in data  # Excel: the formula ="…" is text, all 18 digits
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    ani_row = next(r for r in rows if r[0] == "Ani")
    assert ani_row[1] == f'="{ani.nip}"' and ani_row[1][2:-1] == ani.nip
    assert "E+" not in data.decode("utf-8-sig")


def test_semicolon_csv_for_indonesian_excel(app, admin_client, agency_data):  # noqa: F811
    program = agency_data["program"]
    page = admin_client.get(f"/admin/programs/{program.id}").get_data(as_text=True)
    link = f"/admin/programs/{program.id}/export/units.csv?sep=semicolon"
    assert f'href="{link}"' in page
    data = admin_client.get(link).data
    assert data.startswith("\ufeffUnit kerja;Pegawai;".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    umum = next(r for r in rows if r[0] == "Bagian Umum")
    assert umum[1:4] == ["3", "2", "2"] and umum[rows[0].index("Persen selesai (%)")] == "33,3"
    staff_page = admin_client.get(f"/admin/programs/{program.id}/staff?incomplete=1").get_data(as_text=True)
    assert "sep=semicolon" in staff_page
    staff = admin_client.get(f"/admin/programs/{program.id}/export/staff.csv?sep=semicolon&incomplete=1").data
    people = list(csv.reader(io.StringIO(staff.decode("utf-8-sig")), delimiter=";"))
    assert people[0][:2] == ["Nama", "NIP"] and [r[0] for r in people[1:]] == ["Budi", "Citra", "Dewi", "Eko", "Fajar"]
    assert people[1][1].startswith('="') and people[1][1].endswith('"')


def test_staff_export_times_in_the_agency_zone(app, admin_client, agency_data):  # noqa: F811
    with app.app_context():
        db.session.get(Agency, agency_data["agency"].id).timezone = "Asia/Makassar"
        completion = db.session.query(ProgramCompletion).one()
        completion.completed_at = dt.datetime(2026, 12, 4, 3, 30, tzinfo=dt.UTC)
        db.session.commit()
    program = agency_data["program"]
    ws = load_workbook(io.BytesIO(admin_client.get(f"/admin/programs/{program.id}/export/staff.xlsx").data)).active
    assert ws.cell(row=1, column=9).value == "Selesai pada (WITA)"
    ani = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Ani")
    assert ani[8] == dt.datetime(2026, 12, 4, 11, 30)
