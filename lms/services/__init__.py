"""Core business rules. Functions flush and send signals; they never commit and never read
``request`` (views pass what they need, e.g. the client IP)."""

from __future__ import annotations

import datetime as dt

# Dates people type (program start and deadline, an election's days) stay in a sane range: year
# 9999 would pass a form and then break date arithmetic (a deadline plus one day) and the database.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class ServiceError(ValueError):
    """A mistake a person can make and fix: ``message`` is for them (lazy-translated), ``field``
    names the form field it belongs to. Plugins subclass it for their own rules."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
