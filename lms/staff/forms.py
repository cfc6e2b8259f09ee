"""Staff forms: the staff import and the invitations page (the staff record form is
``lms.forms.StaffForm``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField

from lms.forms import Form


class UploadForm(Form):
    file = FileField(
        _l("Berkas pegawai (CSV atau XLSX)"),
        validators=[
            FileRequired(_l("Pilih berkas.")),
            FileAllowed(["csv", "xlsx", "txt"], _l("Unggah berkas CSV atau XLSX.")),
        ],
    )
    create_units = BooleanField(_l("Buat unit kerja yang belum ada"))
    submit = SubmitField(_l("Periksa berkas"))


class ConfirmImportForm(Form):
    create_units = BooleanField(_l("Buat unit kerja yang belum ada"))
    submit = SubmitField(_l("Impor sekarang"))


class InviteForm(Form):
    unit_id = SelectField(_l("Unit kerja"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Buat tautan aktivasi"))
