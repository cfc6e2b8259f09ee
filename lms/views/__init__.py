"""Core blueprints. Views parse a form, call one service, commit once, render or redirect."""

from __future__ import annotations

from typing import overload
from urllib.parse import urlsplit

from flask import request, url_for

from lms.converters import MAX_ID

MAX_PAGE = 1_000_000  # page * page size stays far below any integer limit


def safe_next(default_endpoint: str = "learner.home") -> str:
    """The ``next`` parameter if it is a local path, otherwise the default page."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and "\\" not in target:
        return target
    return url_for(default_endpoint)


@overload
def int_arg(name: str, default: int, *, maximum: int = MAX_ID) -> int: ...
@overload
def int_arg(name: str, default: None = None, *, maximum: int = MAX_ID) -> int | None: ...


def int_arg(name: str, default: int | None = None, *, maximum: int = MAX_ID) -> int | None:
    """A positive whole number from the query string (an id, a page), or ``default``.

    Query parameters come from links and filter forms, so one rule everywhere: a value that is
    missing, not plain ASCII digits, zero, or above ``maximum`` (by default the largest id the
    database can hold) counts as absent. It never reaches the database as an overflowing number.
    """
    raw = request.args.get(name, "")
    if not raw or len(raw) > len(str(maximum)) or not (raw.isascii() and raw.isdigit()):
        return default
    value = int(raw)
    return value if 1 <= value <= maximum else default


def page_arg(name: str = "page") -> int:
    """The page number of a list: 1 unless a sane page is asked for."""
    return int_arg(name, 1, maximum=MAX_PAGE)
