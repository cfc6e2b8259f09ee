import datetime as dt
import io
import re
import time

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.db import db, utcnow
from lms.models import Agency, Role, Unit, User
from lms.staff.importer import ImportRefused, apply_import, build_preview
from lms.staff.models import StaffImport
from tests.conftest import csrf_token, login

HEADER = "NIP;Nama;E-mail;Unit;Jabatan;Jenis\n"


def nip(i: int) -> str:
    return f"199001012015012{i:03d}"


def good_rows(n: int = 3) -> str:
    return "".join(f"{nip(i)};Pegawai {i};p{i}@contoh.go.id;Bagian Umum;Analis;PNS\n" for i in range(1, n + 1))


def preview(app, agency, text: str, create_units: bool = False, filename: str = "s.csv"):
    with app.app_context():
        return build_preview(db.session.get(Agency, agency.id), filename, text.encode(), create_units)


def do_import(app, agency, text: str, create_units: bool = False):
    with app.app_context():
        ag = db.session.get(Agency, agency.id)
        p = build_preview(ag, "s.csv", text.encode(), create_units)
        counts = apply_import(ag, p, None)
        db.session.commit()
        return counts


def users_of(app, agency) -> list[tuple]:
    with app.app_context():
        return [
            tuple(r)
            for r in db.session.execute(
                select(
                    User.nip,
                    User.name,
                    User.email,
                    User.unit_id,
                    User.position,
                    User.employment_type,
                    User.password_hash,
                )
                .where(User.agency_id == agency.id, User.role == Role.LEARNER)
                .order_by(User.nip)
            )
        ]


def test_preview_reports_every_kind_of_bad_row(app, make):
    agency, other = make.agency(), make.agency()
    make.unit(agency, "Bagian Umum")
    make.user(other, nip=nip(50))
    text = (
        HEADER
        + good_rows(2)
        + (
            "199001012015132001;Salah Bulan;a@contoh.go.id;Bagian Umum;;PNS\n"  # line 4: bad NIP
            f"{nip(1)};Kembar;k@contoh.go.id;Bagian Umum;;PNS\n"  # line 5: duplicate
            f"{nip(50)};Milik Lain;l@contoh.go.id;Bagian Umum;;PNS\n"  # line 6: other agency
            f"{nip(7)};Unit Asing;u@contoh.go.id;Bagian Rahasia;;PNS\n"  # line 7: unknown unit
            f"{nip(8)};Surel Rusak;bukan-email;Bagian Umum;;PNS\n"  # line 8: bad e-mail
            f"{nip(9)};;n@contoh.go.id;Bagian Umum;;PNS\n"  # line 9: no name
            f"{nip(10)};Jenis Aneh;j@contoh.go.id;Bagian Umum;;Kontrak\n"  # line 10: type
        )
    )
    p = preview(app, agency, text)
    got = {(e.line, e.column) for e in p.errors}
    assert got == {
        (4, "nip"),
        (5, "nip"),
        (6, "nip"),
        (7, "unit"),
        (8, "email"),
        (9, "nama"),
        (10, "jenis"),
    }
    by_line = {e.line: e.message for e in p.errors}
    assert "13-14" in by_line[4]  # names the wrong part of the NIP
    assert "baris 2" in by_line[5]
    assert "instansi lain" in by_line[6]
    assert "Bagian Rahasia" in by_line[7] and p.missing_units == ["Bagian Rahasia"]
    assert "bukan-email" in by_line[8]
    assert p.to_create == 2 and not p.ok
    # with "create missing units" the unit row becomes valid
    p2 = preview(app, agency, text, create_units=True)
    assert 7 not in {e.line for e in p2.errors} and p2.new_units == ["Bagian Rahasia"]


def test_all_or_nothing_and_reimport_changes_nothing(app, make):
    agency = make.agency()
    make.unit(agency, "Bagian Umum")
    bad = HEADER + good_rows(3) + "123;Pendek;x@contoh.go.id;Bagian Umum;;PNS\n"
    with app.app_context(), pytest.raises(ImportRefused):
        ag = db.session.get(Agency, agency.id)
        apply_import(ag, build_preview(ag, "s.csv", bad.encode()), None)
    assert users_of(app, agency) == []

    counts = do_import(app, agency, HEADER + good_rows(3) + ";Honorer Satu;h1@contoh.go.id;;;NON_ASN\n")
    assert counts == {"created": 4, "updated": 0, "unchanged": 0, "units_created": 0}
    before = users_of(app, agency)
    assert len(before) == 4 and all(r[6] is None for r in before)  # no password until activation
    again = preview(app, agency, HEADER + good_rows(3) + ";Honorer Satu;h1@contoh.go.id;;;NON_ASN\n")
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 4)
    do_import(app, agency, HEADER + good_rows(3))
    assert users_of(app, agency) == before


