"""What the certificate says (read back from the real PDF) and how long it is valid: the wording,
the election it was issued for, the JP, the grouped code, the agency logo, and an expiry that
follows the election's voting day on the PDF, the public page and the JSON API."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import quote

import pytest
from flask import Flask
from flask_babel import force_locale, format_date
from pypdf import PdfReader

from certificates import rendering, services
from lms.db import db
from lms.models import Election, ElectionKind

from .conftest import ELECTION_NAME, ELECTION_NAME_EN, VOTING_DAY, issue, load

VALID_DAYS = 180  # the default of CERTIFICATES_VALID_DAYS_AFTER_VOTING_DAY
CODE_LINE = re.compile(r"^[A-Z2-7]{1,4}( [A-Z2-7]{1,4})*$")


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(pdf: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces folded into single spaces."""
    return " ".join(_text(pdf).split())


def _long_date(app: Flask, day: dt.date, locale: str = "id") -> str:
    with app.test_request_context(), force_locale(locale):
        return format_date(day, "long")


def _groups(code: str) -> list[str]:
    return [code[i : i + 4] for i in range(0, len(code), 4)]


def _png(size: int = 96) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(image).rectangle((8, 8, size - 8, size - 8), fill=(120, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_pdf_wording_in_indonesian(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    text = _flat(issued.pdf)
    assert "diberikan kepada Siti Rahmawati, S.Pd." in text
    assert "yang telah menyelesaikan Sosialisasi Netralitas ASN" in text
    assert f"dalam penyelenggaraan {ELECTION_NAME} sebanyak 2 JP pada tanggal" in text
    assert "dengan beban" not in text
    assert text.count(ELECTION_NAME) == 1
    last_day = VOTING_DAY + dt.timedelta(days=VALID_DAYS)
    assert f"berlaku sampai {_long_date(app, last_day)}" in text


def test_code_under_the_qr_is_grouped_and_no_group_wraps(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    assert " ".join(_groups(issued.code)) in _flat(issued.pdf)
    assert issued.code not in _text(issued.pdf)  # never one unbroken run
    lines = [line.strip() for line in _text(issued.pdf).splitlines() if CODE_LINE.match(line.strip())]
    assert "".join(lines).replace(" ", "") == issued.code, lines
    for line in lines:  # every line holds whole groups
        assert all(group in _groups(issued.code) for group in line.split()), line


def test_grouped_code_verifies_typed_with_or_without_spaces(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    grouped = " ".join(_groups(issued.code))
    for typed in (grouped, grouped.lower(), "\u00a0".join(_groups(issued.code)), issued.code):
        response = client.get("/verify", query_string={"code": typed})
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(f"/v/{issued.code}")
        page = client.get(f"/v/{quote(typed)}")
        assert page.status_code == 200 and "SAH" in page.get_data(as_text=True), typed
        api = client.get(f"/api/v1/certificates/{quote(typed)}").get_json()
        assert api["status"] == "valid" and api["code"] == issued.code
    html = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert (
        f'<span class="code-group">{issued.code[:4]}</span> <span class="code-group">{issued.code[4:8]}</span>' in html
    )


def test_requirement_names_print_without_their_slug(app: Flask, make, world) -> None:
    """The real pledge kind's label once carried the pact's key in brackets; it never reaches the PDF."""
    program = make.program(
        world["agency"],
        requirements=[("certtest", "netralitas"), ("pledge", "netralitas-asn")],
        title="Sosialisasi Netralitas ASN",
        election=world["election"],
    )
    issued = issue(app, world["learner"], program)
    text = _flat(issued.pdf)
    assert "(netralitas-asn)" not in text and "netralitas-asn" not in text
    assert "Pakta Integritas" in text
    labels = [item["label"] for item in load(app, issued.code).snapshot["items"]]
    assert labels[0] == "Modul Netralitas" and not any("(" in label for label in labels)


def test_requirement_names_are_titles_not_instructions(app: Flask, make, world) -> None:
    program = make.program(
        world["agency"], requirements=[("pledge", "netralitas-asn")], title="Sosialisasi", election=world["election"]
    )
    issued = issue(app, world["learner"], program)
    text = _flat(issued.pdf)
    assert "Penandatanganan Pakta Integritas Netralitas ASN" in text and "Tanda tangani" not in text


@pytest.mark.parametrize(
    "title", [f"Sosialisasi Netralitas ASN {ELECTION_NAME}", f"Sosialisasi Netralitas ASN — Pilkada {VOTING_DAY.year}"]
)
def test_election_is_not_printed_twice_when_the_program_title_names_it(app: Flask, make, world, title) -> None:
    program = make.program(
        world["agency"], requirements=[("certtest", "netralitas")], title=title, election=world["election"]
    )
    text = _flat(issue(app, world["learner"], program).pdf)
    assert text.count(title) == 1 and text.count(ELECTION_NAME) <= 1 and "dalam penyelenggaraan" not in text
    assert f"yang telah menyelesaikan {title} sebanyak 2 JP pada tanggal" in text


def test_pdf_wording_in_english(app: Flask, world) -> None:
    with app.app_context():
        agency = db.session.get(type(world["agency"]), world["agency"].id)
        design = services.design_for(agency.id)
        services.save_design(
            agency,
            services.DesignInput(
                primary_color=design.primary_color,
                accent_color=design.accent_color,
                title_id="Sertifikat",
                title_en="Certificate",
                signer_name=None,
                signer_title=None,
                jp_hours=None,
                language="en",
            ),
            actor=None,
        )
        db.session.commit()
    issued = issue(app, world["learner"], world["program"])
    text = _flat(issued.pdf)
    assert "awarded to Siti Rahmawati, S.Pd." in text
    assert f"who has completed Sosialisasi Netralitas ASN for the {ELECTION_NAME_EN} (2 JP) on" in text
    assert ELECTION_NAME not in text and text.count(ELECTION_NAME_EN) == 1
    assert "diberikan" not in text and "sebanyak" not in text
    last_day = VOTING_DAY + dt.timedelta(days=VALID_DAYS)
    assert f"valid until {_long_date(app, last_day, 'en')}" in text


def test_snapshot_freezes_the_election(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    s = load(app, issued.code).snapshot
    assert s["version"] == 2 and "period" not in s["program"]
    assert s["election"] == {
        "name": ELECTION_NAME,
        "name_en": ELECTION_NAME_EN,
        "kind": "pemilu",
        "voting_day": VOTING_DAY.isoformat(),
    }
    with app.app_context():  # renaming the election later does not change what was issued
        db.session.get(Election, world["election"].id).name = "Nama Lain"
        db.session.commit()
    assert load(app, issued.code).snapshot["election"]["name"] == ELECTION_NAME


def test_expiry_follows_the_voting_day_on_page_and_json(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    last_day = VOTING_DAY + dt.timedelta(days=VALID_DAYS)
    data = client.get(f"/api/v1/certificates/{issued.code}").get_json()
    assert data["valid_until"] == last_day.isoformat()
    assert data["expires_at"] and data["status"] == "valid"
    assert data["election"]["name"] == ELECTION_NAME and data["election"]["voting_day"] == VOTING_DAY.isoformat()
    assert data["period"] == ELECTION_NAME  # the old field keeps a meaning
    html = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert ELECTION_NAME in html and f"pemungutan suara {_long_date(app, VOTING_DAY)}" in html
    assert re.search(rf'class="cert-valid-until">{re.escape(_long_date(app, last_day))}<', html)
    english = client.get(f"/v/{issued.code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ELECTION_NAME_EN in english and "Valid until" in english


def test_reissue_takes_the_expiry_of_the_current_election(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    later = VOTING_DAY + dt.timedelta(days=30)
    with app.app_context():
        db.session.get(Election, world["election"].id).voting_day = later  # the voting day was moved
        new = services.reissue(services.by_code(issued.code), actor=None)
        db.session.commit()
        new_code = new.code
    assert services_valid_until(app, new_code) == later + dt.timedelta(days=VALID_DAYS)
    assert services_valid_until(app, issued.code) == VOTING_DAY + dt.timedelta(days=VALID_DAYS)
    assert f"berlaku sampai {_long_date(app, later + dt.timedelta(days=VALID_DAYS))}" in _flat(load(app, new_code).pdf)


def services_valid_until(app: Flask, code: str) -> dt.date | None:
    with app.app_context():
        return services.valid_until(services.by_code(code))


@pytest.mark.parametrize("days", [0, None])
def test_no_expiry_when_configured_off(app: Flask, client, world, monkeypatch, days) -> None:
    monkeypatch.setitem(app.config, "CERTIFICATES_VALID_DAYS_AFTER_VOTING_DAY", days)
    issued = issue(app, world["learner"], world["program"])
    assert load(app, issued.code).expires_at is None
    text = _flat(issued.pdf)
    assert "berlaku sampai" not in text and "Diterbitkan" in text
    data = client.get(f"/api/v1/certificates/{issued.code}").get_json()
    assert data["expires_at"] is None and data["valid_until"] is None and data["status"] == "valid"
    html = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert "tanpa batas waktu" in html


def test_certificate_of_a_long_past_election_shows_expired(app: Flask, client, make, world) -> None:
    voting_day = dt.date.today() - dt.timedelta(days=VALID_DAYS + 20)
    past = make.election(kind=ElectionKind.PILKADA_ULANG, name="Pemilihan Ulang Tahun Lalu", voting_day=voting_day)
    program = make.program(world["agency"], requirements=[("certtest", "netralitas")], election=past)
    issued = issue(app, world["learner"], program)
    html = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert "KEDALUWARSA" in html and "EXPIRED" in html and "cert-status-expired" in html
    end = _long_date(app, voting_day + dt.timedelta(days=VALID_DAYS))
    assert f"Masa berlaku sertifikat ini berakhir pada {end}" in html
    data = client.get(f"/api/v1/certificates/{issued.code}").get_json()
    assert data["status"] == "expired"
    with app.app_context():  # not counted as certified in the program's figures
        assert world["learner"].id not in db.session.scalars(services.certified_user_ids(program.id)).all()


def test_agency_logo_is_on_the_certificate(app: Flask, make) -> None:
    agency = make.agency("LOGO", name="Pemerintah Kota Contoh", logo=_png(96), logo_mime="image/png")
    learner = make.user(agency, name="Rina Wulandari")
    program = make.program(agency, requirements=[("certtest", "netralitas")])
    issued = issue(app, learner, program)
    sizes = [image.image.size for page in PdfReader(io.BytesIO(issued.pdf)).pages for image in page.images]
    assert (96, 96) in sizes


def test_old_snapshot_with_a_period_still_renders_and_verifies(app: Flask, client, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    with app.app_context():
        cert = services.by_code(issued.code)
        old = dict(cert.snapshot)
        old.pop("election")
        old["version"] = 1
        old["program"] = {**old["program"], "period": "Pilkada 2026"}
        cert.snapshot = old
        db.session.commit()
        text = " ".join(_text(rendering.render_certificate(old)).split())
    assert "Sosialisasi Netralitas ASN (Pilkada 2026)" in text and ELECTION_NAME not in text
    data = client.get(f"/api/v1/certificates/{issued.code}").get_json()
    assert data["period"] == "Pilkada 2026" and data["election"] is None
    html = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert "Pilkada 2026" in html and "SAH" in html
