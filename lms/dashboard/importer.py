"""Staff import from CSV or XLSX: parse, validate into a preview, then write everything in one go.

Built for large files (100,000 rows): existing accounts are loaded with a few chunked queries,
rows are written with Core ``executemany`` in chunks (no ORM object per row), and password
hashes stay empty (staff activate their account through a one-time link).
Services flush, never commit: the caller commits once, so a failure writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from lms.db import db, utcnow
from lms.identity import IdentityNumberError, normalise, parse_identity_number
from lms.models import Agency, EmploymentType, Role, Unit, User
from lms.services import audit

CHUNK = 5000
# The longest text each column holds (lms.models: User.name, User.position, Unit.name are
# String(200)); PostgreSQL refuses longer text where SQLite would store it.
MAX_TEXT = 200
SHOWN = 60  # at most this much of a bad value is repeated in an error message
XLSX_MAX_UNPACKED = 512 * 1024 * 1024  # all parts of a workbook together, once unzipped
STORED_ERRORS = 1000  # bad rows kept for the preview page; the count is always exact
Progress = Callable[[str, int, int], None]  # (phase, done, total)

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
EMPLOYMENT = {
    "": EmploymentType.PNS,
    "pns": EmploymentType.PNS,
    "cpns": EmploymentType.PNS,
    "pppk": EmploymentType.PPPK,
    "p3k": EmploymentType.PPPK,
    "non_asn": EmploymentType.NON_ASN,
    "non asn": EmploymentType.NON_ASN,
    "non-asn": EmploymentType.NON_ASN,
    "nonasn": EmploymentType.NON_ASN,
    "ppnpn": EmploymentType.NON_ASN,
    "honorer": EmploymentType.NON_ASN,
}
FIELDS = ("name", "email", "unit_id", "position", "employment_type")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, missing columns)."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class Preview:
    total_rows: int = 0
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)  # unknown units (create_units off)
    new_units: list[str] = field(default_factory=list)  # units that will be created
    creates: list[dict[str, Any]] = field(default_factory=list, repr=False)
    updates: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors and self.total_rows > 0

    def summary(self) -> dict[str, Any]:
        return {
            "total_rows": self.total_rows,
            "to_create": self.to_create,
            "to_update": self.to_update,
            "unchanged": self.unchanged,
            "missing_units": self.missing_units,
            "new_units": self.new_units,
            "errors": [e.as_dict() for e in self.errors[:STORED_ERRORS]],
            "error_count": len(self.errors),
        }


# --- reading ----------------------------------------------------------------------------


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
                raise ImportFileError(_(
                    "Baris %(line)s: satu kolom berisi lebih dari %(limit)s huruf. Periksa "
                    "tanda kutip di baris itu, atau simpan ulang berkas sebagai CSV.",
                    line=line, limit=csv.field_size_limit())) from None
            raise ImportFileError(_("Baris %(line)s tidak dapat dibaca sebagai CSV.", line=line)) \
                from None
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
                        raise ImportFileError(_(
                            "Berkas XLSX ini memuat DTD (deklarasi dokumen XML) dan tidak diterima. "
                            "Buka berkas di aplikasi lembar kerja lalu simpan ulang sebagai XLSX."))
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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value)).strip()


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
                    _(
                        "Baris judul harus memuat kolom NIP dan Nama (juga dikenali: E-mail, Unit, "
                        "Jabatan, Jenis)."
                    )
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


# --- validating ----------------------------------------------------------------------------


# A plain ASCII dot-atom local part (RFC 5322): the common case, checked without the full validator.
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_SPACES = re.compile(r"\s+")


def _check_email(raw: str, domains: dict[str, str | None]) -> str | None:
    """Normalised lower-case address, or None. email-validator (no DNS) runs once per domain;
    local parts that are not plain ASCII dot-atoms go through the full validator."""
    local, at, domain = raw.rpartition("@")
    if at and len(local) <= 64 and len(raw) <= 254 and _LOCAL_PART.match(local):
        key = domain.lower()
        if key not in domains:
            try:
                domains[key] = validate_email(f"a@{domain}", check_deliverability=False).domain
            except EmailNotValidError:
                domains[key] = None
        normal = domains[key]
        return f"{local}@{normal}".lower() if normal else None
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


# Imported fields as columns are named in error messages, with the longest text each may hold.
# The NIP and e-mail have their own, stricter checks; a longer value is refused here already.
_COLUMNS = {
    "nip": ("nip", 30),
    "name": ("nama", MAX_TEXT),
    "email": ("email", 254),
    "unit": ("unit", MAX_TEXT),
    "position": ("jabatan", MAX_TEXT),
    "employment_type": ("jenis", 40),
}


def _shown(value: str) -> str:
    """A value as repeated in an error message: never the whole of a huge cell."""
    return value if len(value) <= SHOWN else value[:SHOWN] + "\u2026"


def _unstorable(line: int, rec: dict[str, str]) -> list[RowError]:
    """Cells the database cannot store: NUL characters (PostgreSQL refuses them in text) and
    text longer than its column (PostgreSQL refuses it; SQLite would silently keep it)."""
    found = []
    for key, (column, limit) in _COLUMNS.items():
        value = rec.get(key, "")
        if "\x00" in value:
            found.append(RowError(line, column, _(
                "Kolom ini memuat karakter NUL (kode 0), yang tidak dapat disimpan. Hapus "
                "karakter itu, atau simpan ulang berkas dari aplikasi lembar kerja.")))
        elif len(value) > limit:
            found.append(RowError(line, column, _(
                "Isian terlalu panjang: %(length)s huruf, paling banyak %(limit)s.",
                length=len(value), limit=limit)))
    return found


def _unit_key(name: str) -> str:
    return _SPACES.sub(" ", name).strip().casefold()


def _load_existing(nips: list[str], emails: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    cols = (
        User.id,
        User.agency_id,
        User.nip,
        User.email,
        User.name,
        User.unit_id,
        User.position,
        User.employment_type,
    )
    by_nip: dict[str, Any] = {}
    by_email: dict[str, Any] = {}
    pg = db.session.connection().dialect.name == "postgresql"
    for values, column, target in ((nips, User.nip, by_nip), (emails, User.email, by_email)):
        if pg:  # one query with an array parameter: = ANY(%s)
            condition = column == any_(bindparam("values", values, type_=ARRAY(String)))
            batches = [db.session.execute(select(*cols).where(condition))]
        else:  # SQLite: chunks of bound parameters
            batches = (
                db.session.execute(select(*cols).where(column.in_(values[i : i + CHUNK])))
                for i in range(0, len(values), CHUNK)
            )
        for batch in batches:
            for row in batch:
                target[row.nip if target is by_nip else row.email.lower()] = row
    return by_nip, by_email


def build_preview(
    agency: Agency,
    filename: str,
    data: bytes,
    create_units: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Preview:
    """Validate every row and sort it into create / update / unchanged; collect every bad row.
    Outside a request (command line, worker thread) messages use the default language."""
    if has_request_context():
        return _build_preview(agency, filename, data, create_units, progress, today)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _build_preview(agency, filename, data, create_units, progress, today)


def _build_preview(
    agency: Agency,
    filename: str,
    data: bytes,
    create_units: bool,
    progress: Progress | None,
    today: dt.date | None,
) -> Preview:
    rows = read_rows(filename, data)
    today = today or dt.date.today()
    preview = Preview(total_rows=len(rows))
    units = {
        _unit_key(name): (uid, name)
        for uid, name in db.session.execute(
            select(Unit.id, Unit.name).where(Unit.agency_id == agency.id)
        )
    }
    missing: dict[str, str] = {}
    seen_nip: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    email_cache: dict[str, str | None] = {}
    clean: list[tuple[int, dict[str, Any]]] = []
    errors = preview.errors

    for n, (line, rec) in enumerate(rows, start=1):
        if progress and n % CHUNK == 0:
            progress("validate", n, len(rows))
        row_errors = len(errors)
        unsafe = _unstorable(line, rec)
        if unsafe:  # NUL or over-long text: nothing else of the row is worth checking
            errors.extend(unsafe)
            continue
        name = rec.get("name", "")
        if not name:
            errors.append(RowError(line, "nama", _("Nama wajib diisi.")))
        etype = EMPLOYMENT.get(rec.get("employment_type", "").strip().lower())
        if etype is None:
            errors.append(
                RowError(
                    line,
                    "jenis",
                    _(
                        'Jenis pegawai "%(v)s" tidak dikenal (PNS, PPPK atau NON_ASN).',
                        v=_shown(rec.get("employment_type", "")),
                    ),
                )
            )
        nip = normalise(rec.get("nip", ""))
        if etype == EmploymentType.NON_ASN:
            if nip:
                errors.append(
                    RowError(
                        line, "nip", _("Pegawai non-ASN tidak memiliki NIP; kosongkan kolom NIP.")
                    )
                )
        elif etype is not None:
            if not nip:
                errors.append(RowError(line, "nip", _("NIP wajib diisi untuk PNS dan PPPK.")))
            elif rec.get("nip_as_number"):
                errors.append(
                    RowError(
                        line,
                        "nip",
                        _(
                            "NIP tersimpan sebagai angka sehingga digit terakhirnya hilang. "
                            "Format kolom NIP sebagai Teks di lembar kerja, lalu isi ulang "
                            "NIP-nya."
                        ),
                    )
                )
            else:
                try:
                    parse_identity_number(nip, etype, today)
                except IdentityNumberError as exc:
                    errors.append(
                        RowError(line, "nip", _("NIP tidak valid: %(reason)s", reason=str(exc)))
                    )
        if nip and not any(e.column == "nip" for e in errors[row_errors:]):
            if nip in seen_nip:
                errors.append(
                    RowError(
                        line,
                        "nip",
                        _(
                            "NIP %(nip)s sudah ada di baris %(first)s.",
                            nip=nip,
                            first=seen_nip[nip],
                        ),
                    )
                )
            else:
                seen_nip[nip] = line
        email_raw = rec.get("email", "")
        email = None
        if email_raw:
            email = _check_email(email_raw, email_cache)
            if email is None:
                errors.append(
                    RowError(line, "email", _('Alamat e-mail "%(v)s" tidak valid.',
                                              v=_shown(email_raw)))
                )
            elif email in seen_email:
                errors.append(
                    RowError(
                        line,
                        "email",
                        _(
                            "E-mail %(email)s sudah ada di baris %(first)s.",
                            email=email,
                            first=seen_email[email],
                        ),
                    )
                )
            else:
                seen_email[email] = line
        elif etype == EmploymentType.NON_ASN:
            errors.append(
                RowError(line, "email", _("Pegawai non-ASN wajib punya e-mail untuk masuk."))
            )
        unit_name = rec.get("unit", "")
        unit_key = _unit_key(unit_name) if unit_name else None
        if unit_key and unit_key not in units:
            if create_units:
                missing.setdefault(unit_key, unit_name)
            else:
                missing.setdefault(unit_key, unit_name)
                errors.append(
                    RowError(line, "unit", _('Unit kerja "%(v)s" belum ada.', v=_shown(unit_name)))
                )
        if len(errors) == row_errors:
            clean.append(
                (
                    line,
                    {
                        "nip": nip or None,
                        "name": name,
                        "email": email,
                        "unit_key": unit_key,
                        "position": rec.get("position") or None,
                        "employment_type": etype,
                    },
                )
            )

    by_nip, by_email = _load_existing(list(seen_nip), list(seen_email))
    now = utcnow()
    for line, row in clean:
        existing = by_nip.get(row["nip"]) if row["nip"] else by_email.get(row["email"])
        if existing is not None and existing.agency_id != agency.id:
            column = "nip" if row["nip"] else "email"
            errors.append(
                RowError(
                    line,
                    column,
                    _("NIP ini terdaftar di instansi lain.")
                    if row["nip"]
                    else _("E-mail ini dipakai akun di instansi lain."),
                )
            )
            continue
        if row["email"]:
            owner = by_email.get(row["email"])
            if owner is not None and (existing is None or owner.id != existing.id):
                errors.append(RowError(line, "email", _("E-mail ini sudah dipakai akun lain.")))
                continue
        unit_key = row.pop("unit_key")
        unit_id = units[unit_key][0] if unit_key in units else None
        if existing is None:
            row.update(
                agency_id=agency.id,
                unit_id=unit_id,
                _unit=unit_key,
                role=Role.LEARNER,
                active=True,
                created_at=now,
                password_hash=None,
            )
            preview.creates.append(row)
            continue
        wanted = {
            "name": row["name"],
            "email": row["email"] or existing.email,
            "unit_id": unit_id if unit_key else existing.unit_id,
            "position": row["position"] or existing.position,
            "employment_type": row["employment_type"],
        }
        if unit_key and unit_key not in units:  # goes into a unit created by this import
            wanted["unit_id"] = None
        current = {f: getattr(existing, f) for f in FIELDS}
        if wanted != current or (unit_key and unit_key not in units):
            wanted.update(b_id=existing.id, _unit=unit_key if unit_key not in units else None)
            preview.updates.append(wanted)
        else:
            preview.unchanged += 1
    if create_units:
        preview.new_units = sorted(missing.values(), key=str.casefold)
    else:
        preview.missing_units = sorted(missing.values(), key=str.casefold)
    errors.sort(key=lambda e: e.line)
    preview.to_create, preview.to_update = len(preview.creates), len(preview.updates)
    if progress:
        progress("validate", len(rows), len(rows))
    return preview


# --- writing ----------------------------------------------------------------------------


COPY_COLUMNS = (
    "agency_id",
    "unit_id",
    "role",
    "employment_type",
    "nip",
    "email",
    "name",
    "position",
    "active",
    "created_at",
)


def _copy_users(rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY the new rows on the session's own connection (same transaction)."""
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY users ({', '.join(COPY_COLUMNS)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(
                tuple(
                    row[c].value if c in ("role", "employment_type") else row[c]
                    for c in COPY_COLUMNS
                )
            )


class ImportRefused(ValueError):
    pass


def apply_import(
    agency: Agency,
    preview: Preview,
    actor: User | None,
    ip: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write a valid preview: units first, then new and changed staff. All or nothing: the caller
    commits once; any error leaves nothing written."""
    if preview.errors:
        raise ImportRefused(_l("Berkas masih memuat baris yang salah; tidak ada yang disimpan."))
    created_units = 0
    unit_ids: dict[str, int] = {}
    if preview.new_units:
        now = utcnow()
        db.session.execute(
            insert(Unit.__table__),
            [
                {"agency_id": agency.id, "name": name, "created_at": now}
                for name in preview.new_units
            ],
        )
        created_units = len(preview.new_units)
        unit_ids = {
            _unit_key(name): uid
            for uid, name in db.session.execute(
                select(Unit.id, Unit.name).where(Unit.agency_id == agency.id)
            )
        }
    table = User.__table__
    pg = db.session.connection().dialect.name == "postgresql"
    total = len(preview.creates) + len(preview.updates)
    done = 0
    for i in range(0, len(preview.creates), CHUNK):
        chunk = preview.creates[i : i + CHUNK]
        for row in chunk:
            key = row.pop("_unit", None)
            if key and row["unit_id"] is None:
                row["unit_id"] = unit_ids.get(key)
        if pg:
            _copy_users(chunk)
        else:
            db.session.execute(insert(table), chunk)
        done += len(chunk)
        if progress:
            progress("write", done, total)
    if preview.updates:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({f: bindparam(f) for f in FIELDS})
        )
        for i in range(0, len(preview.updates), CHUNK):
            chunk = preview.updates[i : i + CHUNK]
            for row in chunk:
                key = row.pop("_unit", None)
                if key:
                    row["unit_id"] = unit_ids.get(key)
            db.session.connection().execute(stmt, chunk)
            done += len(chunk)
            if progress:
                progress("write", done, total)
    counts = {
        "created": preview.to_create,
        "updated": preview.to_update,
        "unchanged": preview.unchanged,
        "units_created": created_units,
    }
    audit.record(
        "staff.imported",
        actor=actor,
        agency_id=agency.id,
        target_type="agency",
        target_id=agency.id,
        ip=ip,
        **counts,
    )
    db.session.flush()
    return counts