def test_changed_rows_are_updated_and_units_created(app, make):
    agency = make.agency()
    make.unit(agency, "Bagian Umum")
    do_import(app, agency, HEADER + good_rows(3))
    changed = HEADER + good_rows(3).replace("Pegawai 2;", "Pegawai Dua;").replace(
        f"{nip(3)};Pegawai 3;p3@contoh.go.id;Bagian Umum",
        f"{nip(3)};Pegawai 3;p3@contoh.go.id;Bagian Baru",
    )
    p = preview(app, agency, changed, create_units=True)
    assert (p.to_create, p.to_update, p.unchanged, p.new_units) == (0, 2, 1, ["Bagian Baru"])
    do_import(app, agency, changed, create_units=True)
    with app.app_context():
        two = db.session.scalar(select(User).where(User.nip == nip(2)))
        three = db.session.scalar(select(User).where(User.nip == nip(3)))
        assert two.name == "Pegawai Dua" and three.unit.name == "Bagian Baru"
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 2


def test_xlsx_with_english_headers(app, make):
    agency = make.agency()
    wb = Workbook()
    ws = wb.active
    ws.append(["NIP", "Name", "Email", "Work unit", "Position", "Employment type"])
    ws.append([nip(1), "Rina", "rina@contoh.go.id", "Finance", "Analyst", "PNS"])
    ws.append(["199001012015012002", "Sari", "sari@contoh.go.id", "Finance", None, "PPPK"])
    ws.append([None, None, None, None, None, None])
    ws.append([nip(3), "Tono", "bad@", "Finance", None, "PNS"])
    ws.append([199001012015012004.0, "Umar", None, "Finance", None, "PNS"])  # a number: digits lost
    buf = io.BytesIO()
    wb.save(buf)
    with app.app_context():
        p = build_preview(db.session.get(Agency, agency.id), "staff.xlsx", buf.getvalue(), True)
    # PPPK numbers carry the contract count in digits 13-14 ("01" here is fine), line 5 e-mail bad
    assert [(e.line, e.column) for e in p.errors] == [(5, "email"), (6, "nip")]
    assert "Teks" in p.errors[1].message
    assert p.to_create == 2 and p.new_units == ["Finance"]


def test_cli_dry_run_and_import(app, make, tmp_path):
    agency = make.agency(code="KOTA")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + good_rows(2).replace("Bagian Umum", "Sekretariat"))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["users", "import", str(path), "--agency", "kota", "--dry-run"])
    assert dry.exit_code == 1 and "unknown units (use --create-units): Sekretariat" in dry.output
    dry = runner.invoke(args=["users", "import", str(path), "--agency", "kota", "--dry-run", "--create-units"])
    assert dry.exit_code == 0 and "create: 2" in dry.output and users_of(app, agency) == []
    done = runner.invoke(args=["users", "import", str(path), "--agency", "kota", "--create-units"])
    assert done.exit_code == 0, done.output
    assert len(users_of(app, agency)) == 2


def _upload(client, agency, text: str, create_units: bool = False):
    path = f"/admin/agencies/{agency.id}/staff/import"
    data = {
        "csrf_token": csrf_token(client, path),
        "file": (io.BytesIO(text.encode()), "staff.csv"),
    }
    if create_units:
        data["create_units"] = "y"
    return client.post(path, data=data, content_type="multipart/form-data")


def test_web_upload_preview_confirm_and_invitations(app, client, make):
    agency = make.agency()
    make.unit(agency, "Bagian Umum")
    admin = make.admin(agency)
    login(client, admin.email)
    resp = _upload(client, agency, HEADER + good_rows(2) + "123;X;x@contoh.go.id;;;PNS\n")
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Nomor harus terdiri atas tepat 18 angka" in html and "Impor sekarang" not in html
    resp = _upload(client, agency, HEADER + good_rows(2))
    preview_url = resp.headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    assert "Impor sekarang" in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    done = client.post(preview_url, data={"csrf_token": token})
    assert done.status_code == 302
    assert "Impor selesai" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert len(users_of(app, agency)) == 2
    # invitations: printable list with one-time links (no MAIL_SERVER configured)
    inv = f"/admin/agencies/{agency.id}/staff/invitations"
    printed = client.post(inv, data={"csrf_token": csrf_token(client, inv), "unit_id": "0"})
    text = printed.get_data(as_text=True)
    assert printed.status_code == 200 and text.count("/activate/") == 2 and "Pegawai 1" in text


