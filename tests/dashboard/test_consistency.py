"""Figures agree: "Bersertifikat" never exceeds "Selesai" on the dashboard, the people list and the
exports, and ``lms dashboard check`` recomputes every figure and reports disagreements."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from lms.dashboard import services
from lms.dashboard.checks import check_program
from lms.db import db
from lms.models import Program, ProgramCompletion, User
from tests.conftest import login
from tests.dashboard.helpers import KIND, fake_plugin, mark


@pytest.fixture(autouse=True)
def _only_the_fake_plugin(app):
    with fake_plugin(app):
        yield


@pytest.fixture
def stray(app, make, requirement_kinds):
    """Unit U: Ani completed and is certified; Budi holds a certificate (a stray record issued
    outside the completion flow, like the old demo data) but completed nothing; Citra nothing."""
    requirement_kinds(KIND)
    agency = make.agency(code="CEK")
    unit = make.unit(agency, "Bagian Umum")
    ani = make.user(agency, unit_id=unit.id, name="Ani")
    budi = make.user(agency, unit_id=unit.id, name="Budi")
    make.user(agency, unit_id=unit.id, name="Citra")
    program = make.program(agency, requirements=[("testmet", "a")], title="Netralitas")
    mark(app, ani, "test.met:a")
    mark(app, ani, "test.cert")
    mark(app, budi, "test.cert")
    with app.app_context():
        db.session.add(ProgramCompletion(program_id=program.id, user_id=ani.id))
        db.session.commit()
    return {"program": program, "unit": unit, "admin": make.admin(agency), "budi": budi}


def test_certified_never_exceeds_completed_on_dashboard_and_people_list(app, client, stray):
    program, admin = stray["program"], stray["admin"]
    with app.app_context():
        loaded = db.session.get(Program, program.id)
        f = services.unit_table(loaded, db.session.get(User, admin.id))
        assert (f.total.completed, f.total.met["out_fakecert"]) == (1, 1)  # old code: 2 certified
        _c, page = services.staff_page(loaded, db.session.get(User, admin.id), None, False, 1)
        certified = [r.name for r in page.items if r.met["out_fakecert"]]
        assert certified == ["Ani"]
    login(client, admin.email)
    html = client.get(f"/admin/programs/{program.id}").get_data(as_text=True)
    tfoot = html.split("<tfoot>")[1]
    assert tfoot.count('data-label="Sertifikat uji">1<') == 1 and 'data-label="Selesai">1<' in tfoot


def test_exports_count_the_same_certified_people(app, client, stray):
    program = stray["program"]
    login(client, stray["admin"].email)
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/programs/{program.id}/export/staff.csv").data.decode())))
    col = rows[0].index("Sertifikat uji")
    assert {r[0].lstrip("\ufeff"): r[col] for r in rows[1:]}["Budi"] == "belum"
    ws = load_workbook(io.BytesIO(client.get(f"/admin/programs/{program.id}/export/units.xlsx").data)).active
    header, unit = list(ws.iter_rows(values_only=True))[:2]
    assert unit[header.index("Sertifikat uji")] == 1 == unit[header.index("Selesai")]


def test_check_command_reports_a_certificate_without_completion(app, stray):
    result = app.test_cli_runner().invoke(args=["dashboard", "check", str(stray["program"].id)])
    assert result.exit_code == 1, result.output
    assert "DISAGREEMENT" in result.output
    assert f"user {stray['budi'].id}: Sertifikat uji without a completion" in result.output
    assert "Bagian Umum: assigned=3, started=1, req" in result.output


def test_check_command_passes_on_consistent_figures(app, stray):
    with app.app_context():
        from lms.models import AuditLog

        db.session.query(AuditLog).filter_by(action="test.cert", actor_id=stray["budi"].id).delete()
        db.session.commit()
        report = check_program(db.session.get(Program, stray["program"].id))
    assert report.ok and report.units[0]["completed"] == 1
    result = app.test_cli_runner().invoke(args=["dashboard", "check"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_check_recomputation_differs_from_uncapped_counting(app, stray):
    """The check's own count, not the dashboard's: an uncapped certificate count (the old code)
    would disagree with it."""
    with app.app_context():
        program = db.session.get(Program, stray["program"].id)
        report = check_program(program)
        uncapped = db.session.scalar(
            services.member_ids(program)
            .with_only_columns(db.func.count())
            .where(User.id.in_(services.figure_columns(program)[-1].user_ids))
        )
    assert uncapped == 2 and report.units[0]["out_fakecert"] == 1
