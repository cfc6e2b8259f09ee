"""Validating one row of a staff file, on its own and against the rows before it in the file.

``validate_row`` turns a row of text (``lms.staff.reading``) into clean values or into errors
that name the line and the column; it never looks at the database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from lms.identity import IdentityNumberError, normalise, parse_identity_number
from lms.models import EmploymentType

# The longest text each column holds (lms.models: User.name, User.position, Unit.name are
# String(200)); PostgreSQL refuses longer text where SQLite would store it.
MAX_TEXT = 200
SHOWN = 60  # at most this much of a bad value is repeated in an error message

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
    "non-asn / ppnpn": EmploymentType.NON_ASN,
    "non-asn/ppnpn": EmploymentType.NON_ASN,
    "honorer": EmploymentType.NON_ASN,
}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class FileState:
    """What validating a row needs beyond the row: the agency's units, and what the rows before
    it in the file hold (their NIPs and e-mails, with the line each first appeared on)."""

    units: dict[str, tuple[int, str]]  # unit key -> (id, name) of the agency's existing units
    create_units: bool
    today: dt.date
    missing: dict[str, str] = field(default_factory=dict)  # unknown unit key -> name as written
    nips: dict[str, int] = field(default_factory=dict)
    emails: dict[str, int] = field(default_factory=dict)
    domains: dict[str, str | None] = field(default_factory=dict)  # checked e-mail domains


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
            found.append(
                RowError(
                    line,
                    column,
                    _(
                        "Kolom ini memuat karakter NUL (kode 0), yang tidak dapat disimpan. Hapus "
                        "karakter itu, atau simpan ulang berkas dari aplikasi lembar kerja."
                    ),
                )
            )
        elif len(value) > limit:
            found.append(
                RowError(
                    line,
                    column,
                    _(
                        "Isian terlalu panjang: %(length)s huruf, paling banyak %(limit)s.",
                        length=len(value),
                        limit=limit,
                    ),
                )
            )
    return found


def unit_key(name: str) -> str:
    """A unit name as compared: spaces collapsed, case folded."""
    return _SPACES.sub(" ", name).strip().casefold()


def validate_row(line: int, rec: dict[str, str], state: FileState) -> tuple[list[RowError], dict[str, Any] | None]:
    """Check one row on its own and against the rows before it: its errors, or its clean values
    (``unit_key`` names the unit; the row's NIP and e-mail are remembered in ``state``)."""
    unsafe = _unstorable(line, rec)
    if unsafe:  # NUL or over-long text: nothing else of the row is worth checking
        return unsafe, None
    errors: list[RowError] = []
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
                    'Jenis pegawai "%(v)s" tidak dikenal (PNS, PPPK atau Non-ASN).',
                    v=_shown(rec.get("employment_type", "")),
                ),
            )
        )
    nip = _check_nip(line, rec, etype, state, errors)
    email = _check_row_email(line, rec, etype, state, errors)
    unit = _check_unit(line, rec, state, errors)
    if errors:
        return errors, None
    return [], {
        "nip": nip or None,
        "name": name,
        "email": email,
        "unit_key": unit,
        "position": rec.get("position") or None,
        "employment_type": etype,
    }


def _check_nip(
    line: int, rec: dict[str, str], etype: EmploymentType | None, state: FileState, errors: list[RowError]
) -> str:
    """The row's NIP, normalised; a bad or repeated NIP adds an error."""
    nip = normalise(rec.get("nip", ""))
    before = len(errors)
    if etype == EmploymentType.NON_ASN:
        if nip:
            errors.append(RowError(line, "nip", _("Pegawai non-ASN tidak memiliki NIP; kosongkan kolom NIP.")))
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
                parse_identity_number(nip, etype, state.today)
            except IdentityNumberError as exc:
                errors.append(RowError(line, "nip", _("NIP tidak valid: %(reason)s", reason=str(exc))))
    if nip and len(errors) == before:
        if nip in state.nips:
            errors.append(
                RowError(line, "nip", _("NIP %(nip)s sudah ada di baris %(first)s.", nip=nip, first=state.nips[nip]))
            )
        else:
            state.nips[nip] = line
    return nip


def _check_row_email(
    line: int, rec: dict[str, str], etype: EmploymentType | None, state: FileState, errors: list[RowError]
) -> str | None:
    """The row's e-mail, normalised, or None; a bad, repeated or missing (non-ASN) one adds an
    error."""
    email_raw = rec.get("email", "")
    if not email_raw:
        if etype == EmploymentType.NON_ASN:
            errors.append(RowError(line, "email", _("Pegawai non-ASN wajib punya e-mail untuk masuk.")))
        return None
    email = _check_email(email_raw, state.domains)
    if email is None:
        errors.append(RowError(line, "email", _('Alamat e-mail "%(v)s" tidak valid.', v=_shown(email_raw))))
    elif email in state.emails:
        errors.append(
            RowError(
                line,
                "email",
                _("E-mail %(email)s sudah ada di baris %(first)s.", email=email, first=state.emails[email]),
            )
        )
    else:
        state.emails[email] = line
    return email


def _check_unit(line: int, rec: dict[str, str], state: FileState, errors: list[RowError]) -> str | None:
    """The key of the row's unit, or None; an unknown unit is noted, and is an error unless the
    import creates units."""
    unit_name = rec.get("unit", "")
    if not unit_name:
        return None
    key = unit_key(unit_name)
    if key not in state.units:
        state.missing.setdefault(key, unit_name)
        if not state.create_units:
            errors.append(RowError(line, "unit", _('Unit kerja "%(v)s" belum ada.', v=_shown(unit_name))))
    return key
