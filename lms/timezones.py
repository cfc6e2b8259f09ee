"""Indonesia's three time zones: every time a person reads is shown in the agency's zone, named.

The zone of a request is the logged-in person's agency's; a public page about one agency's record
(a certificate) switches to that agency's zone with ``use_zone``. Stored times stay UTC, and
machine-readable evidence (JSON, hashes) keeps UTC.
"""

from __future__ import annotations

import datetime as dt

from flask import g, has_app_context, has_request_context
from flask_babel import format_date, format_time, get_timezone, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user

DEFAULT_ZONE = "Asia/Jakarta"
# IANA name -> the abbreviation Indonesians read (UTC+7, +8, +9).
ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
CHOICES = [
    ("Asia/Jakarta", _l("WIB (UTC+7): Sumatra, Jawa, Kalimantan Barat dan Tengah")),
    ("Asia/Makassar", _l("WITA (UTC+8): Bali, Nusa Tenggara, Kalimantan Selatan, Timur, dan Utara, Sulawesi")),
    ("Asia/Jayapura", _l("WIT (UTC+9): Maluku dan Papua")),
]


def select_timezone() -> str:
    """Flask-Babel's timezone selector: an explicit zone for this request, else the user's agency's."""
    if not has_app_context():
        return DEFAULT_ZONE
    zone = g.get("lms_zone")  # set by use_zone, in a request or a command's app context
    if zone is None and has_request_context() and current_user and current_user.is_authenticated:
        zone = current_user.agency.timezone if current_user.agency is not None else None
    return zone if zone in ABBREVIATIONS else DEFAULT_ZONE


def use_zone(zone: str | None) -> None:
    """Show this request's times in ``zone`` (e.g. the certificate's agency on a public page)."""
    g.lms_zone = zone
    refresh()


def abbreviation(zone: str | None = None) -> str:
    return ABBREVIATIONS.get(zone or str(get_timezone()), "WIB")


def format_local(value: dt.datetime | None, fmt: str = "medium") -> str:
    """A stored UTC time in the request's zone and language, with the zone named: "4 Des 2026 09.30 WIB".
    ``fmt`` is the date's length (short, medium, long); the time is hours and minutes."""
    if value is None:
        return ""
    return f"{format_date(value, fmt)} {format_time(value, 'short')} {abbreviation()}"
