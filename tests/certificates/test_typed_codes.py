"""/verify takes the code as people type it; a certificate number is explained, never looked up."""

from __future__ import annotations

import pytest
from flask import Flask

from certificates import services

from .conftest import issue


def _typed_forms(code: str) -> list[str]:
    grouped = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    return [
        code,
        code.lower(),
        grouped,
        grouped.lower(),
        "-".join(code[i : i + 4] for i in range(0, len(code), 4)),
        f"  {grouped}  ",
        code.replace("O", "0"),  # 0 is not in the base32 alphabet: it can only be O
        grouped.replace("O", "0").lower(),
    ]


def test_verify_accepts_spaces_dashes_case_and_zero_for_o(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    client = app.test_client()
    for typed in _typed_forms(issued.code):
        response = client.get("/verify", query_string={"code": typed})
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(f"/v/{issued.code}"), typed


def test_a_typed_one_is_read_as_i_or_l_by_lookup(app: Flask, world, make) -> None:
    """In RFC 4648 base32 both I and L are letters, so a typed 1 is ambiguous: both readings are
    looked up, and the one certificate that exists is found."""
    found = []
    for _ in range(40):  # until codes with an I and with an L exist
        issued = issue(app, make.user(world["agency"]), world["program"])
        if "I" in issued.code or "L" in issued.code:
            found.append(issued)
        if any("I" in c.code for c in found) and any("L" in c.code for c in found):
            break
    client = app.test_client()
    for issued in found:
        typed = issued.code.replace("I", "1").replace("L", "1")
        if typed.count("1") > services.MAX_AMBIGUOUS:
            continue
        response = client.get("/verify", query_string={"code": typed.lower()})
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(f"/v/{issued.code}")


def test_a_certificate_number_explains_the_code_is_needed(app: Flask, world) -> None:
    issued = issue(app, world["learner"], world["program"])
    client = app.test_client()
    for typed in (issued.number, f" {issued.number.lower()} ", issued.number.replace("/", " / ")):
        response = client.get("/verify", query_string={"code": typed})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, typed
        assert "Ini nomor sertifikat" in html and "di bawah kode QR" in html
        assert "Siti Rahmawati" not in html  # never looked up by its number
        assert "Location" not in response.headers


def test_an_unknown_code_says_so_on_the_form(app: Flask, world) -> None:
    issue(app, world["learner"], world["program"])
    response = app.test_client().get("/verify", query_string={"code": "AAAA BBBB CCCC DDDD EEEE FFFF GG"})
    assert response.status_code == 404
    assert "Tidak ada sertifikat dengan kode ini" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        " ",
        "%ff",
        "'; DROP TABLE certificates; --",
        "<script>alert(1)</script>",
        "ÄÖÜ ßéèñ 日本語",
        "1" * 30,
        "8989 9898",
        "A" * 81,
        "A" * 5000,
        "0011/",
        "/BANGKA/2026",
        "😀" * 10,
        "-- -- --",
    ],
)
def test_bad_input_is_a_clear_4xx_never_a_500(app: Flask, world, typed: str) -> None:
    response = app.test_client().get("/verify", query_string={"code": typed})
    assert 400 <= response.status_code < 500, (typed, response.status_code)
    assert 'class="field-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["\x00", "A\x00B"])
def test_a_nul_in_the_code_is_refused_with_400(app: Flask, typed: str) -> None:
    assert app.test_client().get("/verify", query_string={"code": typed}).status_code == 400


@pytest.mark.parametrize("path", ["/v/%00", "/v/%ff%fe", "/v/" + "A" * 5000, "/V/0000", "/api/v1/certificates/%00"])
def test_bad_codes_in_the_path_are_404_not_500(app: Flask, path: str) -> None:
    assert app.test_client().get(path).status_code == 404


def test_the_form_without_a_code_is_the_plain_page(app: Flask) -> None:
    response = app.test_client().get("/verify")
    assert response.status_code == 200 and 'class="field-error"' not in response.get_data(as_text=True)
