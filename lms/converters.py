"""URL converters registered app-wide (``URL_CONVERTERS``), for the core and every plugin.

The database stores ids as signed 64-bit integers: a larger number in a URL would overflow the
query (a 500 on PostgreSQL). The ``int`` converter therefore only matches ids the database can
hold, 1 to 2^63 - 1, written with ASCII digits. Text parameters (``string``, ``path``) never
match a NUL character, which PostgreSQL refuses in text. Anything else is no route: a 404.
"""

from __future__ import annotations

import builtins
from typing import Any

from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter, ValidationError

MAX_ID = 2**63 - 1  # the largest BIGINT (and SQLite INTEGER)


class IdConverter(IntegerConverter):
    """``<int:...>`` limited to 1..2^63-1 in ASCII digits (at most 19 of them); a rule may narrow
    the range further with ``min``/``max`` but never widen it or allow a sign."""

    regex = r"[0-9]{1,19}"

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False
    ) -> None:
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=1 if min is None else builtins.max(min, 1),
            max=MAX_ID if max is None else builtins.min(max, MAX_ID),
        )


class TextConverter(UnicodeConverter):
    """The default ``<name>`` / ``<string:name>``, without NUL."""

    def to_python(self, value: str) -> Any:
        if "\x00" in value:
            raise ValidationError()
        return value


class NoNulPathConverter(PathConverter):
    """``<path:name>`` without NUL."""

    def to_python(self, value: str) -> Any:
        if "\x00" in value:
            raise ValidationError()
        return value


URL_CONVERTERS: dict[str, type] = {
    "int": IdConverter,
    "default": TextConverter,
    "string": TextConverter,
    "path": NoNulPathConverter,
}
