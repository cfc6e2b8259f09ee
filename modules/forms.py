"""Forms of the modules plugin (CSRF on every button)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField

from lms.forms import Form


class ButtonForm(Form):
    """A POST button (mark read, start quiz)."""


class SubmitQuizForm(Form):
    """Only the CSRF token and the confirmation; the answers are parsed by the service, which
    checks them against the attempt."""

    confirm = BooleanField(_l("Saya yakin dengan jawaban saya dan ingin mengirimkannya."))
    submit = SubmitField(_l("Kirim jawaban"))
