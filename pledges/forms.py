"""Forms of the pledges plugin (Flask-WTF, CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import Form


class SignForm(Form):
    form_token = HiddenField()
    commitments = SelectMultipleField(
        _l("Komitmen"),
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    password = PasswordField(
        _l("Kata sandi akun Anda"), validators=[Length(max=200)], render_kw={"autocomplete": "current-password"}
    )
    signature = HiddenField(_l("Tanda tangan"))  # size and format are checked by the service
    typed_name = StringField(
        _l("Atau ketik nama lengkap Anda"), validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "name"}
    )
    submit = SubmitField(_l("Tanda tangani pakta"))


class TextForm(Form):
    """A new version of an agency's pledge text."""

    key = StringField(_l("Kunci pakta"), validators=[DataRequired(), Length(max=80)])
    title_id = StringField(_l("Judul (Indonesia)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Judul (Inggris)"), validators=[DataRequired(), Length(max=200)])
    preamble_id = TextAreaField(_l("Pembukaan (Indonesia)"), validators=[DataRequired(), Length(max=4000)])
    preamble_en = TextAreaField(_l("Pembukaan (Inggris)"), validators=[DataRequired(), Length(max=4000)])
    extra_clauses = TextAreaField(_l("Butir tambahan instansi"), validators=[Optional(), Length(max=8000)])
    signer_name = StringField(_l("Nama pimpinan yang mengetahui"), validators=[Optional(), Length(max=200)])
    signer_title = StringField(_l("Jabatan pimpinan"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Simpan sebagai versi baru"))
