"""Core Flask-WTF forms. Labels are lazy so they follow the visitor's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from lms import timezones
from lms.form_messages import TRANSLATIONS
from lms.models import ElectionKind, EmploymentType, ProgramStatus
from lms.services import EARLIEST_DATE, LATEST_DATE, ServiceError

DATE_RANGE_ATTRS = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}


class Form(FlaskForm):
    """Base of every form: WTForms' own messages (required, length, e-mail, choice, date) in the
    page's language through the app's catalogue. Plugins' forms should subclass it too."""

    class Meta:
        def get_translations(self, form: Any) -> Any:
            return TRANSLATIONS


def show_service_error(form: FlaskForm, error: ServiceError, fallback: str) -> None:
    """Put a service's error on the field it names (``fallback`` when it names none of this form's
    fields), so the page shows it next to what the person has to change."""
    field = form._fields.get(error.field or "") or form._fields[fallback]
    field.errors = [*field.errors, str(error)]


class SaneDate:
    """Validator: the date lies between ``EARLIEST_DATE`` and ``LATEST_DATE``."""

    def __call__(self, form: FlaskForm, field: DateField) -> None:
        if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
            raise ValidationError(
                _l("Isi tanggal antara tahun %(first)s dan %(last)s.", first=EARLIEST_DATE.year, last=LATEST_DATE.year)
            )


class FiniteNumber:
    """Validator for DecimalField, before NumberRange: refuses NaN and infinities ("sNaN" made
    NumberRange raise a plain ValueError, a 500)."""

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if isinstance(field.data, Decimal) and not field.data.is_finite():
            field.data = None  # never rendered back (quantize fails on NaN)
            raise StopValidation(_l("Isi sebuah angka."))


class LoginForm(Form):
    identifier = StringField(
        _l("NIP atau e-mail"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "off"},
    )
    password = PasswordField(
        _l("Kata sandi"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "current-password"}
    )
    submit = SubmitField(_l("Masuk"))


