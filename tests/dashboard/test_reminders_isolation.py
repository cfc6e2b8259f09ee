import io
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from lms.dashboard.models import ReminderLog
from lms.db import db
from lms.models import ProgramCompletion
from tests.conftest import csrf_token, login
from tests.dashboard.helpers import KIND


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield inbox
    finally:
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def program_setup(app, make, requirement_kinds):
    requirement_kinds(KIND)
    agency = make.agency()
    unit = make.unit(agency, "Bagian Umum")
    done = make.user(agency, unit_id=unit.id, name="Sudah", email="sudah@x.go.id")
    en = make.user(agency, unit_id=unit.id, name="Anne", email="anne@x.go.id", locale="en")
    idn = make.user(agency, unit_id=unit.id, name="Bayu", email="bayu@x.go.id")
    make.user(agency, unit_id=unit.id, name="Tanpa Surel")
    program = make.program(agency, requirements=[("testmet", "a")], title="Netralitas")
    with app.app_context():
        db.session.add(ProgramCompletion(program_id=program.id, user_id=done.id))
        db.session.commit()
    return {
        "agency": agency,
        "program": program,
        "admin": make.admin(agency),
        "en": en,
        "id": idn,
        "unit": unit,
    }


def test_reminders_dry_run_then_send_once_a_day(app, client, smtp, program_setup):
    program = program_setup["program"]
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["programs", "remind", str(program.id), "--dry-run"])
    assert dry.exit_code == 0
    assert "anne@x.go.id\ten" in dry.output and "bayu@x.go.id\tid" in dry.output
    assert "sudah@" not in dry.output and smtp.messages == []

    login(client, program_setup["admin"].email)
    url = f"/admin/programs/{program.id}/remind"
    page = client.get(url).get_data(as_text=True)
    assert "anne@x.go.id" in page and smtp.messages == []  # preview sends nothing
    resp = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert resp.status_code == 302
    got = {rcpt[0]: content.decode() for rcpt, content in smtp.messages}
    assert set(got) == {"anne@x.go.id", "bayu@x.go.id"}
    assert "Subject: Reminder: Netralitas" in got["anne@x.go.id"]
    assert "Subject: Pengingat: Netralitas" in got["bayu@x.go.id"]
    assert "The deadline is" in got["anne@x.go.id"] and "Batas waktunya" in got["bayu@x.go.id"]
    # the same day again: nobody, by button or by command
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    again = runner.invoke(args=["programs", "remind", str(program.id)])
    assert again.exit_code == 0 and "sent 0" in again.output
    assert len(smtp.messages) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 2


def test_dry_run_counts_not_finished_emailed_and_without_email(app, client, make, program_setup):
    """3 not finished: 2 get an e-mail, 1 has no address (listed for printing). Languages by name,
    no configuration names on the page (mail is not set up here)."""
    program = program_setup["program"]
    make.user(program_setup["agency"], name="Dua Tanpa Surel")  # no unit, no e-mail
    login(client, program_setup["admin"].email)
    page = client.get(f"/admin/programs/{program.id}/remind").get_data(as_text=True)
    run = page.split('class="facts reminder-run"')[1].split("</dl>")[0]
    assert "<dt>Belum selesai</dt><dd>4 orang</dd>" in run
    assert "<dt>Akan menerima e-mail</dt><dd>2 orang</dd>" in run
    assert "<dt>Tanpa alamat e-mail</dt><dd>2 orang" in run
    assert f'href="/admin/programs/{program.id}/remind/no-email"' in run
    assert "MAIL_SERVER" not in page and "Hubungi pengelola platform" in page
    assert ">English</td>" in page and ">Bahasa Indonesia</td>" in page and ">en</td>" not in page
    sheet = client.get(f"/admin/programs/{program.id}/remind/no-email").get_data(as_text=True)
    assert "Tanpa Surel" in sheet and "Dua Tanpa Surel" in sheet and "Anne" not in sheet and "Sudah" not in sheet
    assert "2 orang belum menyelesaikan program" in sheet
    dry = app.test_cli_runner().invoke(args=["programs", "remind", str(program.id), "--dry-run"])
    assert "not finished: 4, e-mail: 2, reminded today: 0, no e-mail: 2" in dry.output


def test_agency_isolation_every_dashboard_url_is_404(app, client, make, program_setup):
    b = program_setup  # agency B's data
    a = make.agency()
    admin_a = make.admin(a)
    login(client, admin_a.email)
    pid, aid, uid = b["program"].id, b["agency"].id, b["unit"].id
    gets = [
        f"/admin/agencies/{aid}/dashboard",
        f"/admin/programs/{pid}",
        f"/admin/programs/{pid}/staff",
        f"/admin/programs/{pid}/staff?unit={uid}",
        f"/admin/programs/{pid}/export/units.csv",
        f"/admin/programs/{pid}/export/units.xlsx",
        f"/admin/programs/{pid}/export/staff.csv",
        f"/admin/programs/{pid}/export/staff.xlsx",
        f"/admin/programs/{pid}/remind",
        f"/admin/programs/{pid}/remind/no-email",
        "/admin/national",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, f"/admin/agencies/{a.id}/units")
    posts = [f"/admin/programs/{pid}/remind"]
    for url in posts:
        assert (
            client.post(
                url,
                data={
                    "csrf_token": token,
                    "unit_id": "0",
                    "file": (io.BytesIO(b"NIP;Nama\n"), "s.csv"),
                },
                content_type="multipart/form-data",
            ).status_code
            == 404
        ), url
    # and the unit of B is 404 from A's point of view inside B's program is already covered;
    # a learner gets 404 everywhere too
    learner = make.user(b["agency"])
    c2 = app.test_client()
    login(c2, learner.nip)
    assert c2.get(f"/admin/programs/{pid}").status_code == 404


def test_dry_run_in_english_names_languages_and_leaves_no_indonesian(app, client, make, program_setup):
    program = program_setup["program"]
    admin = make.admin(program_setup["agency"], locale="en")
    login(client, admin.email)
    page = client.get(f"/admin/programs/{program.id}/remind").get_data(as_text=True)
    assert "<dt>Will get an e-mail</dt><dd>2" in page and "Without an e-mail address" in page
    assert "Contact the platform administrator" in page and "MAIL_SERVER" not in page
    assert ">Bahasa Indonesia</td>" in page and ">English</td>" in page
    sheet = client.get(f"/admin/programs/{program.id}/remind/no-email").get_data(as_text=True)
    assert "have not finished the program and have no e-mail address" in sheet
