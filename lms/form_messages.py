"""WTForms' and Flask-WTF's own validation messages through the app's Babel catalogue.

WTForms ships English messages and no Indonesian catalogue, so an Indonesian page showed "This field
is required." Each message is mapped here to an Indonesian source string (``_l``), which the core
catalogue translates back to English on English pages. Forms get it by subclassing ``lms.forms.Form``
(``Meta.get_translations``); a message not listed stays as WTForms wrote it.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

# WTForms' English message -> the Indonesian source string of the app's catalogue.
MESSAGES = {
    "This field is required.": _l("Wajib diisi."),
    "Invalid input.": _l("Isian tidak sah."),
    "Invalid email address.": _l("Alamat e-mail tidak sah."),
    "Invalid URL.": _l("Alamat web tidak sah."),
    "Field must be equal to %(other_name)s.": _l("Isian harus sama dengan %(other_name)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Isian harus %(min)d sampai %(max)d karakter."),
    "Number must be at least %(min)s.": _l("Angka minimal %(min)s."),
    "Number must be at most %(max)s.": _l("Angka maksimal %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Angka harus antara %(min)s dan %(max)s."),
    "Date must be at least %(min)s.": _l("Tanggal paling awal %(min)s."),
    "Date must be at most %(max)s.": _l("Tanggal paling akhir %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Tanggal harus antara %(min)s dan %(max)s."),
    "Invalid value, must be one of: %(values)s.": _l("Isian tidak sah; pilih salah satu: %(values)s."),
    "Invalid CSRF Token.": _l("Formulir tidak sah. Muat ulang halaman lalu kirim lagi."),
    "CSRF token missing.": _l("Formulir tidak sah. Muat ulang halaman lalu kirim lagi."),
    "CSRF failed.": _l("Formulir tidak sah. Muat ulang halaman lalu kirim lagi."),
    "CSRF token expired.": _l("Formulir sudah kedaluwarsa. Muat ulang halaman lalu kirim lagi."),
    "The CSRF token is missing.": _l("Formulir tidak sah. Muat ulang halaman lalu kirim lagi."),
    "The CSRF token is invalid.": _l("Formulir tidak sah. Muat ulang halaman lalu kirim lagi."),
    "The CSRF token has expired.": _l("Formulir sudah kedaluwarsa. Muat ulang halaman lalu kirim lagi."),
    "The CSRF tokens do not match.": _l("Formulir tidak sah. Muat ulang halaman lalu kirim lagi."),
    "Invalid Choice: could not coerce.": _l("Pilihan tidak sah."),
    "Not a valid choice.": _l("Pilihan tidak sah."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Ada pilihan yang tidak sah."),
    "Not a valid datetime value.": _l("Tanggal dan jam tidak sah."),
    "Not a valid date value.": _l("Tanggal tidak sah; gunakan pemilih tanggal."),
    "Not a valid time value.": _l("Jam tidak sah."),
    "Not a valid integer value.": _l("Isi bilangan bulat."),
    "Not a valid decimal value.": _l("Isi sebuah angka."),
    "Not a valid float value.": _l("Isi sebuah angka."),
    "This field cannot be edited.": _l("Isian ini tidak dapat diubah."),
    "This field is disabled and cannot have a value.": _l("Isian ini dinonaktifkan."),
}

# Messages with a plural form, keyed by WTForms' singular; n is the length WTForms names.
PLURALS = {
    "Field must be at least %(min)d character long.": lambda n: ngettext(
        "Minimal %(num)d karakter.", "Minimal %(num)d karakter.", n
    ),
    "Field cannot be longer than %(max)d character.": lambda n: ngettext(
        "Maksimal %(num)d karakter.", "Maksimal %(num)d karakter.", n
    ),
    "Field must be exactly %(max)d character long.": lambda n: ngettext(
        "Harus tepat %(num)d karakter.", "Harus tepat %(num)d karakter.", n
    ),
}


class Translations:
    """The ``gettext``/``ngettext`` object WTForms asks for (``Meta.get_translations``)."""

    def gettext(self, string: str) -> str:
        message = MESSAGES.get(string)
        return str(message) if message is not None else gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        message = PLURALS.get(singular)
        if message is None:
            return singular if n == 1 else plural
        return message(n).replace("%", "%%")  # WTForms applies its own "%" formatting next


TRANSLATIONS = Translations()