def test_large_upload_runs_in_background_with_progress(app, client, make):
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    app.config["STAFF_IMPORT_BACKGROUND_ROWS"] = 0
    try:
        resp = _upload(client, agency, HEADER + good_rows(20), create_units=True)
        preview_url = resp.headers["Location"]
        html = client.get(preview_url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        status_url = client.post(preview_url, data={"csrf_token": token, "create_units": "y"}).headers["Location"]
        for _ in range(100):
            page = client.get(status_url).get_data(as_text=True)
            if "Impor selesai" in page:
                break
            assert "<progress" in page and 'http-equiv="refresh"' in page
            time.sleep(0.1)
        assert "Impor selesai" in page
    finally:
        app.config["STAFF_IMPORT_BACKGROUND_ROWS"] = 5000
    assert len(users_of(app, agency)) == 20
    with app.app_context():
        assert db.session.scalar(select(StaffImport.status)) == "done"


@pytest.mark.redis
def test_import_job_through_rq_queue_when_redis_is_configured(app, client, make, redis_url):
    import redis
    import rq

    conn = redis.Redis.from_url(redis_url)
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    queue_name = f"ikrar-test-{time.time_ns()}"
    saved = {k: app.config.get(k) for k in ("REDIS_URL", "JOB_QUEUE", "STAFF_IMPORT_BACKGROUND_ROWS")}
    app.config.update(
        REDIS_URL=redis_url,
        JOB_QUEUE=queue_name,
        STAFF_IMPORT_BACKGROUND_ROWS=0,
    )
    queue = rq.Queue(queue_name, connection=conn)
    try:
        preview_url = _upload(client, agency, HEADER + good_rows(5), create_units=True).headers["Location"]
        html = client.get(preview_url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        status_url = client.post(preview_url, data={"csrf_token": token, "create_units": "y"}).headers["Location"]
        assert "<progress" in client.get(status_url).get_data(as_text=True)  # queued, no worker yet
        assert users_of(app, agency) == [] and queue.count == 1
        with app.app_context():  # a worker process would build its own app; same code path
            rq.SimpleWorker([queue], connection=conn).work(burst=True)
        assert "Impor selesai" in client.get(status_url).get_data(as_text=True)
        assert len(users_of(app, agency)) == 5
    finally:
        app.config.update(saved)
        queue.delete(delete_jobs=True)


def test_many_bad_rows_are_counted_exactly_and_listed_in_part(app, make):
    agency = make.agency()
    text = HEADER + "".join(f"12345;Orang {i};;;;PNS\n" for i in range(1500))
    summary = preview(app, agency, text).summary()
    assert summary["error_count"] == 1500 and len(summary["errors"]) == 1000
    assert summary["errors"][0]["line"] == 2


def test_unreadable_file_and_expired_upload(app, client, make):
    agency = make.agency()
    admin = make.admin(agency)
    login(client, admin.email)
    resp = _upload(client, agency, "Nama;Unit\nBudi;Umum\n")  # no NIP column
    page = client.get(resp.headers["Location"])
    assert page.status_code == 400 and "NIP dan Nama" in page.get_data(as_text=True)
    path = f"/admin/agencies/{agency.id}/staff/import"
    bad = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "file": (io.BytesIO(b"%PDF"), "staff.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "CSV atau XLSX" in bad.get_data(as_text=True)
    resp = _upload(client, agency, HEADER + good_rows(1))
    with app.app_context():
        db.session.execute(StaffImport.__table__.update().values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    assert client.get(resp.headers["Location"]).status_code == 404


# --- hostile files: a clear message naming the row, never a 500, nothing stored ---------------


def _refused(app, agency, data: bytes, filename: str) -> str:
    from lms.staff.importer import ImportFileError

    with app.app_context(), pytest.raises(ImportFileError) as info:
        build_preview(db.session.get(Agency, agency.id), filename, data, True)
    return str(info.value)


def _upload_bytes(client, agency, data: bytes, filename: str):
    path = f"/admin/agencies/{agency.id}/staff/import"
    resp = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    return client.get(resp.headers["Location"]) if resp.status_code == 302 else resp


def test_a_csv_field_over_the_csv_module_limit_names_the_row(app, client, make):
    agency = make.agency()
    text = HEADER + good_rows(1) + f"{nip(2)};{'x' * 140_000};;;;PNS\n"
    message = _refused(app, agency, text.encode(), "staff.csv")
    assert "3" in message and "131" in message
    admin = make.admin(agency)
    login(client, admin.email)
    page = _upload_bytes(client, agency, text.encode(), "staff.csv")
    assert page.status_code == 400 and "131" in page.get_data(as_text=True)
    assert users_of(app, agency) == []


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + "]>"
)


def _xlsx_with_dtd(member: str, doctype: str = LAUGHS, encoding: str = "utf-8") -> bytes:
    import zipfile

    wb = Workbook()
    ws = wb.active
    ws.append(["NIP", "Nama"])
    ws.append([nip(1), "Rina"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        if member not in src.namelist():  # openpyxl writes inline strings: add the part
            z.writestr(
                member,
                '<?xml version="1.0" encoding="UTF-8"?>'
                + doctype
                + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                "<si><t>&lol9;</t></si></sst>",
            )
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == member:
                text = data.decode()
                if text.startswith("<?xml"):
                    head, rest = text.split("?>", 1)
                    text = head.replace("UTF-8", encoding) + "?>" + doctype + rest
                else:
                    text = doctype + text
                data = text.replace(">Rina<", ">&lol9;<").encode(encoding)
            z.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "member", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "[Content_Types].xml"]
)
def test_an_xlsx_with_a_dtd_is_refused(app, client, make, member):
    agency = make.agency()
    message = _refused(app, agency, _xlsx_with_dtd(member), "staff.xlsx")
    assert "DTD" in message
    # a harmless DTD is refused too, and so is one in UTF-16
    assert "DTD" in _refused(app, agency, _xlsx_with_dtd(member, "<!DOCTYPE x>"), "staff.xlsx")
    assert "DTD" in _refused(app, agency, _xlsx_with_dtd(member, encoding="UTF-16"), "staff.xlsx")
    admin = make.admin(agency)
    login(client, admin.email)
    page = _upload_bytes(client, agency, _xlsx_with_dtd(member), "staff.xlsx")
    assert page.status_code == 400 and "DTD" in page.get_data(as_text=True)
    assert users_of(app, agency) == []


def test_openpyxl_reads_xml_through_defusedxml():
    """Defence in depth below our own check: openpyxl parses sheets with defusedxml when it is
    installed (a dependency), which refuses entity declarations."""
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize(
    "column, cell",
    [
        ("nama", "N" * 201),
        ("jabatan", "J" * 201),
        ("unit", "U" * 201),
        ("email", "e" * 250 + "@x.id"),
        ("nip", "1" * 300),
        ("jenis", "P" * 300),
    ],
)
def test_text_longer_than_its_column_is_refused_with_row_and_column(app, make, column, cell):
    agency = make.agency()
    fields = {
        "nip": nip(2),
        "nama": "Budi",
        "email": "b@contoh.go.id",
        "unit": "Umum",
        "jabatan": "Analis",
        "jenis": "PNS",
    } | {column: cell}
    row = ";".join(fields[c] for c in ("nip", "nama", "email", "unit", "jabatan", "jenis"))
    p = preview(app, agency, HEADER + good_rows(1).replace("Bagian Umum", "Umum") + row + "\n", create_units=True)
    assert [(e.line, e.column) for e in p.errors] == [(3, column)]
    assert len(p.errors[0].message) < 300  # the value is not repeated in full
    with app.app_context(), pytest.raises(ImportRefused):
        apply_import(db.session.get(Agency, agency.id), p, None)
    assert users_of(app, agency) == []


@pytest.mark.parametrize("column", ["nip", "nama", "email", "unit", "jabatan", "jenis"])
def test_nul_bytes_in_a_cell_are_refused_with_row_and_column(app, make, column):
    agency = make.agency()
    fields = {
        "nip": nip(2),
        "nama": "Budi",
        "email": "b@contoh.go.id",
        "unit": "Umum",
        "jabatan": "Analis",
        "jenis": "PNS",
    }
    fields[column] = fields[column][:2] + "\x00" + fields[column][2:]
    row = ";".join(fields[c] for c in ("nip", "nama", "email", "unit", "jabatan", "jenis"))
    p = preview(app, agency, HEADER + row + "\n", create_units=True)
    assert [(e.line, e.column) for e in p.errors] == [(2, column)]
    assert "NUL" in p.errors[0].message
    assert "\x00" not in str(p.summary())


def test_long_unit_and_position_are_stored_whole_on_postgresql_too(app, make):
    """The longest accepted values go through the real write (COPY on PostgreSQL)."""
    agency = make.agency()
    row = f"{nip(2)};{'N' * 200};b@contoh.go.id;{'U' * 200};{'J' * 200};PNS\n"
    counts = do_import(app, agency, HEADER + row, create_units=True)
    assert counts["created"] == 1 and counts["units_created"] == 1
