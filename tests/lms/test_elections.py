"""Elections are platform-wide records the platform admin keeps; programs pick one."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from lms.db import db
from lms.models import AuditLog, Election, ElectionKind, Program
from tests.conftest import csrf_token, login

NEW = "/admin/elections/new"
PEMILU = {
    "kind": "pemilu",
    "name": "Pemilihan Umum Tahun 2029",
    "name_en": "2029 General Election",
    "voting_day": "2029-02-14",
    "campaign_starts_on": "2028-11-28",
    "campaign_ends_on": "2029-02-10",
    "region": "",
}
RERUN = {
    "kind": "pilkada_ulang",
    "name": "Pemilihan Bupati dan Wakil Bupati Bangka serta Wali Kota dan Wakil Wali Kota Pangkalpinang Tahun 2025",
    "voting_day": "2025-08-27",
    "region": "Kabupaten Bangka dan Kota Pangkalpinang",
}


def _post(client, path, data, **kw):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)}, **kw)


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert match, f"no error on {field}"
    return match.group(1)


@pytest.fixture
def root(client, make):
    admin = make.platform_admin()
    login(client, admin.email)
    return admin


def test_platform_admin_creates_an_election_with_guidance_and_it_is_audited(app, client, root):
    data = {
        **PEMILU,
        "photo_poses_caption_id": "Nomor urut pasangan calon Pemilu 2029 belum ditetapkan.",
        "photo_poses_caption_en": "The candidate numbers of the 2029 election are not set yet.",
        "photo_poses_items": "Telunjuk terangkat: angka 1. | Index finger up: the number 1.\n\n"
        "Tanda V: angka 2. | The V sign: the number 2.\n",
    }
    response = _post(client, NEW, data)
    assert response.status_code == 302
    with app.app_context():
        election = db.session.scalar(select(Election).where(Election.name == PEMILU["name"]))
        assert election.kind == ElectionKind.PEMILU
        assert election.name_en == "2029 General Election"
        assert election.voting_day == dt.date(2029, 2, 14)
        assert (election.campaign_starts_on, election.campaign_ends_on) == (dt.date(2028, 11, 28), dt.date(2029, 2, 10))
        assert election.region is None
        assert election.guidance == {
            "photo_poses": {
                "caption": {
                    "id": "Nomor urut pasangan calon Pemilu 2029 belum ditetapkan.",
                    "en": "The candidate numbers of the 2029 election are not set yet.",
                },
                "items": [
                    {"id": "Telunjuk terangkat: angka 1.", "en": "Index finger up: the number 1."},
                    {"id": "Tanda V: angka 2.", "en": "The V sign: the number 2."},
                ],
            }
        }
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "election.created"))
        assert entry.actor_id == root.id and entry.target_id == str(election.id)
        election_id = election.id
    listing = client.get("/admin/elections").get_data(as_text=True)
    assert PEMILU["name"] in listing
    assert "Pemilu (nasional)" in listing and "14 Februari 2029" in listing
    # the edit form shows the stored guidance as it was typed
    page = client.get(f"/admin/elections/{election_id}/edit").get_data(as_text=True)
    assert "Telunjuk terangkat: angka 1. | Index finger up: the number 1.\nTanda V: angka 2." in page


def test_an_election_with_programs_can_be_edited_and_the_edit_is_audited(app, client, make, root):
    election = make.election(
        kind=ElectionKind.PILKADA_ULANG, name="Pemilihan Ulang", voting_day=dt.date(2025, 8, 27), region="Bangka"
    )
    make.program(make.agency(), election=election, deadline=dt.date(2025, 8, 20))
    path = f"/admin/elections/{election.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'value="Pemilihan Ulang"' in page and "1 program berpijak" in page
    assert "Hapus" not in page  # an election is never deleted
    response = _post(client, path, {**RERUN, "name_en": "2025 Bangka re-run"})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(Election, election.id)
        assert stored.name == RERUN["name"] and stored.name_en == "2025 Bangka re-run"
        assert len(stored.programs) == 1
        assert db.session.scalar(
            select(AuditLog).where(AuditLog.action == "election.updated", AuditLog.target_id == str(election.id))
        )
    history = client.get(path).get_data(as_text=True).split("Riwayat perubahan")[1]
    assert "diubah" in history and root.name in history
    listing = client.get("/admin/elections").get_data(as_text=True)
    row = listing[listing.index(f'<td data-label="Nama">{RERUN["name"]}') :].split("</tr>")[0]
    assert '<td data-label="Program" class="num">1</td>' in row
    assert "Kabupaten Bangka dan Kota Pangkalpinang" in row


def test_the_voting_day_cannot_move_before_a_program_deadline(app, client, make, root):
    election = make.election(name="Pemilihan Umum Tahun 2029", voting_day=dt.date(2029, 2, 14))
    make.program(make.agency(), election=election, deadline=dt.date(2029, 1, 31))
    path = f"/admin/elections/{election.id}/edit"
    response = _post(
        client, path, {**PEMILU, "voting_day": "2029-01-30", "campaign_starts_on": "", "campaign_ends_on": ""}
    )
    assert response.status_code == 400
    assert "berbatas waktu 31-01-2029" in _field_error(response.get_data(as_text=True), "voting_day")
    data = {**PEMILU, "voting_day": "2029-01-31", "campaign_starts_on": "", "campaign_ends_on": ""}
    assert _post(client, path, data).status_code == 302
    with app.app_context():
        assert db.session.get(Election, election.id).voting_day == dt.date(2029, 1, 31)


def test_the_list_puts_coming_elections_first(app, client, make, root):
    today = dt.date.today()
    past = make.election(name="Lampau", voting_day=today - dt.timedelta(days=400))
    far = make.election(name="Jauh", voting_day=today + dt.timedelta(days=900))
    near = make.election(name="Dekat", voting_day=today + dt.timedelta(days=30))
    html = client.get("/admin/elections").get_data(as_text=True)
    assert html.index(near.name) < html.index(far.name) < html.index(past.name)
    assert "sudah lewat" in html and "akan datang" in html


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "   "}, "name", "wajib diisi"),
        ({"campaign_ends_on": "2028-11-01"}, "campaign_ends_on", "tidak boleh sebelum awalnya"),
        ({"campaign_ends_on": "2029-02-14"}, "campaign_ends_on", "sebelum hari pemungutan suara"),
        ({"campaign_ends_on": ""}, "campaign_ends_on", "awal dan akhir masa kampanye"),
        ({"voting_day": "2101-01-01"}, "voting_day", "antara tahun 2000 dan 2100"),
        ({"campaign_starts_on": "1999-12-31"}, "campaign_starts_on", "antara tahun 2000 dan 2100"),
        ({"voting_day": "99999-01-01"}, "voting_day", ""),
        ({"region": "Kabupaten Bangka"}, "region", "Pemilu berlaku nasional"),
        ({"kind": "pilkada_serentak"}, "region", "tulis wilayahnya"),
        ({"kind": "pilkada_ulang", "region": "  "}, "region", "tulis wilayahnya"),
        (
            {"photo_poses_caption_id": "K", "photo_poses_caption_en": "C", "photo_poses_items": "tanpa garis"},
            "photo_poses_items",
            "Baris 1",
        ),
        (
            {"safe_poses_caption_id": "K", "safe_poses_caption_en": "C", "safe_poses_items": "a | b\nc | d | e"},
            "safe_poses_items",
            "Baris 2",
        ),
        (
            {"safe_poses_caption_id": "K", "safe_poses_caption_en": "C", "safe_poses_items": " | only English"},
            "safe_poses_items",
            "Baris 1",
        ),
        ({"photo_poses_items": "a | b"}, "photo_poses_caption_id", "bahasa Indonesia"),
        ({"photo_poses_caption_id": "K", "photo_poses_items": "a | b"}, "photo_poses_caption_en", "bahasa Inggris"),
        ({"safe_poses_caption_id": "Keterangan"}, "safe_poses_items", "Tulis butir"),
        ({"kind": "bukan-jenis"}, "kind", ""),
    ],
)
def test_each_rule_is_explained_on_its_field(app, client, root, change, field, message):
    response = _post(client, NEW, {**PEMILU, **change})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in _field_error(html, field)
    with app.app_context():
        assert db.session.scalar(select(Election)) is None
        assert db.session.scalar(select(AuditLog).where(AuditLog.action.like("election.%"))) is None


def test_a_regional_election_keeps_its_region(app, client, root):
    assert _post(client, NEW, RERUN).status_code == 302
    with app.app_context():
        election = db.session.scalar(select(Election))
        assert election.kind == ElectionKind.PILKADA_ULANG and election.region == RERUN["region"]
        assert election.campaign_starts_on is None and election.guidance is None


@pytest.mark.parametrize("who", ["anonymous", "agency_admin", "learner"])
def test_only_the_platform_admin_reaches_the_elections_pages(app, client, make, who):
    election = make.election()
    agency = make.agency()
    if who == "agency_admin":
        login(client, make.admin(agency).email)
    elif who == "learner":
        login(client, make.user(agency).nip)
    for path in ("/admin/elections", NEW, f"/admin/elections/{election.id}/edit"):
        response = client.get(path)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 404, path
        posted = client.post(path, data={**PEMILU, "name": "Dipalsukan"})
        assert posted.status_code in (302, 400, 404, 405)
    with app.app_context():
        assert db.session.scalar(select(Election).where(Election.name == "Dipalsukan")) is None


def test_an_unknown_election_is_not_found(client, root):
    assert client.get("/admin/elections/999999/edit").status_code == 404


def test_the_platform_admin_finds_elections_from_the_agencies_page(client, root):
    html = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/admin/elections"' in html


# --- the program form --------------------------------------------------------------------------


def _program(election_id, **kw):
    return {
        "title": "Sosialisasi",
        "election_id": str(election_id),
        "starts_on": "2026-12-01",
        "deadline": "2026-12-20",
        "status": "draft",
        **kw,
    }


def test_the_program_form_lists_coming_elections_first_with_their_voting_day(app, client, make):
    today = dt.date.today()
    past = make.election(name="Pemilihan Lampau", voting_day=today - dt.timedelta(days=100))
    coming = make.election(name="Pemilihan Mendatang", voting_day=dt.date(2029, 2, 14))
    agency = make.agency()
    login(client, make.admin(agency).email)
    html = client.get(f"/admin/agencies/{agency.id}/programs/new").get_data(as_text=True)
    assert html.index("Pemilihan Mendatang (14-02-2029)") < html.index(past.name)
    response = _post(client, f"/admin/agencies/{agency.id}/programs/new", _program(coming.id))
    assert response.status_code == 302
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.agency_id == agency.id))
        assert program.election_id == coming.id
    overview = client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    assert "Pemilihan Mendatang" in overview
    assert "Pemilu (nasional)" in overview and "14 Februari 2029" in overview


def test_a_deadline_after_the_voting_day_is_refused(app, client, make):
    election = make.election(voting_day=dt.date(2026, 12, 9))
    agency = make.agency()
    login(client, make.admin(agency).email)
    path = f"/admin/agencies/{agency.id}/programs/new"
    response = _post(client, path, _program(election.id))
    assert response.status_code == 400
    assert "setelah hari pemungutan suara pemilihan ini (09-12-2026)" in _field_error(
        response.get_data(as_text=True), "deadline"
    )
    assert _post(client, path, _program(election.id, deadline="2026-12-09")).status_code == 302


def test_an_unknown_or_missing_election_is_refused_on_its_field(app, client, make):
    make.election()
    agency = make.agency()
    login(client, make.admin(agency).email)
    path = f"/admin/agencies/{agency.id}/programs/new"
    for value in ("999999", "", "x"):
        response = _post(client, path, _program(value))
        assert response.status_code == 400
        assert _field_error(response.get_data(as_text=True), "election_id")
    with app.app_context():
        assert db.session.scalar(select(Program)) is None


def test_without_elections_the_form_says_whom_to_ask(client, make):
    agency = make.agency()
    login(client, make.admin(agency).email)
    html = client.get(f"/admin/agencies/{agency.id}/programs/new").get_data(as_text=True)
    assert "Minta admin platform menambahkan pemilihan" in html


def test_without_elections_the_platform_admin_is_pointed_to_the_elections_page(client, make, root):
    agency = make.agency()
    html = client.get(f"/admin/agencies/{agency.id}/programs/new").get_data(as_text=True)
    assert 'href="/admin/elections/new"' in html


def test_the_learner_sees_which_election_the_program_is_for(client, make):
    election = make.election(name="Pemilihan Umum Tahun 2029", name_en="2029 General Election")
    agency = make.agency()
    make.program(agency, election=election)
    learner = make.user(agency)
    login(client, learner.nip)
    assert "Menjelang Pemilihan Umum Tahun 2029" in client.get("/").get_data(as_text=True)
