"""The import preview lists the rows to be created and updated (the first 50 of each, with the
counts); the import page offers sample CSV and XLSX files that import cleanly; employment types
are shown as words."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from lms.db import db
from lms.models import Agency, EmploymentType
from lms.staff import importer
from tests.conftest import login
from tests.staff.test_import import HEADER, _upload, nip, preview


def test_preview_lists_rows_to_create_and_update_with_counts(app, client, make):
    agency = make.agency()
    make.unit(agency, "Bagian Umum")
    make.user(agency, nip=nip(1), name="Lama", email="p1@contoh.go.id")
    admin = make.admin(agency)
    rows = f"{nip(1)};Pegawai Baru Namanya;p1@contoh.go.id;Bagian Umum;Analis;PNS\n"
    rows += "".join(f"{nip(i)};Orang {i:03d};o{i}@contoh.go.id;Bagian Umum;;PPPK\n" for i in range(2, 62))
    rows += ";Honorer Satu;honor@contoh.go.id;Bagian Umum;;Non-ASN / PPNPN\n"
    login(client, admin.email)
    resp = _upload(client, agency, HEADER + rows)
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Akan dibuat: 61 orang" in html and "Ditampilkan 50 pertama dari 61." in html
    created = html.split('class="table stack import-create"')[1].split("</table>")[0]
    assert created.count("<tr><td") == 50 and "Orang 002" in created and "Orang 052" not in created
    assert "PPPK" in created and "NON_ASN" not in html and "non_asn" not in html
    updated = html.split('class="table stack import-update"')[1].split("</table>")[0]
    assert "Akan diperbarui: 1 orang" in html and "Pegawai Baru Namanya" in updated
    assert "Nama, Unit kerja, Jabatan" in updated  # what changes for that person


def test_non_asn_shown_as_words_in_the_preview(app, client, make):
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    resp = _upload(client, agency, HEADER + ";Honorer Satu;honor@contoh.go.id;;;ppnpn\n")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    created = html.split('class="table stack import-create"')[1].split("</table>")[0]
    assert "Non-ASN / PPNPN" in created and "NON_ASN" not in html
    upload_page = client.get(f"/admin/agencies/{agency.id}/staff/import").get_data(as_text=True)
    assert "NON_ASN" not in upload_page and "Non-ASN" in upload_page


def test_sample_files_download_and_import_cleanly(app, client, make):
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    page = client.get(f"/admin/agencies/{agency.id}/staff/import").get_data(as_text=True)
    for fmt in ("csv", "xlsx"):
        assert f'href="/admin/agencies/{agency.id}/staff/import/contoh.{fmt}"' in page
    data = client.get(f"/admin/agencies/{agency.id}/staff/import/contoh.csv")
    assert data.status_code == 200 and data.headers["Content-Disposition"].endswith("contoh-pegawai.csv")
    assert data.data.startswith(b"\xef\xbb\xbfNIP;Nama;")
    rows = list(csv.reader(io.StringIO(data.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == '="199001012015011001"'
    xlsx = client.get(f"/admin/agencies/{agency.id}/staff/import/contoh.xlsx").data
    ws = load_workbook(io.BytesIO(xlsx)).active
    assert ws["A1"].value == "NIP" and ws["A2"].value == "199001012015011001" and ws["A2"].number_format == "@"
    for name, raw in (("contoh.csv", data.data), ("contoh.xlsx", xlsx)):
        with app.app_context():
            p = importer.build_preview(db.session.get(Agency, agency.id), name, raw, create_units=True)
        assert p.errors == [] and p.to_create == 3, (name, p.errors)
        kinds = {r["name"]: r["employment_type"] for r in p.create_sample}
        assert kinds["Budi Santoso"] == EmploymentType.NON_ASN.value
        assert {r["nip"] for r in p.create_sample} == {"199001012015011001", "198805122019032002", ""}
    assert client.get(f"/admin/agencies/{agency.id}/staff/import/contoh.pdf").status_code == 404


def test_our_own_csv_export_nip_form_is_read_back_as_digits(app, make):
    agency = make.agency()
    p = preview(app, agency, HEADER + f'="{nip(7)}";Tujuh;t@contoh.go.id;;;PNS\n')
    assert p.errors == [] and p.create_sample[0]["nip"] == nip(7)
