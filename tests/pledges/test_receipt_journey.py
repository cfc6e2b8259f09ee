"""The receipt leads on (next step, then the certificate, through the core); its times are in the
signer's agency's zone, named; the English receipt shows the signed English commitments."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from lms.db import db
from lms.models import Agency
from lms.requirements import LearnerStep, RequirementKind
from pledges import services
from pledges.content import DEFAULT_KEY
from pledges.models import PledgeSignature, PledgeText
from tests.conftest import login
from tests.pledges.conftest import Setup, good_data, open_form, sign


class PendingKind(RequirementKind):
    """A step the learner has not done yet (e.g. a module), with the page to do it."""

    name = "pending"
    title = "Pending"

    def choices(self, agency_id):
        return []

    def label(self, ref):
        return f"Modul {ref}"

    def met_user_ids(self, ref, program_id):
        return select(PledgeSignature.user_id).where(PledgeSignature.id < 0)

    def learner_step(self, user_id, ref, program_id):
        return LearnerStep(label=self.label(ref), met=False, url=f"/modules/{ref}")


def _receipt(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _main_button(page: str) -> tuple[str, str]:
    match = re.search(r'<a class="button primary block" id="next-step" href="([^"]+)">([^<]+)</a>', page)
    assert match, page[:3000]
    return match.group(1), match.group(2)


def test_receipt_leads_to_the_certificate_when_every_step_is_done(app, client, setup):
    href, label = _main_button(_receipt(client, sign(client, setup, setup.learners[0])))
    assert href.startswith("/certificates/") and "Sertifikat" in label
    assert client.get(href).status_code == 200


def test_receipt_leads_to_the_next_unmet_step(app, client, make, setup, requirement_kinds, default_text):
    requirement_kinds(PendingKind())
    program = make.program(setup.agency, requirements=[("pledge", DEFAULT_KEY), ("pending", "netralitas")])
    other = Setup(setup.agency, setup.unit, program, setup.learners)
    href, label = _main_button(_receipt(client, sign(client, other, setup.learners[1])))
    assert href == "/modules/netralitas" and "Modul netralitas" in label


def _in_wita(app, setup) -> None:
    with app.app_context():
        db.session.get(Agency, setup.agency.id).timezone = "Asia/Makassar"
        db.session.commit()


def test_receipt_and_pdf_show_times_in_the_agency_zone(app, client, setup):
    _in_wita(app, setup)
    page = _receipt(client, sign(client, setup, setup.learners[0]))
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        sig_id, signed_at = sig.id, sig.signed_at
    assert "WITA" in page and " UTC" not in page
    local = (signed_at.hour + 8) % 24
    assert re.search(rf"\b{local:02d}\.{signed_at.minute:02d} WITA", page), page
    pdf = client.get(f"/pledges/receipts/{sig_id}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "WITA" in text and "27 November 2024" in text


def test_receipt_pdf_outside_a_request_is_in_the_agency_zone(app, client, setup):
    _in_wita(app, setup)
    sign(client, setup, setup.learners[0])
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(services.receipt_pdf(sig))).pages)
    assert "WITA" in text


def test_english_receipt_shows_the_signed_english_commitments(app, client, setup):
    response = sign(client, setup, setup.learners[0])
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature))
        text = db.session.get(PledgeText, sig.text_id)
        first_en, first_id = text.commitments[0]["text_en"], text.commitments[0]["text_id"]
    checklist = page.split('<ul class="checklist">', 1)[1].split("</ul>", 1)[0]
    assert first_en.split("{")[0][:40] in checklist
    assert first_id.split("{")[0][:40] not in checklist
    assert "27 November 2024" in page and "Nov 27, 2024" not in page and "November 27, 2024" not in page


def test_english_form_errors_are_in_english(app, client, setup):
    login(client, setup.learners[1].nip)
    form = open_form(client, setup.sign_path + "?lang=en")
    response = client.post(
        setup.sign_path + "?lang=en",
        data=good_data(form, password="wrong", commitments=[], signature="", typed_name="Someone Else"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for english in ("Wrong password", "Tick every commitment", "must match the name on your account"):
        assert english in page
    for indonesian in ("Kata sandi salah", "Centang setiap", "harus sama dengan nama akun"):
        assert indonesian not in page
    assert "Nov 27, 2024" not in page
