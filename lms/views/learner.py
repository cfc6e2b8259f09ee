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
    cards = []
    for program in program_service.open_programs_for(current_user):
        steps = program_service.requirement_steps(current_user, program)
        outcomes = program_service.outcomes(current_user, program)
        next_step = next((s for s in steps if not s.met and s.url), None)
        if next_step is None:
            next_step = next((o for o in outcomes if o.ready and o.url), None)
        cards.append(
            {
                "program": program,
                "steps": steps,
                "outcomes": outcomes,
                "next": next_step,
                "done": program_service.completion_of(current_user.id, program.id) is not None,
            }
        )
    return render_template("learner/home.html", cards=cards)


@bp.get("/account")
@login_required
def account():
    return render_template("learner/account.html", user=current_user)
