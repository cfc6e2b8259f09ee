"""Times are read in the agency's zone (WIB, WITA, WIT), named, in the page's language."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_login import login_user

from lms.db import db
from lms.models import User
from lms.timezones import format_local, use_zone

NOON_UTC = dt.datetime(2026, 12, 4, 5, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "zone, shown",
    [("Asia/Jakarta", "12.30 WIB"), ("Asia/Makassar", "13.30 WITA"), ("Asia/Jayapura", "14.30 WIT")],
)
def test_a_stored_utc_time_is_shown_in_the_users_agency_zone(app, make, zone, shown):
    agency = make.agency(timezone=zone)
    user = make.user(agency)
    with app.test_request_context("/", headers={"Accept-Language": "id"}):
        login_user(db.session.get(User, user.id))
        text = format_local(NOON_UTC)
    assert text.endswith(shown) and "2026" in text and "Des" in text


def test_public_pages_switch_to_the_records_agency_zone_and_english_dates_are_not_us_style(app):
    with app.test_request_context("/?lang=en", headers={"Accept-Language": "en"}):
        use_zone("Asia/Jayapura")
        text = format_local(NOON_UTC, "long")
    assert "WIT" in text and "2:30" in text and "12/4/26" not in text


def test_an_unknown_zone_falls_back_to_wib(app, make):
    user = make.user(make.agency(timezone="Europe/Paris"))
    with app.test_request_context("/"):
        login_user(db.session.get(User, user.id))
        assert format_local(NOON_UTC).endswith("WIB")
