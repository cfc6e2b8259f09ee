"""Property-based tests for every parser of outside input: each bad input gets a clear 4xx (or a
validation error naming the problem), never a 500 or a traceback, and nothing is half-written."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.db import db
from lms.models import User

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
PACK = Path(__file__).resolve().parents[1] / "modules" / "packs" / "mini"


def _no_crash(response) -> None:
    assert response.status_code < 500, response.status_code
    assert b"Traceback" not in response.data


@FUZZ
@given(code=st.text(min_size=1, max_size=60).filter(lambda s: "/" not in s and s not in (".", "..")))
def test_certificate_codes(app, code):
    client = app.test_client()
    for path in (f"/v/{code}", f"/api/v1/certificates/{code}"):
        response = client.get(path)
        _no_crash(response)
        assert response.status_code in (404, 308, 301, 200)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_pdf_dropped_on_the_verify_page(app, make, data):
    from certificates.models import Certificate
    from tests.conftest import csrf_token

    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    if code is None:
        from tests.certificates.conftest import issue

        agency = make.agency()
        code = issue(app, make.user(agency), make.program(agency)).code
    client = app.test_client()
    token = csrf_token(client, f"/v/{code}/check")
    response = client.post(
        f"/v/{code}/pdf",
        data={"csrf_token": token, "pdf": (io.BytesIO(data), "x.pdf")},
        content_type="multipart/form-data",
    )
    _no_crash(response)


@FUZZ
@given(raw=st.binary(max_size=2048))
def test_staff_import_files(app, make, raw):
    from lms.staff.importer import ImportFileError, build_preview

    agency = make.agency()
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(User))
        for name in ("staff.csv", "staff.xlsx"):
            try:
                preview = build_preview(agency, name, raw)
            except ImportFileError as exc:
                assert str(exc)
            else:
                assert preview is not None
        assert db.session.scalar(select(func.count()).select_from(User)) == before  # preview writes nothing


@FUZZ
@given(
    content=st.one_of(st.text(max_size=400), st.binary(max_size=400)),
    target=st.sampled_from(["module.yaml", "questions.yaml", "data.yaml", "lessons/01-dasar.id.md"]),
)
def test_content_packs(tmp_path_factory, content, target):
    from modules.packs import PackInvalid, load_pack

    folder = tmp_path_factory.mktemp("pack")
    shutil.copytree(PACK, folder, dirs_exist_ok=True)
    raw = content.encode("utf-8") if isinstance(content, str) else content
    (folder / target).write_bytes(raw)
    try:
        load_pack(folder)
    except PackInvalid as exc:
        assert exc.errors and all(e.file and e.message for e in exc.errors)


@FUZZ
@given(q=st.text(max_size=80), page=st.text(max_size=12), status=st.text(max_size=12), unit=st.text(max_size=8))
def test_list_page_query_parameters(app, make, q, page, status, unit):
    from tests.conftest import login

    agency = make.agency()
    program = make.program(agency)
    admin = make.admin(agency)
    client = app.test_client()
    login(client, admin.email)
    params = {"q": q, "page": page, "status": status, "unit": unit, "incomplete": page}
    for path in (
        f"/admin/agencies/{agency.id}/staff",
        f"/admin/agencies/{agency.id}/certificates",
        f"/admin/programs/{program.id}/staff",
        f"/admin/programs/{program.id}",
    ):
        _no_crash(client.get(path, query_string=params))


@FUZZ
@given(image=st.one_of(st.binary(max_size=3000), st.just(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)), encoded=st.booleans())
def test_signature_image_upload(app, make, image, encoded):
    """Whatever arrives as the drawn signature: a clear 400 and no signature stored."""
    import base64

    from pledges import services
    from pledges.models import PledgeSignature
    from tests.conftest import PASSWORD, csrf_token, login

    with app.app_context():  # the platform's default pledge text, which the program requires
        services.ensure_default_text()
        db.session.commit()
    agency = make.agency()
    program = make.program(agency, requirements=[("pledge", "netralitas-asn")])
    learner = make.user(agency)
    client = app.test_client()
    login(client, learner.nip)
    url = f"/pledges/programs/{program.id}/netralitas-asn/sign"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    import re

    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', html)
    commitments = re.findall(r'name="commitments" value="([^"]+)"', html)
    payload = ("data:image/png;base64," + base64.b64encode(image).decode()) if encoded else image.decode("latin-1")
    data = {
        "csrf_token": csrf_token(client, url),
        "password": PASSWORD,
        "signature": payload,
        "commitments": commitments,
    }
    if token:
        data["form_token"] = token.group(1)
    response = client.post(url, data=data)
    _no_crash(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PledgeSignature)) == 0


@FUZZ
@given(width=st.integers(0, 2**32 - 1), height=st.integers(0, 2**32 - 1), body=st.binary(max_size=64))
def test_signature_png_header_sizes(app, width, height, body):
    """Whatever size a signature PNG's header declares (a decompression bomb declares 20000 ×
    20000): a PledgeError before anything is decoded, or an image of the allowed size."""
    import base64
    import struct
    import warnings
    import zlib

    from pledges import evidence

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (
        evidence.PNG_MAGIC
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 2048 + body))
        + chunk(b"IEND", b"")
    )
    with app.app_context(), warnings.catch_warnings():
        warnings.simplefilter("error")  # a DecompressionBombWarning would fail the test
        try:
            evidence.decode_signature_image("data:image/png;base64," + base64.b64encode(png).decode())
        except evidence.PledgeError as exc:
            assert exc.field == "signature"


# --- admin forms: odd numbers, dates and text never give a 500, and a refusal stores nothing ---

ODD = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            str(2**63),
            str(10**30),
            "9" * 5000,
            "NaN",
            "sNaN",
            "Infinity",
            "-Infinity",
            "1e999999",
            "9999-12-31",
            "0001-01-01",
            "99999-01-01",
            "2026-02-30",
            "2026-01-01",
            "\u0663",
            " ",
            "a" * 5000,
            "x\x00y",
        ]
    ),
)
PROGRAM_FIELDS = ("title", "election_id", "description", "starts_on", "deadline", "status", "unit_ids", "requirements")
STAFF_FIELDS = ("name", "employment_type", "nip", "email", "position", "unit_id")
TEMPLATE_FIELDS = (
    "title_id",
    "title_en",
    "language",
    "primary_color",
    "accent_color",
    "signer_name",
    "signer_title",
    "jp_hours",
)


def _counts() -> tuple[int, ...]:
    from lms.models import Program, Unit

    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (User, Unit, Program))


@FUZZ
@given(
    form=st.sampled_from(["program", "staff", "unit", "design"]),
    values=st.dictionaries(
        st.sampled_from(PROGRAM_FIELDS + STAFF_FIELDS + TEMPLATE_FIELDS + ("parent_id",)), ODD, max_size=8
    ),
)
def test_admin_forms_with_odd_values(app, make, form, values):
    from tests.conftest import csrf_token, login

    agency = make.agency()
    admin = make.admin(agency)
    election = make.election()
    client = app.test_client()
    login(client, admin.email)
    base = f"/admin/agencies/{agency.id}"
    path = {
        "program": f"{base}/programs/new",
        "staff": f"{base}/staff/new",
        "unit": f"{base}/units",
        "design": f"{base}/certificates/design",
    }[form]
    good = {
        "program": {
            "title": "P",
            "election_id": str(election.id),
            "starts_on": "2026-01-01",
            "deadline": "2026-02-01",
            "status": "draft",
        },
        "staff": {"name": "N", "employment_type": "non_asn", "email": "n@contoh.go.id", "unit_id": "0"},
        "unit": {"name": "U", "parent_id": "0"},
        "design": {
            "title_id": "S",
            "title_en": "C",
            "language": "id",
            "primary_color": "#0b5d3b",
            "accent_color": "#0b5d3b",
        },
    }[form]
    data = good | values | {"csrf_token": csrf_token(client, path)}
    with app.app_context():
        before = _counts()
    response = client.post(path, data=data)
    _no_crash(response)
    if response.status_code >= 400:
        with app.app_context():
            assert _counts() == before


ELECTION_FIELDS = (
    "kind",
    "name",
    "name_en",
    "voting_day",
    "campaign_starts_on",
    "campaign_ends_on",
    "region",
    "photo_poses_caption_id",
    "photo_poses_caption_en",
    "photo_poses_items",
    "safe_poses_items",
)


@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(ELECTION_FIELDS),
        ODD | st.sampled_from(["a | b\nc", "|", "x|y|z", "pilkada_ulang", "pemilu", "2029-02-14"]),
        max_size=6,
    )
)
def test_election_form_with_odd_values(app, make, values):
    from lms.models import Election
    from tests.conftest import csrf_token, login

    client = app.test_client()
    login(client, make.platform_admin().email)
    path = "/admin/elections/new"
    good = {"kind": "pemilu", "name": "Pemilihan Umum Tahun 2029", "voting_day": "2029-02-14"}
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Election))
    response = client.post(path, data=good | values | {"csrf_token": csrf_token(client, path)})
    _no_crash(response)
    if response.status_code >= 400:
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Election)) == before


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-Infinity", "1e999999", "9" * 5000])
def test_certificate_design_hours_that_are_no_number(app, make, value):
    """A signalling NaN made WTForms' NumberRange raise a plain ValueError: a 500."""
    from certificates.models import CertificateDesign
    from tests.conftest import csrf_token, login

    agency = make.agency()
    admin = make.admin(agency)
    client = app.test_client()
    login(client, admin.email)
    path = f"/admin/agencies/{agency.id}/certificates/design"
    response = client.post(
        path,
        data={
            "title_id": "S",
            "title_en": "C",
            "language": "id",
            "primary_color": "#0b5d3b",
            "accent_color": "#0b5d3b",
            "jp_hours": value,
            "csrf_token": csrf_token(client, path),
        },
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CertificateDesign)) == 0


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("time_limit_minutes: 20", "time_limit_minutes: 10000000000", "time_limit_minutes"),
        ("max_attempts: 3", "max_attempts: 3000000000", "max_attempts"),
        ("version: 1", "version: 3000000000", "version"),
        ("jp_hours: 2", "jp_hours: .inf", "jp_hours"),
        ("jp_hours: 2", "jp_hours: .nan", "jp_hours"),
    ],
)
def test_quiz_settings_the_database_and_the_clock_cannot_hold(tmp_path, old, new, key):
    """A time limit of 10^10 minutes overflows ``now + limit`` when a quiz starts (a 500), and
    numbers over 2^31 - 1 overflow PostgreSQL's INTEGER when the pack is imported."""
    from modules.packs import PackInvalid, load_pack

    folder = tmp_path / "pack"
    shutil.copytree(PACK, folder)
    module = folder / "module.yaml"
    module.write_text(module.read_text().replace(old, new))
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    assert any(key in e.message for e in info.value.errors)
