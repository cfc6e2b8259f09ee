"""CSV and XLSX exports of the unit table and the staff list.

XLSX cells carry real types: counts are integers, shares are numbers with a percent format, dates
are dates, a NIP is text; the header row is bold and frozen, columns are sized to their content.

CSV is written for Excel as Indonesian offices run it: UTF-8 with a BOM (so names keep their
letters), a comma by default or ``;`` (``sep=semicolon``: the list separator of Indonesian regional
settings, where the decimal separator is a comma, so shares are then written with a decimal comma).
An 18-digit NIP would become 1.99E+17 in Excel, so it is written as ``="199001012015011001"``: Excel
shows the digits as text and a program reading the file gets them by dropping ``="`` and ``"``. A
leading tab or apostrophe would instead stay inside the value for every program except Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from itertools import chain, islice
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lms.dashboard.services import FigureColumn, ProgramFigures, StaffRow
from lms.timezones import abbreviation

PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TEXT_FORMAT = "@"
SEPARATORS = {"comma": ",", "semicolon": ";"}


class Text(str):
    """A value that must stay text in a spreadsheet (a NIP): never a number, never a formula."""


class Percent(float):
    """A share 0..1: a number with the percent format in XLSX, in percent units in CSV."""


def safe_filename(*parts: str, ext: str) -> str:
    stem = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", p).strip("-").lower() for p in parts if p)
    return f"{stem[:80] or 'export'}.{ext}"


def unit_table_rows(figures: ProgramFigures) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Unit kerja"),
        _("Pegawai"),
        _("Sudah mulai"),
        *[c.label for c in figures.columns],
        _("Selesai"),
        _("Persen selesai") + " (%)",
        _("Batas waktu"),
    ]
    rows = [
        [
            r.unit_name or _("(tanpa unit)"),
            r.assigned,
            r.started,
            *[r.met[c.key] for c in figures.columns],
            r.completed,
            Percent(round(r.percent, 4)),
            figures.program.deadline,
        ]
        for r in figures.rows
    ]
    return header, rows


def staff_rows(
    columns: list[FigureColumn], staff: Iterable[StaffRow], zone: str = "Asia/Jakarta"
) -> tuple[list[str], Iterable[list[Any]]]:
    """Times in the agency's zone, named in the header ("Selesai pada (WIT)")."""
    tz = ZoneInfo(zone)
    header = [
        _("Nama"),
        _("NIP"),
        _("E-mail"),
        _("Unit kerja"),
        _("Sudah mulai"),
        *[c.label for c in columns],
        _("Selesai pada (%(zone)s)", zone=abbreviation(zone)),
    ]

    def rows() -> Iterable[list[Any]]:
        yes, no = _("ya"), _("belum")
        for p in staff:
            done = p.completed_at.astimezone(tz).replace(tzinfo=None) if p.completed_at else None
            yield [
                p.name,
                Text(p.nip or ""),
                p.email or "",
                p.unit_name,
                yes if p.started else no,
                *[yes if p.met[c.key] else no for c in columns],
                done,
            ]

    return header, rows()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (a name like "=HYPERLINK(...)") is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any, decimal_comma: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, Text):
        return f'="{value}"' if value.isdigit() else _defuse(str(value))
    if isinstance(value, Percent):
        number = f"{100 * value:.1f}"
        return number.replace(".", ",") if decimal_comma else number
    if isinstance(value, float):
        return str(value).replace(".", ",") if decimal_comma else value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return _defuse(value)


def to_csv(header: list[str], rows: Iterable[list[Any]], sep: str = "comma") -> bytes:
    """UTF-8 with BOM; ``sep`` "comma" or "semicolon" (then decimals with a comma)."""
    delimiter = SEPARATORS.get(sep, ",")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v, delimiter == ";") for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def _width(value: Any) -> int:
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, Percent):
        return 7
    return len(str(value)) if value is not None else 0


def to_xlsx(title: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """Bold frozen header; widths from the header and the first 200 rows (10 to 50 characters)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Data")
    rows = iter(rows)
    sample = list(islice(rows, 200))
    for i, name in enumerate(header):
        longest = max([len(name), *(_width(r[i]) for r in sample if i < len(r))])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(longest + 2, 10), 50)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in chain(sample, rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=str(value) if isinstance(value, Text) else value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            if isinstance(value, Text):
                cell.data_type, cell.number_format = "s", TEXT_FORMAT
            elif isinstance(value, Percent):
                cell.value, cell.number_format = float(value), PERCENT_FORMAT
            elif isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
