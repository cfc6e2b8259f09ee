"""Forms of the certificates plugin."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.forms import FiniteNumber, Form


class CodeForm(Form):
    class Meta:
        csrf = False  # a GET form that only redirects

    code = StringField(
        _l("Kode sertifikat"),
        validators=[DataRequired(), Length(max=80)],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Periksa"))


class PdfCheckForm(Form):
    pdf = FileField(
        _l("Berkas PDF sertifikat"), validators=[FileRequired()], render_kw={"accept": "application/pdf,.pdf"}
    )
    submit = SubmitField(_l("Bandingkan berkas"))


class NipCheckForm(Form):
    nip = StringField(
        _l("NIP pemegang sertifikat"),
        validators=[DataRequired(), Length(max=30), Regexp(r"^[\d\s.]+$", message=_l("NIP hanya berisi angka."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Cocokkan NIP"))


class RevokeForm(Form):
    reason = TextAreaField(_l("Alasan pencabutan"), validators=[DataRequired(), Length(min=5, max=1000)])
    confirm = BooleanField(
        _l("Saya sudah memeriksa pemegangnya dan yakin mencabut sertifikat ini."),
        validators=[DataRequired(message=_l("Centang konfirmasi untuk mencabut sertifikat."))],
    )
    submit = SubmitField(_l("Cabut sertifikat"))


class PostForm(Form):
    """A button that only needs CSRF protection."""

    submit = SubmitField(_l("Kirim"))


class FilterForm(Form):
    class Meta:
        csrf = False

    program = SelectField(_l("Program"), coerce=str, validators=[Optional()])
    unit = SelectField(_l("Unit kerja"), coerce=str, validators=[Optional()])
    status = SelectField(
        _l("Status"),
        coerce=str,
        validators=[Optional()],
        choices=[
            ("", _l("Semua")),
            ("valid", _l("Sah")),
            ("revoked", _l("Dicabut")),
            ("superseded", _l("Diganti")),
            ("expired", _l("Kedaluwarsa")),
        ],
    )
    q = StringField(_l("Nama"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Saring"))


class UploadField(FileField):
    """A file input that holds only what was uploaded with this request: never the stored bytes
    of a model passed as ``obj`` (the design's saved logo is bytes, not an upload)."""

    def process_data(self, value: object) -> None:
        self.data = None


HEX = Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Gunakan bentuk #RRGGBB, misalnya #0b5d3b."))


class DesignForm(Form):
    """The agency's certificate design."""

    title_id = StringField(_l("Judul (Bahasa Indonesia)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Judul (English)"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Bahasa sertifikat"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    primary_color = StringField(_l("Warna utama"), validators=[DataRequired(), HEX], render_kw={"type": "color"})
    accent_color = StringField(_l("Warna aksen"), validators=[DataRequired(), HEX], render_kw={"type": "color"})
    signer_name = StringField(_l("Nama penanda tangan"), validators=[Optional(), Length(max=200)])
    signer_title = StringField(_l("Jabatan penanda tangan"), validators=[Optional(), Length(max=200)])
    jp_hours = DecimalField(
        _l("Jumlah JP (kosongkan untuk menjumlah dari modul)"),
        validators=[Optional(), FiniteNumber(), NumberRange(min=0.5, max=1000)],
        places=1,
    )
    logo = UploadField(_l("Logo (PNG atau SVG)"), render_kw={"accept": "image/png,image/svg+xml"})
    remove_logo = BooleanField(_l("Hapus logo sendiri (pakai logo instansi)"))
    signature = UploadField(_l("Gambar tanda tangan (PNG)"), render_kw={"accept": "image/png"})
    remove_signature = BooleanField(_l("Hapus gambar tanda tangan"))
    submit = SubmitField(_l("Simpan desain"))
