"""A receipt shows exactly the text that was signed: editing the program (title, deadline), its
election (name, voting day) or renaming the agency afterwards never changes the receipt page, its
PDF or the evidence page."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from lms.db import db
from lms.models import Agency, Program
from pledges import services
from pledges.models import PledgeSignature
from tests.conftest import login
from tests.pledges.conftest import sign

OLD_DEADLINE = dt.date(2026, 11, 27)
NEW_DEADLINE = dt.date(2031, 3, 14)


def _words(text: str) -> str:
    return " ".join(text.split())


def _page_text(body: str) -> str:
    """Visible text of an HTML page, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return _words(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return _words(" ".join(page.extract_text() or "" for page in reader.pages))


def _signed_then_edited(app, client, setup):
    with app.app_context():
        db.session.get(Program, setup.program.id).deadline = OLD_DEADLINE
        db.session.commit()
    response = sign(client, setup, setup.learners[0])
    assert response.status_code == 302
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        stored = sig.shown_text
        assert "dalam penyelenggaraan Pemilihan Gubernur, Bupati, dan Wali Kota Serentak Tahun 2024." in stored
        program = db.session.get(Program, setup.program.id)
        program.title, program.deadline = "Pemilu Baru Sekali", NEW_DEADLINE
        program.election.name = "Pemungutan Suara Ulang Tahun 2031"
        program.election.name_en = "2031 Re-run Vote"
        program.election.voting_day = dt.date(2031, 3, 14)
        db.session.get(Agency, setup.agency.id).name = "Pemerintah Kota Lain"
        db.session.commit()
        return sig.id, stored


NEW_VALUES = ("Pemilu Baru Sekali", "Pemungutan Suara Ulang", "Re-run", "2031", "Pemerintah Kota Lain")
OLD_VALUES = (
    "Sosialisasi Netralitas ASN 2024",
    "Pemilihan Gubernur, Bupati, dan Wali Kota Serentak Tahun 2024",
    "2024 Simultaneous Regional Head Elections",
    "Pemerintah Kabupaten Contoh",
)


def _assert_shows_signed_text(shown: str, stored: str) -> None:
    for value in NEW_VALUES:
        assert value not in shown, value
    for value in OLD_VALUES:
        assert value in shown, value
    # Every line of the signed text (both languages) is there word for word; list numbers and
    # the text's own section labels are layout, drawn by the page.
    for line in stored.splitlines():
        line = re.sub(r"^\d+\. ", "", line.strip())
        if line and line not in ("---", "English translation:", "Mengetahui / Acknowledged by:"):
            assert _words(line) in shown, line


def test_receipt_page_pdf_and_evidence_show_the_stored_text_after_the_program_is_edited(app, client, make, setup):
    sig_id, stored = _signed_then_edited(app, client, setup)

    page = client.get(f"/pledges/receipts/{sig_id}")
    assert page.status_code == 200
    _assert_shows_signed_text(_page_text(page.get_data(as_text=True)), stored)
    # The election as recorded at signing: its name and voting day.
    assert "Hari pemungutan suara 27 November 2024" in _page_text(page.get_data(as_text=True))

    pdf = client.get(f"/pledges/receipts/{sig_id}.pdf")
    assert pdf.status_code == 200
    _assert_shows_signed_text(_pdf_text(pdf.data), stored)
    assert "voting day 27 November 2024" in _pdf_text(pdf.data)

    admin = app.test_client()
    login(admin, make.admin(setup.agency).email)
    evidence = admin.get(f"/admin/signatures/{sig_id}")
    assert evidence.status_code == 200
    body = evidence.get_data(as_text=True)
    assert "Utuh" in body  # the ledger still verifies: only the live program changed
    _assert_shows_signed_text(_page_text(body), stored)
    admin_pdf = admin.get(f"/admin/signatures/{sig_id}/receipt.pdf")
    _assert_shows_signed_text(_pdf_text(admin_pdf.data), stored)


def test_a_stored_text_that_cannot_be_split_is_shown_verbatim(app, client, make, setup):
    """If the stored text does not split along its template, the receipt page, its PDF and the
    evidence page print the stored text as it is (and the evidence page says it is not intact)."""
    sig_id, _stored = _signed_then_edited(app, client, setup)
    odd = "Teks yang lain sama sekali.\n\n1. Satu-satunya butir."
    with app.app_context():
        sig = db.session.get(PledgeSignature, sig_id)
        sig.shown_text = odd
        assert services.receipt_context(sig)["fill"] is None
        db.session.commit()

    def check(shown: str) -> None:
        assert "Teks yang lain sama sekali." in shown and "Satu-satunya butir." in shown
        assert "Sosialisasi Netralitas ASN 2024" in shown  # the program's title as signed
        for value in NEW_VALUES:
            assert value not in shown, value
        assert "Bersikap netral" not in shown  # the template is not re-filled either

    check(_page_text(client.get(f"/pledges/receipts/{sig_id}").get_data(as_text=True)))
    check(_pdf_text(client.get(f"/pledges/receipts/{sig_id}.pdf").data))
    admin = app.test_client()
    login(admin, make.admin(setup.agency).email)
    evidence = _page_text(admin.get(f"/admin/signatures/{sig_id}").get_data(as_text=True))
    check(evidence)
    assert "Tidak utuh" in evidence
