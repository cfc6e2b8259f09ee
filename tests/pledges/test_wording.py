"""The pact reads right for every signer: the election's own name (which carries its year, never a
deadline's), the rules that bind the signer's employment type (PNS, PPPK, non-ASN), prospective
candidates as well as participants, in Indonesian and in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lms.db import db
from lms.models import ElectionKind, EmploymentType, Program, User
from pledges import services
from pledges.content import DEFAULT_KEY
from pledges.kinds import PledgeKind

ELECTIONS = {
    ElectionKind.PEMILU: {
        "name": "Pemilihan Umum Tahun 2029",
        "name_en": "2029 General Election",
        "voting_day": dt.date(2029, 2, 14),
    },
    ElectionKind.PILKADA_SERENTAK: {
        "name": "Pemilihan Gubernur, Bupati, dan Wali Kota Serentak Tahun 2024",
        "name_en": "2024 Simultaneous Regional Head Elections",
        "voting_day": dt.date(2024, 11, 27),
    },
    ElectionKind.PILKADA_ULANG: {
        # No English name: the English text falls back to the Indonesian one.
        "name": "Pemilihan Bupati dan Wakil Bupati Bangka serta Wali Kota dan Wakil Wali Kota Pangkalpinang Tahun 2025",
        "name_en": None,
        "voting_day": dt.date(2025, 8, 27),
        "region": "Kabupaten Bangka dan Kota Pangkalpinang",
    },
}
# A deadline in another year than every election: its year must never reach the pact.
DEADLINE = dt.date(2026, 12, 20)
NUMBERS = {EmploymentType.PNS: "198609262015051001", EmploymentType.PPPK: "199009132021211001"}


def _parts(shown: str) -> tuple[str, str]:
    indonesian, _sep, english = shown.partition("English translation:")
    assert english, shown
    return " ".join(indonesian.split()), " ".join(english.split())


def _signer(make, agency, employment_type: EmploymentType):
    if employment_type == EmploymentType.NON_ASN:
        return make.user(agency, employment_type=employment_type, nip=None, email=f"honorer{agency.id}@x.go.id")
    return make.user(agency, employment_type=employment_type, nip=NUMBERS[employment_type])


@pytest.mark.parametrize("kind", list(ELECTIONS), ids=lambda k: k.value)
@pytest.mark.parametrize("employment_type", list(EmploymentType), ids=lambda t: t.value)
def test_filled_pact_reads_naturally_and_names_the_rules_that_bind_the_signer(
    app, make, default_text, kind, employment_type
):
    spec = ELECTIONS[kind]
    election = make.election(kind=kind, **spec)
    agency = make.agency(name="Pemerintah Kabupaten Contoh")
    program = make.program(agency, requirements=[("pledge", DEFAULT_KEY)], election=election, deadline=DEADLINE)
    signer = _signer(make, agency, employment_type)
    with app.app_context():
        pledge_text = services.text_for(DEFAULT_KEY, agency.id)
        shown = services.shown_text(pledge_text, db.session.get(Program, program.id), db.session.get(User, signer.id))
    assert "{" not in shown  # every placeholder filled
    text_id, text_en = _parts(shown)
    year = str(spec["voting_day"].year)

    # The election by its own name, which already carries the year: said once, never "... 2029 tahun 2029".
    assert f"dalam penyelenggaraan {spec['name']}. Untuk itu saya berjanji:" in text_id
    assert f"during the {spec['name_en'] or spec['name']}. To that end I promise:" in text_en
    for text in (text_id, text_en):
        assert text.count(year) == 1, text
        assert not re.search(r"(\d{4})\D{0,12}\b(tahun|of)\s+\1", text, re.I), text
        assert str(DEADLINE.year) not in text

    # Prospective candidates too, not only candidates.
    assert "bakal calon atau peserta pemilihan" in text_id
    assert "prospective candidate or participant" in text_en

    # The rules that bind this signer, and no other type's.
    if employment_type == EmploymentType.PNS:
        assert "Pegawai Negeri Sipil pada Pemerintah Kabupaten Contoh" in text_id
        assert "Peraturan Pemerintah Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri Sipil" in text_id
        assert "Government Regulation (PP) Number 94 of 2021 on Civil Servant Discipline" in text_en
        assert "perjanjian kerja" not in text_id.lower()
    elif employment_type == EmploymentType.PPPK:
        assert "Pegawai Pemerintah dengan Perjanjian Kerja (PPPK) pada Pemerintah Kabupaten Contoh" in text_id
        assert "sanksi menurut perjanjian kerja saya" in text_id
        assert "Peraturan Pemerintah Nomor 49 Tahun 2018" in text_id
        assert "sanctions under my employment agreement" in text_en
        # Not bound by the PNS-only discipline regulation.
        assert "94 Tahun 2021" not in text_id and "Disiplin Pegawai Negeri Sipil" not in text_id
        assert "94 of 2021" not in text_en and "Civil Servant Discipline" not in text_en
    else:
        assert "pegawai non-ASN pada Pemerintah Kabupaten Contoh" in text_id
        assert "sanksi menurut kontrak kerja saya" in text_id
        assert "sanctions under my work contract" in text_en
        assert "94 Tahun 2021" not in text_id and "Negeri Sipil" not in text_id
        assert "perjanjian kerja" not in text_id.lower() and "49 Tahun 2018" not in text_id
        assert "94 of 2021" not in text_en and "employment agreement" not in text_en
        # Not presented as a civil servant either.
        assert "sebagai Aparatur Sipil Negara" not in text_id and "as a State Civil Servant" not in text_en


def test_an_election_name_without_its_year_gets_it_once(app, make, default_text):
    election = make.election(
        kind=ElectionKind.PILKADA_ULANG,
        name="Pemungutan Suara Ulang Pemilihan Wali Kota Contoh",
        name_en="Contoh mayoral re-run vote",
        voting_day=dt.date(2025, 8, 27),
    )
    agency = make.agency()
    program = make.program(agency, requirements=[("pledge", DEFAULT_KEY)], election=election, deadline=DEADLINE)
    signer = make.user(agency)
    with app.app_context():
        shown = services.shown_text(
            services.text_for(DEFAULT_KEY, agency.id),
            db.session.get(Program, program.id),
            db.session.get(User, signer.id),
        )
    text_id, text_en = _parts(shown)
    assert "dalam penyelenggaraan Pemungutan Suara Ulang Pemilihan Wali Kota Contoh Tahun 2025." in text_id
    assert "during the 2025 Contoh mayoral re-run vote." in text_en


def test_requirement_label_is_a_title_without_the_key(app, make, default_text):
    kind = PledgeKind()
    with app.test_request_context("/?lang=id"):
        assert kind.label(DEFAULT_KEY) == "Penandatanganan Pakta Integritas Netralitas ASN"
        assert [c.label for c in kind.choices(make.agency().id)] == ["Penandatanganan Pakta Integritas Netralitas ASN"]
    with app.test_request_context("/?lang=en"):
        assert kind.label(DEFAULT_KEY) == "Signing of the Integrity Pact on ASN Neutrality"
    agency = make.agency()
    admin = make.admin(agency)
    with app.app_context():
        services.create_agency_version(
            agency,
            services.TextInput(
                key="komitmen-pimpinan",
                title_id="Pakta Integritas Pimpinan Perangkat Daerah",
                title_en="Integrity Pact of Regional Unit Heads",
                preamble_id="Saya berjanji:",
                preamble_en="I promise:",
            ),
            db.session.get(User, admin.id),
        )
        db.session.commit()
    with app.test_request_context("/?lang=id"):
        label = kind.label("komitmen-pimpinan")
        assert label == "Penandatanganan Pakta Integritas Pimpinan Perangkat Daerah"
    with app.test_request_context("/?lang=en"):
        assert kind.label("komitmen-pimpinan") == "Signing of the Integrity Pact of Regional Unit Heads"
        assert "komitmen-pimpinan" not in kind.label("komitmen-pimpinan")
        assert kind.label("tidak-ada") == "Signing of the Integrity Pact"
