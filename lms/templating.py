"""Template globals and filters shared by the core and plugins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app
from flask_babel import format_date, get_locale
from flask_login import current_user

from lms import menus
from lms.identity import format_nip
from lms.services.elections import kind_label
from lms.timezones import abbreviation, format_local


def days_left(deadline: dt.date, today: dt.date | None = None) -> int:
    return (deadline - (today or dt.date.today())).days


def election_name(election: Any) -> str:
    """The election's name in the visitor's language (English falls back to the Indonesian name)."""
    if str(get_locale() or "id") == "en" and election.name_en:
        return election.name_en
    return election.name


def before_stop(text: Any) -> str:
    """A name (or any text) about to be followed by a full stop: drop its own trailing dot, so
    "Dewi Lestari, A.Md.Kep." ends one sentence with one dot, not two."""
    return str(text or "").rstrip().rstrip(".")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["nip"] = format_nip
    # Long or medium dates only ("14 Desember 2026", "December 14, 2026"): never numeric (12/14/26).
    app.jinja_env.filters["date"] = lambda d, fmt="long": format_date(d, fmt) if d else ""
    app.jinja_env.filters["before_stop"] = before_stop
    app.jinja_env.filters["datetime"] = format_local  # in the agency's zone, named (WIB/WITA/WIT)
    app.jinja_env.globals["days_left"] = days_left
    app.jinja_env.globals["zone_name"] = abbreviation  # "Asia/Makassar" -> "WITA"
    app.jinja_env.globals["election_name"] = election_name
    app.jinja_env.globals["election_kind"] = kind_label
    app.extensions.setdefault("lms.menus", {s: [] for s in menus.SLOTS})
    app.jinja_env.globals["admin_menu"] = lambda agency: menus.items("agency", agency)
    app.jinja_env.globals["program_menu"] = lambda program: menus.items("program", program)
    app.jinja_env.globals["staff_menu"] = lambda agency: menus.items("staff", agency)

    @app.context_processor
    def inject() -> dict[str, object]:
        return {
            "current_locale": str(get_locale() or "id"),
            "languages": current_app.config["LANGUAGES"],
            "nav_user": current_user,
        }
