import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.identity import IdentityNumberError, format_nip, parse_identity_number
from lms.models import EmploymentType

TODAY = dt.date(2026, 11, 23)


def test_valid_pns_nip_is_split_into_its_parts(app):
    with app.test_request_context():
        nip = parse_identity_number("19860926 201505 1 001", "pns", TODAY)
    assert nip.number == "198609262015051001"
    assert nip.birth_date == dt.date(1986, 9, 26)
    assert (nip.appointment_year, nip.appointment_month, nip.sex, nip.sequence) == (2015, 5, 1, 1)


def test_valid_pppk_number_is_accepted_although_digits_13_14_are_not_a_month(app):
    number = "199009132025242014"  # contracts "24": not a month, so a PNS validator rejects it
    with app.test_request_context():
        parsed = parse_identity_number(number, EmploymentType.PPPK, TODAY)
        assert parsed.appointment_year == 2025 and parsed.appointment_month is None
        with pytest.raises(IdentityNumberError) as exc:
            parse_identity_number(number, EmploymentType.PNS, TODAY)
    assert exc.value.part == "appointment"


@pytest.mark.parametrize(
    ("number", "kind", "part"),
    [
        ("1986092620150510", "pns", "length"),
        ("19860926201505100a", "pns", "length"),
        ("198602302015051001", "pns", "birth_date"),  # 30 February
        ("202701012015051001", "pns", "birth_date"),  # born in the future
        ("198609262015131001", "pns", "appointment"),  # month 13
        ("198609262030011001", "pns", "appointment"),  # appointed in the future
        ("198609261995011001", "pns", "appointment"),  # appointed at age 8
        ("198609262015053001", "pns", "sex"),
        ("198609262015051000", "pns", "sequence"),
        ("199009132025002014", "pppk", "contracts"),
        ("199009132025243014", "pppk", "sex"),
        ("١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", "pns", "length"),  # Arabic-Indic digits: a second NIP
        ("１９８６０９２６２０１５０５１００１", "pns", "length"),  # full-width digits
    ],
)
def test_each_wrong_part_is_named(app, number, kind, part):
    with app.test_request_context(), pytest.raises(IdentityNumberError) as exc:
        parse_identity_number(number, kind, TODAY)
    assert exc.value.part == part
    assert str(exc.value)  # a sentence for the person


def test_messages_follow_the_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(IdentityNumberError) as exc:
            parse_identity_number("123", "pns", TODAY)
        assert "18 digits" in str(exc.value)
    with app.test_request_context(headers={"Accept-Language": "id"}):
        with pytest.raises(IdentityNumberError) as exc:
            parse_identity_number("123", "pns", TODAY)
        assert "18 angka" in str(exc.value)


@given(raw=st.text(max_size=40), kind=st.sampled_from(["pns", "pppk"]))
def test_any_input_is_accepted_or_rejected_with_a_named_part(app, raw, kind):
    with app.test_request_context():
        try:
            parse_identity_number(raw, kind, TODAY)
        except IdentityNumberError as exc:
            assert exc.part in {"length", "birth_date", "appointment", "contracts", "sex", "sequence"}


def test_display_format():
    assert format_nip("198609262015051001") == "19860926 201505 1 001"
