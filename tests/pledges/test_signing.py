"""Signing the Pakta Integritas: evidence, validation, double submit, receipts, admin view."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import struct
import zlib

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms import keys
from lms.db import db
from lms.models import AuditLog, ProgramCompletion
from pledges import ledger as ledger_
from pledges import services
from pledges.content import DEFAULT_KEY
from pledges.models import LedgerEntry, PledgeSignature, PledgeText
from pledges.signals import pledge_signed
from tests.conftest import login
from tests.pledges.conftest import data_url, good_data, open_form, png_bytes, sign


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(PledgeSignature)),
            db.session.scalar(select(func.count()).select_from(LedgerEntry)),
            db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("pledge%"))),
        )


def test_drawn_signature_stores_sealed_evidence_ledger_entry_and_meets_requirement(app, client, setup):
    learner = setup.learners[0]
    received = []

    def on_signed(sender, **kw):
        received.append(kw)

    pledge_signed.connect(on_signed, sender=app, weak=False)
    try:
        response = sign(client, setup, learner)
    finally:
        pledge_signed.disconnect(on_signed, sender=app)
    assert response.status_code == 302 and "/pledges/receipts/" in response.location
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        assert sig.user_id == learner.id and sig.program_id == setup.program.id
        assert sig.identity["name"] == learner.name and sig.identity["nip"] == learner.nip
        assert sig.identity["unit"] == "Dinas Pendidikan"
        assert sig.identity["agency"] == "Pemerintah Kabupaten Contoh"
        assert sig.identity["position"] == "Guru"
        assert sig.commitments_ticked == [str(i) for i in range(1, 8)]
        assert sig.signature_png.startswith(b"\x89PNG")
        assert sig.signature_png_sha256 == hashlib.sha256(sig.signature_png).hexdigest()
        assert sig.user_agent == "pytest-agent/1.0" and sig.client_ip == "127.0.0.1"
        assert sig.reauth_method == "password"
        assert sig.opened_at <= sig.reauth_at <= sig.signed_at
        assert "Pemerintah Kabupaten Contoh" in sig.shown_text and "{agency}" not in sig.shown_text
        assert "Pemilihan Gubernur, Bupati, dan Wali Kota Serentak Tahun 2024" in sig.shown_text
        assert sig.identity["election"]["name"] == "Pemilihan Gubernur, Bupati, dan Wali Kota Serentak Tahun 2024"
        assert sig.identity["election"]["voting_day"] == "2024-11-27"
        assert sig.identity["election"]["kind"] == "pilkada_serentak"
        assert sig.text_sha256 == hashlib.sha256(sig.shown_text.encode()).hexdigest()
        assert sig.record_sha256 == hashlib.sha256(sig.canonical_record.encode()).hexdigest()
        assert keys.verify(sig.seal_kid, sig.canonical_record.encode(), sig.seal_signature)
        template = db.session.get(PledgeText, sig.text_id)
        assert template.text_sha256 == hashlib.sha256(template.canonical_text.encode()).hexdigest()
        entry = db.session.scalar(select(LedgerEntry))
        assert (entry.seq, entry.signature_id, entry.record_hash) == (1, sig.id, sig.record_sha256)
        assert entry.prev_hash == ledger_.GENESIS_HASH
        completion = db.session.scalar(select(ProgramCompletion))
        assert completion is not None and completion.user_id == learner.id
    assert received and received[0]["ledger_seq"] == 1
    home = client.get("/").get_data(as_text=True)
    assert "Pakta Integritas ditandatangani" in home and "Tanda terima pakta" in home
    # Opening the form again goes to the receipt.
    assert client.get(setup.sign_path).status_code == 302


def test_typed_name_is_the_keyboard_path_and_matches_case_insensitively(app, client, setup):
    learner = setup.learners[1]
    response = sign(client, setup, learner, signature="", typed_name="  pegawai   UJI 1 ")
    assert response.status_code == 302
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        assert sig.signature_png is None and sig.signature_png_sha256 is None
        assert sig.typed_name == "pegawai   UJI 1"
    assert ledger_.VerifyResult().ok


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares ``width`` × ``height`` (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )


def _big_png() -> bytes:
    raw = png_bytes(400, 200, noise=True)
    assert len(raw) > 200 * 1024
    return raw


BAD_INPUTS = {
    "empty signature": ({"signature": "", "typed_name": ""}, "Tanda tangan masih kosong"),
    "blank canvas": ({"signature": data_url(png_bytes(blank=True))}, "Tanda tangan masih kosong"),
    "not a png (jpeg)": ({"signature": "data:image/jpeg;base64,/9j/4AAQSkZJRg=="}, "harus berupa gambar PNG"),
    "png magic but garbage": ({"signature": data_url(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)}, "rusak"),
    "png prefix, other bytes": ({"signature": data_url(b"GIF89a" + b"\0" * 100)}, "harus berupa gambar PNG"),
    "bad base64": ({"signature": "data:image/png;base64,@@@"}, "rusak"),
    "too large": ({"signature": data_url(_big_png())}, "terlalu besar"),
    "too small": ({"signature": data_url(png_bytes(100, 50))}, "Ukuran gambar"),
    "too tall": ({"signature": data_url(png_bytes(400, 1200))}, "Ukuran gambar"),
    "header declares 20000 x 20000": ({"signature": data_url(png_declaring(20000, 20000))}, "Ukuran gambar"),
    "header declares 10000 x 10000": ({"signature": data_url(png_declaring(10000, 10000))}, "Ukuran gambar"),
    "header declares 0 x 0": ({"signature": data_url(png_declaring(0, 0))}, "Ukuran gambar"),
    "header declares 2^31 x 1": ({"signature": data_url(png_declaring(2**31, 1))}, "Ukuran gambar"),
    "wrong password": ({"password": "not-my-password"}, "Kata sandi salah"),
    "empty password": ({"password": ""}, "Kata sandi salah"),
    "missing commitment": ({"commitments": ["1", "2", "3", "4", "5", "6"]}, "Centang setiap"),
    "unknown commitment": ({"commitments": [str(i) for i in range(1, 8)] + ["99"]}, "Centang setiap"),
    "typed name of someone else": ({"signature": "", "typed_name": "Orang Lain"}, "harus sama dengan nama akun"),
    "forged form token": ({"form_token": "forged.token.value"}, "Formulir tidak sah"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gets_a_clear_400_and_stores_nothing(app, client, setup, case):
    overrides, message = BAD_INPUTS[case]
    before = counts(app)
    response = sign(client, setup, setup.learners[0], **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts(app) == before == (0, 0, 0)


def test_expired_form_stores_nothing(app, client, setup, monkeypatch):
    login(client, setup.learners[0].nip)
    form = open_form(client, setup.sign_path)
    monkeypatch.setitem(app.config, "PLEDGE_FORM_MAX_AGE", -1)
    response = client.post(setup.sign_path, data=good_data(form))
    assert response.status_code == 400
    assert "Formulir sudah kedaluwarsa" in response.get_data(as_text=True)
    assert counts(app)[:2] == (0, 0)


def test_token_of_another_learner_is_refused(app, client, setup):
    login(client, setup.learners[1].nip)
    foreign = open_form(client, setup.sign_path)["form_token"]
    client.post("/logout", data={"csrf_token": open_form(client, setup.sign_path)["csrf_token"]})
    response = sign(client, setup, setup.learners[0], form_token=foreign)
    assert response.status_code == 400 and counts(app)[:2] == (0, 0)


def test_double_submit_and_replay_create_one_signature(app, client, setup):
    login(client, setup.learners[0].nip)
    form = open_form(client, setup.sign_path)
    first = client.post(setup.sign_path, data=good_data(form))
    second = client.post(setup.sign_path, data=good_data(form))
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert counts(app)[:2] == (1, 1)
    with app.app_context():  # the service itself is idempotent too
        sig = db.session.scalar(select(PledgeSignature))
        again, created = services.sign_pledge(
            sig.user,
            sig.program,
            sig.pledge_text,
            services.SignInput(
                form_token=form["form_token"],
                ticked=[],
                password="",
                signature_data_url=None,
                typed_name=None,
                ip=None,
                user_agent=None,
            ),
        )
        assert again.id == sig.id and created is False
    assert counts(app)[:2] == (1, 1)


def test_receipt_pdf_has_text_name_and_signature_image(app, client, setup):
    learner = setup.learners[0]
    response = sign(client, setup, learner)
    receipt = client.get(response.location)
    assert receipt.status_code == 200 and learner.name in receipt.get_data(as_text=True)
    match = re.search(r'href="(/pledges/receipts/\d+\.pdf)"', receipt.get_data(as_text=True))
    pdf = client.get(match.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Pakta Integritas Netralitas Aparatur Sipil Negara" in text
    assert "Menolak politik uang" in text and "Peraturan Pemerintah Nomor 94 Tahun 2021" in text
    assert learner.name in text and learner.nip in text.replace(" ", "")
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        assert sig.record_sha256 in text.replace(" ", "")
    images = [image for page in reader.pages for image in page.images]
    assert images, "the drawn signature must be embedded in the receipt"
    assert images[0].image.size == (400, 150)


def test_another_learners_receipt_is_404(app, client, setup):
    response = sign(client, setup, setup.learners[0])
    receipt_path = response.location
    other = app.test_client()
    login(other, setup.learners[1].nip)
    assert other.get(receipt_path).status_code == 404
    assert other.get(receipt_path + ".pdf").status_code == 404
    assert client.get(receipt_path + ".pdf").status_code == 200


def test_learner_cannot_sign_a_program_that_is_not_theirs(app, client, make, setup):
    other_agency = make.agency()
    other_program = make.program(other_agency, requirements=[("pledge", DEFAULT_KEY)])
    no_pledge = make.program(setup.agency, requirements=[("module", "x")])
    login(client, setup.learners[0].nip)
    assert client.get(f"/pledges/programs/{other_program.id}/{DEFAULT_KEY}/sign").status_code == 404
    assert client.get(f"/pledges/programs/{no_pledge.id}/{DEFAULT_KEY}/sign").status_code == 404
    assert client.get(f"/pledges/programs/{setup.program.id}/other-key/sign").status_code == 404


def test_admin_sees_signed_and_unsigned_and_opens_evidence_other_agency_gets_404(app, client, make, setup):
    response = sign(client, setup, setup.learners[0])
    sig_id = int(re.search(r"/receipts/(\d+)", response.location).group(1))
    admin = make.admin(setup.agency)
    stranger = make.admin(make.agency())
    own = app.test_client()
    login(own, admin.email)
    page = own.get(f"/admin/programs/{setup.program.id}/signatures").get_data(as_text=True)
    assert "Dinas Pendidikan" in page and setup.learners[0].name in page
    unsigned = own.get(f"/admin/programs/{setup.program.id}/signatures?status=unsigned")
    text = unsigned.get_data(as_text=True)
    assert setup.learners[1].name in text and setup.learners[0].name not in text
    evidence = own.get(f"/admin/signatures/{sig_id}")
    assert evidence.status_code == 200
    body = evidence.get_data(as_text=True)
    assert "pytest-agent/1.0" in body and "Utuh" in body
    assert own.get(f"/admin/signatures/{sig_id}/receipt.pdf").status_code == 200
    agency_page = own.get(f"/admin/agencies/{setup.agency.id}").get_data(as_text=True)
    assert f"/admin/programs/{setup.program.id}/signatures" in agency_page
    other = app.test_client()
    login(other, stranger.email)
    assert other.get(f"/admin/signatures/{sig_id}").status_code == 404
    assert other.get(f"/admin/signatures/{sig_id}/receipt.pdf").status_code == 404
    assert other.get(f"/admin/programs/{setup.program.id}/signatures").status_code == 404
    assert other.get(f"/admin/agencies/{setup.agency.id}/pledge-texts").status_code == 404
    learner = app.test_client()
    login(learner, setup.learners[1].nip)
    assert learner.get(f"/admin/signatures/{sig_id}").status_code == 404


def test_agency_makes_a_new_version_old_versions_stay_unchanged(app, client, make, setup):
    sign(client, setup, setup.learners[0])
    admin = make.admin(setup.agency)
    own = app.test_client()
    login(own, admin.email)
    path = f"/admin/agencies/{setup.agency.id}/pledge-texts"
    html = own.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {
        "csrf_token": csrf,
        "key": DEFAULT_KEY,
        "title_id": "Pakta Integritas {agency}",
        "title_en": "Integrity Pact of {agency}",
        "preamble_id": "Saya berjanji:",
        "preamble_en": "I promise:",
        "signer_name": "Drs. Kepala",
        "signer_title": "Bupati",
        "extra_clauses": "Menjaga kerahasiaan data pemilih. | Keep voter data confidential.",
    }
    bad = own.post(path, data={**data, "extra_clauses": "tanpa terjemahan"})
    assert bad.status_code == 400 and "teks Indonesia | teks Inggris" in bad.get_data(as_text=True)
    assert own.post(path, data=data).status_code == 302
    assert own.post(path, data=data).status_code == 302
    with app.app_context():
        versions = db.session.scalars(
            select(PledgeText).where(PledgeText.agency_id == setup.agency.id).order_by(PledgeText.version)
        ).all()
        assert [v.version for v in versions] == [1, 2]
        assert len(versions[1].commitments) == 8
        assert versions[1].text_sha256 == hashlib.sha256(versions[1].canonical_text.encode()).hexdigest()
        signed = db.session.scalar(select(PledgeSignature))
        signed.pledge_text.title_id = "changed"
        with pytest.raises(ValueError, match="immutable"):
            db.session.flush()
        db.session.rollback()
    # The next learner signs the agency's newest version, with its extra clause.
    second = app.test_client()
    response = sign(second, setup, setup.learners[1], commitments=[str(i) for i in range(1, 9)])
    assert response.status_code == 302
    with app.app_context():
        sig = db.session.scalars(select(PledgeSignature).order_by(PledgeSignature.id)).all()[-1]
        assert sig.text_version == 2 and "Menjaga kerahasiaan data pemilih" in sig.shown_text
        assert "Pakta Integritas Pemerintah Kabupaten Contoh" in sig.shown_text


def test_public_checkpoints_page_lists_signed_checkpoints(app, client, setup):
    sign(client, setup, setup.learners[0])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pledges", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert '"size": 1' in result.output
    public = app.test_client()
    page = public.get("/pledges/checkpoints")
    assert page.status_code == 200
    with app.app_context():
        head = db.session.scalar(select(LedgerEntry.entry_hash))
    body = page.get_data(as_text=True)
    assert head in body
    data = public.get("/pledges/checkpoints.json").get_json()["checkpoints"][0]
    assert data["size"] == 1 and data["head_hash"] == head
    statement = ledger_.canonical_json({k: data[k] for k in ("type", "size", "head_hash", "merkle_root", "time")})
    with app.app_context():
        assert keys.verify(data["kid"], statement.encode(), base64.b64decode(data["signature"]))


def test_seed_demo_signs_some_but_not_all_and_is_idempotent(app):
    from lms.demo import seed_demo

    with app.app_context():
        list(seed_demo(app))
        first = db.session.scalar(select(func.count()).select_from(PledgeSignature))
        list(seed_demo(app))
        assert db.session.scalar(select(func.count()).select_from(PledgeSignature)) == first
        assert 0 < first < 100
        assert ledger_.verify_ledger().ok


def test_signing_page_in_english(app, client, setup):
    login(client, setup.learners[0].nip)
    page = client.get(setup.sign_path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sign the pact" in page and "Clear and redo" in page


def test_client_ip_honours_x_forwarded_for_only_behind_a_trusted_proxy(app, client, setup, database_url):
    from lms import create_app

    login(client, setup.learners[0].nip)
    form = open_form(client, setup.sign_path)
    client.post(setup.sign_path, data=good_data(form), headers={"X-Forwarded-For": "203.0.113.66"})
    proxied_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRUSTED_PROXIES": 1,
        }
    )
    proxied = proxied_app.test_client()
    login(proxied, setup.learners[1].nip)
    form = open_form(proxied, setup.sign_path)
    proxied.post(setup.sign_path, data=good_data(form), headers={"X-Forwarded-For": "203.0.113.9"})
    with proxied_app.app_context():
        from lms.db import db as proxied_db

        proxied_db.engine.dispose()
    with app.app_context():
        ips = dict(db.session.execute(select(PledgeSignature.user_id, PledgeSignature.client_ip)).all())
    assert ips[setup.learners[0].id] == "127.0.0.1"  # no trusted proxy: header ignored
    assert ips[setup.learners[1].id] == "203.0.113.9"


def test_program_edited_after_the_form_opened_refuses_and_shows_the_new_text(app, client, setup):
    """The form token holds the SHA-256 of the text shown: when an admin renames the program's
    election between opening and submitting, nothing is signed and the new text is shown."""
    from lms.models import Election, Program

    learner = setup.learners[0]
    login(client, learner.nip)
    form = open_form(client, setup.sign_path)
    with app.app_context():
        election = db.session.get(Program, setup.program.id).election
        election.name = "Pemungutan Suara Ulang Pemilihan Bupati Contoh Tahun 2024"
        assert isinstance(election, Election)
        db.session.commit()
    response = client.post(setup.sign_path, data=good_data(form))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Teks pakta telah diubah" in page and "Pemungutan Suara Ulang Pemilihan Bupati Contoh" in page
    assert counts(app) == (0, 0, 0)
    # The page carries a fresh token for the new text: signing it now works and stores it.
    fresh = re.search(r'id="form_token" name="form_token" type="hidden" value="([^"]+)"', page)
    assert fresh and fresh.group(1) != form["form_token"]
    response = client.post(setup.sign_path, data=good_data({**form, "form_token": fresh.group(1)}))
    assert response.status_code == 302
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        assert "Pemungutan Suara Ulang Pemilihan Bupati Contoh Tahun 2024" in sig.shown_text


def test_new_text_version_after_the_form_opened_is_refused_as_a_changed_text(app, client, make, setup):
    learner = setup.learners[0]
    login(client, learner.nip)
    form = open_form(client, setup.sign_path)
    with app.app_context():
        from lms.models import Agency, User

        services.create_agency_version(
            db.session.get(Agency, setup.agency.id),
            services.TextInput(
                key=DEFAULT_KEY,
                title_id="Pakta Baru",
                title_en="New pact",
                preamble_id="Saya berjanji:",
                preamble_en="I promise:",
            ),
            db.session.get(User, make.admin(setup.agency).id),
        )
        db.session.commit()
    response = client.post(setup.sign_path, data=good_data(form))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Teks pakta telah diubah" in page and "Pakta Baru" in page
    assert counts(app)[:2] == (0, 0)


def test_pledge_texts_are_for_whole_agency_admins_only(app, make, setup):
    """Pledge texts are agency-wide settings: an admin limited to units gets 404 (page, form and
    menu link), a whole-agency admin of the same agency gets the page."""
    from sqlalchemy import insert

    from lms.models import admin_units

    limited = make.admin(setup.agency)
    whole = make.admin(setup.agency)
    with app.app_context():
        db.session.execute(insert(admin_units), [{"user_id": limited.id, "unit_id": setup.unit.id}])
        db.session.commit()
    path = f"/admin/agencies/{setup.agency.id}/pledge-texts"
    unit_client = app.test_client()
    login(unit_client, limited.email)
    assert unit_client.get(path).status_code == 404
    assert unit_client.post(path, data={"key": DEFAULT_KEY}).status_code in (400, 404)
    agency_page = unit_client.get(f"/admin/agencies/{setup.agency.id}").get_data(as_text=True)
    assert path not in agency_page
    whole_client = app.test_client()
    login(whole_client, whole.email)
    assert whole_client.get(path).status_code == 200
    assert path in whole_client.get(f"/admin/agencies/{setup.agency.id}").get_data(as_text=True)


def test_pledge_texts_page_never_writes_even_without_the_platform_default(app, make):
    agency = make.agency()
    admin = make.admin(agency)
    own = app.test_client()
    login(own, admin.email)
    page = own.get(f"/admin/agencies/{agency.id}/pledge-texts")
    assert page.status_code == 200
    assert "belum tersimpan" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PledgeText)) == 0


@pytest.mark.parametrize("recorded", ["link", "own", "missing"])
def test_evidence_page_shows_whether_the_password_came_from_an_admin_link(app, client, make, setup, recorded):
    response = sign(client, setup, setup.learners[0])
    sig_id = int(re.search(r"/receipts/(\d+)", response.location).group(1))
    admin = make.admin(setup.agency)
    with app.app_context():
        sig = db.session.get(PledgeSignature, sig_id)
        identity = dict(sig.identity)
        if recorded == "link":
            identity["password_set_via_admin_link"] = True
            identity["password_admin_link"] = {
                "set_at": "2026-01-02T03:04:05.000000+00:00",
                "issued_by_user_id": admin.id,
            }
        elif recorded == "missing":  # records sealed before these keys existed
            identity.pop("password_set_via_admin_link")
            identity.pop("password_admin_link")
        sig.identity = identity
        db.session.commit()
    own = app.test_client()
    login(own, admin.email)
    page = own.get(f"/admin/signatures/{sig_id}").get_data(as_text=True)
    shown = re.search(r'<dd id="password-admin-link">(.*?)</dd>', page, re.S).group(1)
    expected = {"link": f"admin #{admin.id}", "own": "dipilih sendiri", "missing": "tidak tercatat"}
    assert expected[recorded] in shown
    if recorded == "link":
        assert "2026-01-02 03:04:05" in shown
