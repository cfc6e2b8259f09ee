"""Validation of Indonesian civil-servant identity numbers.

PNS NIP (18 digits):    YYYYMMDD (birth) + YYYYMM (CPNS appointment, TMT) + sex (1/2) + NNN
PPPK NI (18 digits):    YYYYMMDD (birth) + YYYY (appointment year) + CC (contracts) + sex + NNN
The two formats differ in digits 13-14, so a number is validated by employment type. No check digit
exists: a well-formed number may still not exist in BKN's records.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.models import EmploymentType

_DIGITS_18 = re.compile(r"^[0-9]{18}$")  # ASCII only: "١٩٩٠…" is not a NIP
_SEPARATORS = re.compile(r"[\s.\-]")
MIN_WORKING_AGE = 17


class IdentityNumberError(ValueError):
    """Names the part of the number that is wrong; ``str()`` is a sentence for the person."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class IdentityNumber:
    number: str
    employment_type: EmploymentType
    birth_date: dt.date
    appointment_year: int
    appointment_month: int | None
    sex: int
    sequence: int


def normalise(raw: str) -> str:
    """Strip the spaces, dots and dashes people type ("19860926 201505 1 001")."""
    return _SEPARATORS.sub("", raw or "")


def _birth_date(number: str, today: dt.date) -> dt.date:
    try:
        born = dt.date(int(number[0:4]), int(number[4:6]), int(number[6:8]))
    except ValueError:
        raise IdentityNumberError("birth_date", _l("Digit 1-8 (tanggal lahir) bukan tanggal yang benar.")) from None
    if born.year < 1900 or born > today:
        raise IdentityNumberError("birth_date", _l("Digit 1-8 (tanggal lahir) berada di luar rentang yang mungkin."))
    return born


def _check_appointment(born: dt.date, year: int, month: int, today: dt.date, part: str) -> None:
    if (year, month) > (today.year, today.month):
        raise IdentityNumberError(part, _l("Tanggal pengangkatan (TMT) berada di masa depan."))
    if year - born.year < MIN_WORKING_AGE:
        raise IdentityNumberError(part, _l("Tahun pengangkatan terlalu dekat dengan tahun lahir (usia kerja minimal)."))


def _sex_and_sequence(number: str) -> tuple[int, int]:
    sex = int(number[14])
    if sex not in (1, 2):
        raise IdentityNumberError("sex", _l("Digit ke-15 (jenis kelamin) harus 1 atau 2."))
    sequence = int(number[15:18])
    if sequence == 0:
        raise IdentityNumberError("sequence", _l("Digit 16-18 (nomor urut) harus 001 sampai 999."))
    return sex, sequence


def parse_identity_number(
    raw: str, employment_type: EmploymentType | str, today: dt.date | None = None
) -> IdentityNumber:
    """Validate a NIP (PNS) or NI PPPK and return its parts, or raise ``IdentityNumberError``."""
    today = today or dt.date.today()
    employment_type = EmploymentType(employment_type)
    number = normalise(raw)
    if not _DIGITS_18.match(number):
        raise IdentityNumberError("length", _l("Nomor harus terdiri atas tepat 18 angka."))
    born = _birth_date(number, today)
    if employment_type == EmploymentType.PPPK:
        year, contracts = int(number[8:12]), int(number[12:14])
        if contracts == 0:
            raise IdentityNumberError("contracts", _l("Digit 13-14 (jumlah kontrak PPPK) tidak boleh 00."))
        _check_appointment(born, year, 1, today, "appointment")
        month = None
    else:
        year, month = int(number[8:12]), int(number[12:14])
        if not 1 <= month <= 12:
            raise IdentityNumberError("appointment", _l("Digit 13-14 (bulan TMT CPNS) harus 01 sampai 12."))
        _check_appointment(born, year, month, today, "appointment")
    sex, sequence = _sex_and_sequence(number)
    return IdentityNumber(number, employment_type, born, year, month, sex, sequence)


def format_nip(number: str) -> str:
    """Display form with the conventional spaces: 19860926 201505 1 001."""
    if len(number) != 18:
        return number
    return f"{number[:8]} {number[8:14]} {number[14]} {number[15:]}"
