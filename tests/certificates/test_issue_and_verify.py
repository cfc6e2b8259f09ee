"""Issuing a real certificate, reading its QR code back, and the public verification contract."""

from __future__ import annotations

import hashlib
import io
import os
import re
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import zxingcpp
from flask import Flask
from sqlalchemy import func, select

from certificates import rendering, services
from certificates.models import Certificate
from lms.db import db
from lms.models import AuditLog
from lms.signals import program_completed
from tests import conftest
from tests.conftest import PG_URL, SCREENSHOTS, csrf_token

from .conftest import issue, load

RENDER_SCALE = 3  # 216 dpi


def _first_page(pdf: bytes):
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=RENDER_SCALE).to_pil()
    finally:
        doc.close()


def test_qr_decodes_to_verify_url_showing_valid_and_printed_name(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    image = _first_page(issued.pdf)
    if not PG_URL and conftest._write_screenshots:  # only with --screenshots
        os.makedirs(SCREENSHOTS, exist_ok=True)
        image.save(os.path.join(SCREENSHOTS, "certificate.png"))
    # A4 landscape
    assert abs(image.width / image.height - 297 / 210) < 0.01
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1 and results[0].format == zxingcpp.BarcodeFormat.QRCode
    url = results[0].text
    assert url == f"HTTP://LOCALHOST/V/{issued.code}"  # only the short URL, all uppercase
    assert results[0].ec_level == "Q"
    pos = results[0].position
    width_px = max(pos.top_right.x, pos.bottom_right.x) - min(pos.top_left.x, pos.bottom_left.x)
    width_mm = width_px / (RENDER_SCALE * 72) * 25.4
    assert width_mm >= 25, width_mm  # symbol alone, the quiet zone comes on top
    page = client.get(urlsplit(url).path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "VALID" in html and "SAH" in html and "cert-status-valid" in html
    assert "Siti Rahmawati, S.Pd." in html
    assert issued.number in html and issued.sha in html
    assert re.fullmatch(r"\d{4}/BANGKA/\d{4}", issued.number)
    assert "2 JP" in html
    assert page.headers["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in html


def test_snapshot_freezes_what_is_printed(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    cert = load(app, issued.code)
    s = cert.snapshot
    assert s["name"] == "Siti Rahmawati, S.Pd."
    assert s["agency"] == "Pemerintah Kabupaten Bangka"
    assert s["items"] == [{"kind": "certtest", "label": "Modul Netralitas", "jp_hours": 2.0}]
    assert s["jp_hours"] == 2.0
    assert s["signer"]["name"] == "Drs. Ahmad Fauzi"
    assert "nip" not in repr(s).lower() and "199003152015032001" not in repr(s)
    assert len(issued.code) >= 26 and re.fullmatch(r"[A-Z2-7]+", issued.code)  # >= 128 bits
    assert hashlib.sha256(issued.pdf).hexdigest() == issued.sha


def test_program_completed_signal_issues_exactly_once(app: Flask, world) -> None:
    with app.app_context():
        for _ in range(2):
            program_completed.send(app, user_id=world["learner"].id, program_id=world["program"].id, completion_id=None)
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(Certificate))
    assert count == 1
    again = issue(app, world["learner"], world["program"])  # the service is idempotent too
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
        assert services.by_code(again.code) is not None


def test_revoke_then_verify_shows_revoked_with_reason(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    with app.app_context():
        services.revoke(services.by_code(issued.code), "Data nama keliru", actor=None)
        db.session.commit()
    html = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert "DICABUT" in html and "REVOKED" in html and "Data nama keliru" in html
    assert "cert-status-revoked" in html
    data = client.get(f"/api/v1/certificates/{issued.code}").get_json()
    assert data["status"] == "revoked" and data["revoked_reason"] == "Data nama keliru"


def test_unknown_code_is_404_in_html_and_json(client, world) -> None:
    page = client.get("/v/AAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "TIDAK DITEMUKAN" in html and "site-header" in html  # same design
    assert page.headers["X-Robots-Tag"].startswith("noindex")
    api = client.get("/api/v1/certificates/AAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert api.status_code == 404 and api.get_json()["status"] == "unknown"
    assert client.get("/v/not-a-code!").status_code == 404


def test_api_json_contract(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    response = client.get(f"/api/v1/certificates/{issued.code.lower()}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "valid" and data["name"] == "Siti Rahmawati, S.Pd."
    assert data["agency"] == "Pemerintah Kabupaten Bangka"
    assert data["program"] == "Sosialisasi Netralitas ASN"
    assert data["number"] == issued.number and data["pdf_sha256"] == issued.sha
    assert data["jp_hours"] == 2.0 and data["issued_at"] and data["expires_at"]
    assert data["superseded_by"] is None
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=15" in response.headers["Cache-Control"]


def test_code_is_case_insensitive_and_verify_form_redirects(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    lower = client.get(f"/v/{issued.code.lower()}")
    assert lower.status_code == 200 and "VALID" in lower.get_data(as_text=True)
    spaced = " ".join(issued.code.lower()[i : i + 4] for i in range(0, len(issued.code), 4))
    response = client.get("/verify", query_string={"code": f"  {spaced} "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/v/{issued.code}")
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="code"' in form.get_data(as_text=True)


def test_pdf_upload_matches_original_and_flags_a_changed_byte(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    path = f"/v/{issued.code}"

    def upload(data: bytes) -> str:
        token = csrf_token(client, f"{path}/check")
        response = client.post(
            f"{path}/pdf",
            data={"csrf_token": token, "pdf": (io.BytesIO(data), "sertifikat.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "Cocok: berkas ini sama persis" in upload(issued.pdf)
    changed = bytearray(issued.pdf)
    changed[len(changed) // 2] ^= 0x01
    assert "berkas ini berbeda dari yang diterbitkan" in upload(bytes(changed))


def test_modified_pdf_fails_seal_check_original_passes(app: Flask, world, tmp_path) -> None:
    issued = issue(app, world["learner"], world["program"])
    runner = app.test_cli_runner()
    original = tmp_path / "ok.pdf"
    original.write_bytes(issued.pdf)
    ok = runner.invoke(args=["certificates", "verify-pdf", str(original)])
    assert ok.exit_code == 0, ok.output
    assert "intact and valid" in ok.output and issued.code in ok.output
    for position in (len(issued.pdf) // 3, len(issued.pdf) - 200):  # content, then after the seal
        changed = bytearray(issued.pdf)
        changed[position] ^= 0x01
        bad = tmp_path / f"bad{position}.pdf"
        bad.write_bytes(bytes(changed))
        result = runner.invoke(args=["certificates", "verify-pdf", str(bad)])
        assert result.exit_code == 1, result.output
        assert "Issued file: NO" in result.output
        assert "Seal: INVALID" in result.output


def test_design_change_leaves_issued_pdf_byte_identical(app: Flask, client, world) -> None:
    from tests.conftest import login

    issued = issue(app, world["learner"], world["program"])
    with app.app_context():
        agency = db.session.get(type(world["agency"]), world["agency"].id)
        services.save_design(
            agency,
            services.DesignInput(
                primary_color="#112233",
                accent_color="#445566",
                title_id="Piagam",
                title_en="Charter",
                signer_name="Orang Lain",
                signer_title="Bupati",
                jp_hours=9,
                language="en",
            ),
            actor=None,
        )
        db.session.commit()
    cert = load(app, issued.code)
    assert cert.pdf == issued.pdf and cert.pdf_sha256 == issued.sha
    login(client, world["learner"].nip)
    downloaded = client.get(f"/certificates/{issued.code}.pdf")
    assert downloaded.status_code == 200 and downloaded.data == issued.pdf
    # the next certificate uses the new design
    with app.app_context():
        from lms.models import User

        other = User(agency_id=world["agency"].id, name="Budi Santoso, S.E.", nip="198805122014031003")
        db.session.add(other)
        db.session.commit()
        new = services.issue_certificate(other.id, world["program"].id)
        assert new.snapshot["template"]["title"] == "Charter" and new.snapshot["jp_hours"] == 9
        db.session.rollback()


def test_nip_is_never_shown_and_match_form_answers(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    nip = world["learner"].nip
    path = f"/v/{issued.code}"
    pages = [client.get(path), client.get(f"/api/v1/certificates/{issued.code}"), client.get("/verify")]
    for wrong_or_right in (nip, "199003152015032002"):
        token = csrf_token(client, f"{path}/check")
        pages.append(client.post(f"{path}/nip", data={"csrf_token": token, "nip": wrong_or_right}))
    texts = [p.get_data(as_text=True) for p in pages]
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    for text in texts:
        assert nip not in text and spaced not in text
        assert world["learner"].email is None or world["learner"].email not in text
    assert "NIP cocok" in texts[3]
    assert "NIP tidak cocok" in texts[4]


def test_nip_check_is_rate_limited(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    path = f"/v/{issued.code}"
    token = csrf_token(client, f"{path}/check")
    codes = [client.post(f"{path}/nip", data={"csrf_token": token, "nip": "1"}).status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_reissue_supersedes_and_links_to_the_new_one(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    with app.app_context():
        from lms.models import User

        db.session.get(User, world["learner"].id).name = "Siti Rahmawati, S.Pd., M.Pd."
        new = services.reissue(services.by_code(issued.code), actor=None)
        db.session.commit()
        new_code, new_number = new.code, new.number
    old_page = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert "DIGANTI" in old_page and "SUPERSEDED" in old_page and f"/v/{new_code}" in old_page
    api = client.get(f"/api/v1/certificates/{issued.code}").get_json()
    assert api["status"] == "superseded" and api["superseded_by"] == new_code
    fresh = client.get(f"/api/v1/certificates/{new_code}").get_json()
    assert fresh["status"] == "valid" and fresh["name"] == "Siti Rahmawati, S.Pd., M.Pd."
    assert new_number != issued.number


def test_expired_is_computed_from_expiry(app: Flask, client, world) -> None:
    import datetime as dt

    issued = issue(app, world["learner"], world["program"])
    with app.app_context():
        cert = services.by_code(issued.code)
        cert.expires_at = cert.issued_at - dt.timedelta(seconds=1)
        db.session.commit()
    html = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert "KEDALUWARSA" in html and "EXPIRED" in html
    assert client.get(f"/api/v1/certificates/{issued.code}").get_json()["status"] == "expired"


def test_audit_log_records_revocation(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    with app.app_context():
        services.revoke(services.by_code(issued.code), "Salah penerima", actor=None)
        db.session.commit()
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificates.revoked"))
        assert entry is not None and entry.target_id == issued.code
        assert entry.details["reason"] == "Salah penerima"


def test_verify_page_in_english(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    html = client.get(f"/v/{issued.code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Certificate details" in html and "VALID" in html and "Certificate number" in html


def test_core_completion_issues_the_certificate(app: Flask, world) -> None:
    """The real path: the core records the completion and sends program_completed."""
    from lms.models import Program, User
    from lms.services.programs import complete_if_done

    with app.app_context():
        user = db.session.get(User, world["learner"].id)
        completion = complete_if_done(user, db.session.get(Program, world["program"].id))
        db.session.commit()
        assert completion is not None
        cert = services.current_for(user.id, world["program"].id)
        assert cert is not None and cert.pdf_sha256
        assert cert.snapshot["completed_at"] == completion.completed_at.isoformat()


def test_qr_uses_alphanumeric_mode_at_level_q(app: Flask) -> None:
    import segno

    with app.test_request_context():
        url = rendering.verify_url(services.new_code())
    qr = segno.make(url, error="q", micro=False, boost_error=False)
    assert qr.mode == "alphanumeric" and qr.error == "Q"
    assert qr.version <= 4  # small enough to scan from paper at 34 mm
