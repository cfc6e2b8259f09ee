"""Reading a staff file (CSV or XLSX) into rows of text, one ``{field: text}`` per data row.

The file as a whole is refused with ``ImportFileError`` (format, missing columns, a DTD in an
XLSX); checking each row's values is ``lms.staff.importer``'s job.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

XLSX_MAX_UNPACKED = 512 * 1024 * 1024  # all parts of a workbook together, once unzipped
_SPACES = re.compile(r"\s+")

# Accepted column headers (lower case, "_" read as a space), Indonesian and English.
HEADERS = {
    "nip": "nip",
    "ni pppk": "nip",
    "nip/ni pppk": "nip",
    "nomor induk": "nip",
    "nama": "name",
    "nama lengkap": "name",
    "name": "name",
    "full name": "name",
    "email": "email",
    "e-mail": "email",
    "surel": "email",
    "alamat email": "email",
    "unit": "unit",
    "unit kerja": "unit",
    "satuan kerja": "unit",
    "work unit": "unit",
    "jabatan": "position",
    "position": "position",
    "job title": "position",
    "jenis": "employment_type",
    "jenis pegawai": "employment_type",
    "status kepegawaian": "employment_type",
    "employment type": "employment_type",
    "type": "employment_type",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, missing columns)."""


def _header_key(raw: Any) -> str | None:
    text = re.sub(r"\s+", " ", str(raw or "").replace("_", " ")).strip().lower()
    return HEADERS.get(text)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a field over csv.field_size_limit(), a stray quote
            line = reader.line_num
            if "field larger than field limit" in str(exc):
                raise ImportFileError(
                    _(
                        "Baris %(line)s: satu kolom berisi lebih dari %(limit)s huruf. Periksa "
                        "tanda kutip di baris itu, atau simpan ulang berkas sebagai CSV.",
                        line=line,
                        limit=csv.field_size_limit(),
                    )
                ) from None
            raise ImportFileError(_("Baris %(line)s tidak dapat dibaca sebagai CSV.", line=line)) from None
        yield reader.line_num, row


# Markup that declares a DTD (entities, "billion laughs"), as it is written in UTF-8 or UTF-16.
_DTD_MARKS = tuple("<!DOCTYPE".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be"))


def _refuse_dtd(data: bytes) -> None:
    """An XLSX is a ZIP of XML parts; none of them has any use for a DTD. Scan every part (as
    a stream, with a cap on the unpacked size) and refuse the file if one declares a DTD, before
    any XML parser sees it. openpyxl also reads sheets through defusedxml (defence in depth)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # openpyxl says it cannot read the file
    unpacked = 0
    overlap = max(len(m) for m in _DTD_MARKS) - 1
    for info in infos:
        if info.is_dir():
            continue
        tail = b""
        try:
            with archive.open(info) as part:
                while chunk := part.read(1 << 20):
                    unpacked += len(chunk)
                    if unpacked > XLSX_MAX_UNPACKED:
                        raise ImportFileError(_("Berkas XLSX terlalu besar setelah dibuka."))
                    window = tail + chunk
                    if any(mark in window for mark in _DTD_MARKS):
                        raise ImportFileError(
                            _(
                                "Berkas XLSX ini memuat DTD (deklarasi dokumen XML) dan tidak diterima. "
                                "Buka berkas di aplikasi lembar kerja lalu simpan ulang sebagai XLSX."
                            )
                        )
                    tail = window[-overlap:]
        except ImportFileError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return  # a damaged or encrypted part: openpyxl says it cannot read the file


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    _refuse_dtd(data)
    unreadable = _("Berkas XLSX tidak dapat dibaca.")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the person's file problem
        raise ImportFileError(unreadable) from exc
    try:
        number, rows = 0, None
        while True:  # sheet XML is parsed while rows are read: a broken sheet fails here
            try:
                rows = rows or wb.worksheets[0].iter_rows(values_only=True)
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - the file's problem, not ours
                raise ImportFileError(unreadable) from exc
            number += 1
            yield number, list(row)
    finally:
        wb.close()


_EXCEL_TEXT = re.compile(r'^="([^"]*)"$')  # ="199001012015011001": how our CSV exports keep a NIP


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _SPACES.sub(" ", str(value)).strip()
    kept = _EXCEL_TEXT.match(text)
    return kept.group(1).strip() if kept else text


def read_rows(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {field: text}) for every non-empty data row."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        source = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        source = _csv_rows(data)
    else:
        raise ImportFileError(_("Unggah berkas CSV atau XLSX."))
    columns: list[str | None] | None = None
    out: list[tuple[int, dict[str, str]]] = []
    for line, raw in source:
        cells = [_cell(v) for v in raw]
        if not any(cells):
            continue
        if columns is None:
            columns = [_header_key(c) for c in cells]
            if "nip" not in columns or "name" not in columns:
                raise ImportFileError(
                    _("Baris judul harus memuat kolom NIP dan Nama (juga dikenali: E-mail, Unit, Jabatan, Jenis).")
                )
            continue
        record = {key: cells[i] for i, key in enumerate(columns) if key and i < len(cells)}
        if "nip" in columns:  # Excel keeps 15 significant digits of a number: an 18-digit NIP
            raw_nip = raw[columns.index("nip")] if columns.index("nip") < len(raw) else None
            if isinstance(raw_nip, float) or "E+" in record.get("nip", "").upper():
                record["nip_as_number"] = "1"
        out.append((line, record))
    if columns is None:
        raise ImportFileError(_("Berkas kosong."))
    return out
