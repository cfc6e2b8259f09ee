"""The sample files offered on the import page, and employment types as people read them."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from lms.models import EmploymentType

EMPLOYMENT_LABELS = {
    EmploymentType.PNS.value: "PNS",
    EmploymentType.PPPK.value: "PPPK",
    EmploymentType.NON_ASN.value: _l("Non-ASN / PPNPN"),
}


def employment_label(value: str | None) -> str:
    return str(EMPLOYMENT_LABELS.get(value or "", value or "—"))


def _rows() -> tuple[list[str], list[list[str]]]:
    header = [_("NIP"), _("Nama"), _("E-mail"), _("Unit"), _("Jabatan"), _("Jenis")]
    rows = [
        ["199001012015011001", "Siti Rahmawati, S.Pd.", "siti@contoh.go.id", _("Bagian Umum"), _("Analis"), "PNS"],
        ["198805122019032002", "Dewi Lestari, A.Md.Kep.", "", _("Dinas Kesehatan"), _("Perawat"), "PPPK"],
        ["", "Budi Santoso", "budi@contoh.go.id", _("Bagian Umum"), _("Pengemudi"), "Non-ASN"],
    ]
    return header, rows


def sample_csv() -> bytes:
    """For Excel with Indonesian settings: UTF-8 with BOM, ``;`` between columns, each NIP as
    ``="…"`` so Excel keeps all 18 digits (the import reads it back as the digits)."""
    header, rows = _rows()
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([f'="{row[0]}"' if row[0] else "", *row[1:]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def sample_xlsx() -> bytes:
    """The NIP column formatted as text, so numbers typed into it keep every digit."""
    header, rows = _rows()
    wb = Workbook()
    ws = wb.active
    ws.title = _("Pegawai")
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for r in range(2, 1001):
        ws.cell(row=r, column=1).number_format = "@"
    for letter, width in zip("ABCDEF", (22, 28, 26, 22, 18, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
