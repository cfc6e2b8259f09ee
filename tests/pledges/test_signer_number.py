"""The signer's number is called what it is: NIP for a PNS, NI PPPK for a PPPK, nothing for non-ASN
staff, on the signing page, the receipt page, the receipt PDF and the admin's evidence page, in
Indonesian and in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from lms.db import db
from lms.models import ElectionKind, EmploymentType
from pledges.content import DEFAULT_KEY
from pledges.models import PledgeSignature
from tests.conftest import login
from tests.pledges.conftest import good_data, open_form
from tests.pledges.test_receipt_snapshot import _page_text, _pdf_text

CASES = {
    EmploymentType.PNS: ("NIP", "198609262015051001", "19860926 201505 1 001"),
    EmploymentType.PPPK: ("NI PPPK", "199009132021211001", "19900913 202121 1 001"),
    EmploymentType.NON_ASN: (None, None, None),
}


def _labels(html: str) -> list[str]:
    """The labels of the signer's number shown on a page (definition-list terms)."""
    return [t for t in re.findall(r"<dt>([^<]*)</dt>", html) if t in ("NIP", "NI PPPK")]


@pytest.mark.parametrize("employment_type", list(CASES), ids=lambda t: t.value)
def test_number_is_labelled_by_employment_type_on_every_page_and_the_pdf(
    app, client, make, default_text, employment_type
):
    label, number, shown_number = CASES[employment_type]
    election = make.election(
        kind=ElectionKind.PEMILU,
        name="Pemilihan Umum Tahun 2029",
        name_en="2029 General Election",
        voting_day=dt.date(2029, 2, 14),
    )
    agency = make.agency(name="Pemerintah Kota Contoh")
    program = make.program(agency, requirements=[("pledge", DEFAULT_KEY)], election=election)
    if number:
        signer = make.user(agency, employment_type=employment_type, nip=number)
        login(client, number)
    else:
        signer = make.user(agency, employment_type=employment_type, nip=None, email="honorer@x.go.id")
        login(client, "honorer@x.go.id")
    path = f"/pledges/programs/{program.id}/{DEFAULT_KEY}/sign"
    expected = [label] if label else []

    for lang in ("id", "en"):
        page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        assert _labels(page) == expected, lang
        if number:
            assert f"<dt>{label}</dt><dd>{shown_number}</dd>" in page
        assert ("Penanda tangan" if lang == "id" else "Signer") in page
    assert client.post(path, data=good_data(open_form(client, path))).status_code == 302
    with app.app_context():
        sig = db.session.scalar(select(PledgeSignature).where(PledgeSignature.user_id == signer.id))
        sig_id = sig.id
        assert sig.identity["employment_type"] == employment_type.value

    for lang in ("id", "en"):
        receipt = client.get(f"/pledges/receipts/{sig_id}?lang={lang}").get_data(as_text=True)
        assert _labels(receipt) == expected, lang
        if number:
            assert f"<dt>{label}</dt><dd>{shown_number}</dd>" in receipt
        assert ("2029 General Election" if lang == "en" else "Pemilihan Umum Tahun 2029") in _page_text(receipt)
    pdf = _pdf_text(client.get(f"/pledges/receipts/{sig_id}.pdf").data)
    if number:
        assert f"{label} {shown_number}" in pdf
    other = {"NIP": r"\bNI PPPK\b", "NI PPPK": r"\bNIP\b", None: r"\bNIP\b|\bNI PPPK\b"}[label]
    assert not re.search(other, pdf), pdf

    admin = app.test_client()
    login(admin, make.admin(agency).email)
    for lang in ("id", "en"):
        evidence = admin.get(f"/admin/signatures/{sig_id}?lang={lang}").get_data(as_text=True)
        assert _labels(evidence) == expected, lang
    admin_pdf = _pdf_text(admin.get(f"/admin/signatures/{sig_id}/receipt.pdf").data)
    assert not re.search(other, admin_pdf)
    listing = admin.get(f"/admin/programs/{program.id}/signatures").get_data(as_text=True)
    if number:
        assert f'{shown_number} <small class="meta">{label}</small>' in listing
