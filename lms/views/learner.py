"""The learner's home: one card per open program with its checklist and the next step."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from lms.services import programs as program_service

bp = Blueprint("learner", __name__)


@bp.get("/")
@login_required
def home():
    if current_user.is_admin:
        return redirect(url_for("admin.index"))
    cards = [program_service.card_for(current_user, p) for p in program_service.open_programs_for(current_user)]
    return render_template("learner/home.html", cards=cards)


@bp.get("/account")
@login_required
def account():
    return render_template("learner/account.html", user=current_user)
