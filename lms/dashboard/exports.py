"""CSV and XLSX exports of the unit table and the staff list. XLSX cells carry real types:
counts are integers, shares are numbers with a percent format, dates are dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from lms.dashboard.services import JAKARTA, FigureColumn, ProgramFigures, StaffRow

PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


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
        _("Persen selesai"),
        _("Batas waktu"),
    ]
    rows = [
        [
            r.unit_name or _("(tanpa unit)"),
            r.assigned,
            r.started,
            *[r.met[c.key] for c in figures.columns],
            r.completed,
            round(r.percent, 4),
            figures.program.deadline,
        ]
        for r in figures.rows
    ]
    return header, rows


def staff_rows(columns: list[FigureColumn], staff: Iterable[StaffRow]) -> tuple[list[str], Iterable[list[Any]]]:
    header = [
        _("Nama"),
        _("NIP"),
        _("E-mail"),
        _("Unit kerja"),
        _("Sudah mulai"),
        *[c.label for c in columns],
        _("Selesai pada"),
    ]

    def rows() -> Iterable[list[Any]]:
        yes, no = _("ya"), _("belum")
        for p in staff:
            done = p.completed_at.astimezone(JAKARTA).replace(tzinfo=None) if p.completed_at else None
            yield [
                p.name,
                p.nip or "",
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


def to_csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                ""
                if v is None
                else (v.isoformat(sep=" ", timespec="minutes") if isinstance(v, dt.datetime) else _defuse(v))
                for v in row
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def to_xlsx(title: str, header: list[str], rows: Iterable[list[Any]], percent_columns: tuple[int, ...] = ()) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Data")
    ws.append(header)
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            if i in percent_columns:
                cell.number_format = PERCENT_FORMAT
            elif isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
