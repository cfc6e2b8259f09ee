"""A changed shipped default is a new platform version: ``lms pledges publish-default`` (and
``ensure_default_text``) store it, new signers sign it, old signatures keep exactly the text they
signed, and agencies with their own version keep theirs (told that it predates the per-type
wording, and offered the new preamble for their next version)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from lms.db import db
from lms.models import Agency, ElectionKind, EmploymentType
from pledges import services, texts
from pledges.content import DEFAULT_KEY, DEFAULT_TEXT, PREVIOUS_PREAMBLES
from pledges.models import PledgeSignature, PledgeText
from tests.conftest import login
from tests.pledges.conftest import good_data, open_form
from tests.pledges.test_receipt_snapshot import _page_text, _pdf_text

# Version 1 of the platform default as it was shipped before this wording: one sanction clause
# (the PNS discipline regulation) for every signer, and "{election} tahun {year}".
OLD_CLAUSE_ID = (
    "Bersedia menerima sanksi sesuai peraturan perundang-undangan, termasuk Peraturan Pemerintah Nomor 94 "
    "Tahun 2021 tentang Disiplin Pegawai Negeri Sipil, apabila saya melanggar pakta ini."
)
OLD_TEXT = {
    **DEFAULT_TEXT,
    "preamble_id": PREVIOUS_PREAMBLES["preamble_id"][0],
    "preamble_en": PREVIOUS_PREAMBLES["preamble_en"][0],
    "commitments": [
        *[{"id": str(i), "text_id": f"Komitmen lama {i}.", "text_en": f"Old commitment {i}."} for i in range(1, 7)],
        {"id": "7", "text_id": OLD_CLAUSE_ID, "text_en": "To accept sanctions under PP 94/2021."},
    ],
    "employment_wording": None,
}


def _sign(app, number: str, program_id: int) -> str:
    client = app.test_client()
    login(client, number)
    path = f"/pledges/programs/{program_id}/{DEFAULT_KEY}/sign"
    assert client.post(path, data=good_data(open_form(client, path))).status_code == 302
    return client


def test_new_default_is_a_new_version_and_old_signatures_keep_their_text(app, make):
    election = make.election(
        kind=ElectionKind.PILKADA_SERENTAK,
        name="Pemilihan Gubernur, Bupati, dan Wali Kota Serentak Tahun 2024",
        voting_day=dt.date(2024, 11, 27),
    )
    agency = make.agency(name="Pemerintah Kabupaten Contoh")
    custom = make.agency(name="Pemerintah Kota Mandiri")
    program = make.program(agency, requirements=[("pledge", DEFAULT_KEY)], election=election)
    first = make.user(agency, employment_type=EmploymentType.PPPK, nip="199009132021211001")
    second = make.user(agency, employment_type=EmploymentType.PPPK, nip="199104142021211002")
    custom_admin = make.admin(custom)
    with app.app_context():
        texts._new_text(dict(OLD_TEXT), None, 1)
        # An agency that wrote its own version on top of the old default, back then.
        texts._new_text(
            {**OLD_TEXT, "title_id": "Pakta Integritas Kota Mandiri", "title_en": "Integrity Pact of Kota Mandiri"},
            custom.id,
            1,
        )
        db.session.commit()

    old_client = _sign(app, first.nip, program.id)
    with app.app_context():
        old = db.session.scalar(select(PledgeSignature).where(PledgeSignature.user_id == first.id))
        old_id, old_shown = old.id, old.shown_text
        assert old.text_version == 1 and OLD_CLAUSE_ID in old_shown

    runner = app.test_cli_runner()
    result = runner.invoke(args=["pledges", "publish-default"])
    assert result.exit_code == 0 and "published: netralitas-asn version 2" in result.output
    result = runner.invoke(args=["pledges", "publish-default"])
    assert "unchanged: netralitas-asn version 2" in result.output
    with app.app_context():
        platform = services.latest_platform_text(DEFAULT_KEY)
        assert platform.version == 2 and platform.employment_wording["sanctions"]["pppk"]
        assert services.ensure_default_text().id == platform.id  # nothing new while unchanged
        assert [t.version for t in db.session.scalars(select(PledgeText).where(PledgeText.agency_id.is_(None)))] == [
            1,
            2,
        ]
        # The agency's own version stays what its staff sign.
        own = services.text_for(DEFAULT_KEY, custom.id)
        assert own.agency_id == custom.id and own.version == 1 and not own.employment_wording
        # Its next version starts from the current preamble, not the one shipped before.
        defaults = services.text_form_defaults(db.session.get(Agency, custom.id))
        assert defaults["preamble_id"] == DEFAULT_TEXT["preamble_id"]
        assert defaults["title_id"] == "Pakta Integritas Kota Mandiri"

    # A new signer signs version 2: the rules that bind a PPPK, the election named once.
    _sign(app, second.nip, program.id)
    with app.app_context():
        new = db.session.scalar(select(PledgeSignature).where(PledgeSignature.user_id == second.id))
        assert new.text_version == 2
        assert "sanksi menurut perjanjian kerja saya" in new.shown_text
        assert "Disiplin Pegawai Negeri Sipil" not in new.shown_text
        assert "Serentak Tahun 2024." in new.shown_text and "tahun 2024" not in new.shown_text
        # The old signature is untouched.
        assert db.session.get(PledgeSignature, old_id).shown_text == old_shown

    # Its receipt, PDF and the ledger still show and prove the old text.
    page = _page_text(old_client.get(f"/pledges/receipts/{old_id}").get_data(as_text=True))
    pdf = _pdf_text(old_client.get(f"/pledges/receipts/{old_id}.pdf").data)
    for shown in (page, pdf):
        assert " ".join(OLD_CLAUSE_ID.split()) in shown
        assert "perjanjian kerja saya" not in shown and "Komitmen lama 3." in shown
    verified = runner.invoke(args=["pledges", "verify-ledger"])
    assert verified.exit_code == 0 and re.search(r"OK: 2 entries", verified.output)

    # The custom agency's admin is told its version predates the per-type wording.
    admin = app.test_client()
    login(admin, custom_admin.email)
    html = admin.get(f"/admin/agencies/{custom.id}/pledge-texts").get_data(as_text=True)
    assert 'id="outdated"' in html