class SetPasswordForm(Form):
    password = PasswordField(
        _l("Kata sandi baru"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[DataRequired(), EqualTo("password", message=_l("Kedua kata sandi tidak sama."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Simpan kata sandi"))


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        _l("Kata sandi saat ini"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Kirim tautan"))


class LanguageForm(Form):
    lang = SelectField(_l("Bahasa"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])


class PostForm(Form):
    """An empty form: for buttons that change state (deactivate, send link), CSRF only."""


class AgencyForm(Form):
    code = StringField(
        _l("Kode instansi"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", message=_l("Gunakan huruf, angka, - atau _ saja.")),
        ],
    )
    name = StringField(_l("Nama instansi"), validators=[DataRequired(), Length(max=200)])
    head_name = StringField(_l("Nama pimpinan"), validators=[Optional(), Length(max=200)])
    head_title = StringField(_l("Jabatan pimpinan"), validators=[Optional(), Length(max=200)])
    logo = FileField(
        _l("Logo (PNG atau SVG, maks. 512 KB)"),
        validators=[
            FileAllowed(["png", "svg"], _l("Logo harus berkas PNG atau SVG.")),
            FileSize(max_size=512 * 1024, message=_l("Logo maksimal 512 KB.")),
        ],
    )
    timezone = SelectField(
        _l("Zona waktu"),
        choices=timezones.CHOICES,
        default=timezones.DEFAULT_ZONE,
        validate_choice=False,  # the service refuses any other zone, on this field
    )
    admin_name = StringField(_l("Nama admin pertama"), validators=[Optional(), Length(max=200)])
    admin_email = EmailField(_l("E-mail admin pertama"), validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField(_l("Simpan"))


class AgencyEditForm(AgencyForm):
    """Editing an agency: the code stays, the first admin is added on the admins page."""

    code = None
    admin_name = None
    admin_email = None


class UnitForm(Form):
    name = StringField(_l("Nama unit kerja"), validators=[DataRequired(), Length(max=200)])
    parent_id = SelectField(_l("Induk unit"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Simpan unit"))


class StaffForm(Form):
    name = StringField(_l("Nama lengkap (dengan gelar)"), validators=[DataRequired(), Length(max=200)])
    employment_type = SelectField(
        _l("Jenis pegawai"),
        choices=[
            (EmploymentType.PNS.value, "PNS"),
            (EmploymentType.PPPK.value, "PPPK"),
            (EmploymentType.NON_ASN.value, _l("Non-ASN (PPNPN)")),
        ],
    )
    nip = StringField(_l("NIP / NI PPPK"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "numeric"})
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)])
    unit_id = SelectField(_l("Unit kerja"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Simpan pegawai"))


class ProgramForm(Form):
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=200)])
    election_id = SelectField(_l("Pemilihan"), coerce=int, validators=[DataRequired()])
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), Length(max=4000)])
    starts_on = DateField(_l("Mulai"), validators=[DataRequired(), SaneDate()], render_kw=DATE_RANGE_ATTRS)
    deadline = DateField(_l("Batas waktu"), validators=[DataRequired(), SaneDate()], render_kw=DATE_RANGE_ATTRS)
    status = SelectField(
        _l("Status"),
        choices=[
            (ProgramStatus.DRAFT.value, _l("Draf")),
            (ProgramStatus.OPEN.value, _l("Dibuka")),
            (ProgramStatus.CLOSED.value, _l("Ditutup")),
        ],
    )
    unit_ids = SelectMultipleField(_l("Unit sasaran (kosongkan untuk semua unit)"), coerce=int)
    requirements = SelectMultipleField(_l("Persyaratan"))
    submit = SubmitField(_l("Simpan program"))


class ElectionForm(Form):
    kind = SelectField(
        _l("Jenis pemilihan"),
        choices=[
            (ElectionKind.PEMILU.value, _l("Pemilu (nasional)")),
            (ElectionKind.PILKADA_SERENTAK.value, _l("Pilkada serentak")),
            (ElectionKind.PILKADA_ULANG.value, _l("Pilkada ulang / pemungutan suara ulang")),
        ],
    )
    # required, checked by the service with a message that says what to write
    name = StringField(_l("Nama pemilihan (bahasa Indonesia)"), validators=[Length(max=200)])
    name_en = StringField(
        _l("Nama pemilihan dalam bahasa Inggris (opsional)"), validators=[Optional(), Length(max=200)]
    )
    voting_day = DateField(
        _l("Hari pemungutan suara"),
        validators=[DataRequired(_l("Isi hari pemungutan suara (tanggal yang sah).")), SaneDate()],
        render_kw=DATE_RANGE_ATTRS,
    )
    campaign_starts_on = DateField(
        _l("Awal masa kampanye"), validators=[Optional(), SaneDate()], render_kw=DATE_RANGE_ATTRS
    )
    campaign_ends_on = DateField(
        _l("Akhir masa kampanye"), validators=[Optional(), SaneDate()], render_kw=DATE_RANGE_ATTRS
    )
    region = StringField(_l("Wilayah (untuk pilkada)"), validators=[Optional(), Length(max=200)])
    photo_poses_caption_id = StringField(_l("Keterangan (bahasa Indonesia)"), validators=[Optional(), Length(max=500)])
    photo_poses_caption_en = StringField(_l("Keterangan (bahasa Inggris)"), validators=[Optional(), Length(max=500)])
    photo_poses_items = TextAreaField(_l("Butir, satu per baris"), validators=[Optional(), Length(max=8000)])
    safe_poses_caption_id = StringField(_l("Keterangan (bahasa Indonesia)"), validators=[Optional(), Length(max=500)])
    safe_poses_caption_en = StringField(_l("Keterangan (bahasa Inggris)"), validators=[Optional(), Length(max=500)])
    safe_poses_items = TextAreaField(_l("Butir, satu per baris"), validators=[Optional(), Length(max=8000)])
    submit = SubmitField(_l("Simpan pemilihan"))


class AdminGrantForm(Form):
    """Make a staff member an agency admin, optionally limited to some units."""

    identifier = StringField(
        _l("NIP atau e-mail pegawai"), validators=[DataRequired(), Length(max=254)], render_kw={"autocapitalize": "off"}
    )
    unit_ids = SelectMultipleField(_l("Batasi ke unit (kosongkan untuk seluruh instansi)"), coerce=int)
    submit = SubmitField(_l("Jadikan admin"))


class AdminUnitsForm(Form):
    """The units an agency admin is limited to; none selected means the whole agency."""

    unit_ids = SelectMultipleField(_l("Batasi ke unit (kosongkan untuk seluruh instansi)"), coerce=int)
    submit = SubmitField(_l("Simpan batasan"))
