"""Dashboard forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from lms.forms import Form


class RemindForm(Form):
    submit = SubmitField(_l("Kirim pengingat"))
