"""Learner pages (module, lesson, quiz) and the admin statistics page of the modules plugin."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.db import db, utcnow
from lms.errors import render_error
from lms.menus import MenuItem
from lms.models import Program
from lms.scoping import get_scoped_or_404
from modules import services
from modules.forms import ButtonForm, SubmitQuizForm
from modules.models import Lesson, QuizAttempt, TrainingModule
from modules.rendering import render_lesson, tr

bp = Blueprint("modules", __name__, url_prefix="/modules", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.app_template_filter("tr")
def tr_filter(text: dict[str, str] | None) -> str:
    return tr(text)


def _module_or_404(slug: str) -> TrainingModule:
    module = services.active_module(slug)
    if module is None:
        abort(404)
    return module


def _lesson_or_404(module: TrainingModule, key: str) -> Lesson:
    lesson = next((le for le in module.lessons if le.key == key), None)
    if lesson is None:
        abort(404)
    return lesson


def _own_attempt_or_404(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)  # another learner's attempt does not exist for you
    return attempt


# --- learner ----------

@bp.get("/<slug>")
@login_required
def module_page(slug: str):  # type: ignore[no-untyped-def]
    module = _module_or_404(slug)
    prog = services.progress(current_user, module)
    db.session.commit()  # an expired attempt may just have been closed
    return render_template("modules/module.html", module=module, prog=prog, form=ButtonForm())


@bp.get("/<slug>/lessons/<key>")
@login_required
def lesson_page(slug: str, key: str):  # type: ignore[no-untyped-def]
    module = _module_or_404(slug)
    lesson = _lesson_or_404(module, key)
    lessons = list(module.lessons)
    i = lessons.index(lesson)
    read = services.read_lesson_keys(current_user.id, slug)
    return render_template(
        "modules/lesson.html", module=module, lesson=lesson, number=i + 1, total=len(lessons),
        prev=lessons[i - 1] if i > 0 else None,
        next=lessons[i + 1] if i + 1 < len(lessons) else None,
        read=lesson.key in read, body=render_lesson(lesson.markdown, module.data),
        form=ButtonForm())


@bp.post("/<slug>/lessons/<key>/read")
@login_required
def lesson_read(slug: str, key: str):  # type: ignore[no-untyped-def]
    module = _module_or_404(slug)
    lesson = _lesson_or_404(module, key)
    if not ButtonForm().validate_on_submit():
        return render_error(400)
    services.mark_lesson_read(current_user, lesson)
    db.session.commit()
    lessons = list(module.lessons)
    i = lessons.index(lesson)
    if i + 1 < len(lessons):
        return redirect(url_for("modules.lesson_page", slug=slug, key=lessons[i + 1].key))
    flash(_("Semua materi sudah Anda baca. Silakan kerjakan kuis."), "success")
    return redirect(url_for("modules.module_page", slug=slug) + "#kuis")


@bp.post("/<slug>/quiz/start")
@login_required
def quiz_start(slug: str):  # type: ignore[no-untyped-def]
    module = _module_or_404(slug)
    if not ButtonForm().validate_on_submit():
        return render_error(400)
    try:
        attempt = services.start_attempt(current_user, module)
    except services.QuizError as exc:
        db.session.commit()  # keep an expired attempt closed
        flash(str(exc), "error")
        return redirect(url_for("modules.module_page", slug=slug) + "#kuis"), 303
    db.session.commit()
    return redirect(url_for("modules.attempt_page", attempt_id=attempt.id), 303)


def _attempt_view(attempt: QuizAttempt, form: SubmitQuizForm, chosen: dict[int, set[int]],
                  error: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    questions = services.attempt_questions(attempt)
    choices = {c.id: c for q in questions for c in q.choices}
    items = [(q, [(i, choices[cid]) for i, cid in enumerate(attempt.choice_order[str(q.id)])])
             for q in questions]
    remaining = None
    if attempt.deadline is not None:
        remaining = max(0, int((attempt.deadline - utcnow()).total_seconds()))
    return render_template("modules/attempt.html", attempt=attempt, module=attempt.module,
                           items=items, form=form, chosen=chosen, error=error,
                           remaining=remaining), status


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt_page(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is None and services.is_expired(attempt):
        services.close_expired(attempt)
        db.session.commit()
        flash(_("Waktu kuis sudah habis. Percobaan ini ditutup."), "warning")
    if attempt.submitted_at is not None:
        return redirect(url_for("modules.attempt_result", attempt_id=attempt.id))
    return _attempt_view(attempt, SubmitQuizForm(), {})


@bp.post("/attempts/<int:attempt_id>")
@login_required
def attempt_submit(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = _own_attempt_or_404(attempt_id)
    form = SubmitQuizForm()
    if not form.validate_on_submit():
        return render_error(400)
    if attempt.submitted_at is not None:  # double click, back button, replay: one result
        return redirect(url_for("modules.attempt_result", attempt_id=attempt.id), 303)
    raw = request.form.to_dict(flat=False)
    try:
        answers = services.parse_answers(attempt, raw)
    except services.AnswerError as exc:
        return render_error(400, str(exc))
    if not form.confirm.data and not services.is_expired(attempt):
        chosen = {qid: set(cids) for qid, cids in answers.items()}
        return _attempt_view(attempt, form, chosen, _(
            "Centang \u201cSaya yakin\u201d untuk mengirim jawaban. Jawaban Anda belum dikirim."),
            400)
    expired = services.is_expired(attempt)
    services.submit_attempt(attempt, raw)
    db.session.commit()
    if expired:
        flash(_("Jawaban diterima setelah waktu habis, jadi tidak dihitung."), "warning")
    return redirect(url_for("modules.attempt_result", attempt_id=attempt.id), 303)


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def attempt_result(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("modules.attempt_page", attempt_id=attempt.id))
    questions = services.attempt_questions(attempt)
    answers = {int(k): set(v) for k, v in (attempt.answers or {}).items()}
    items = []
    for q in questions:
        order = [c for cid in attempt.choice_order[str(q.id)] for c in q.choices if c.id == cid]
        items.append((q, order, answers.get(q.id, set()), (attempt.results or {}).get(str(q.id))))
    attempts = services.attempts_of(current_user.id, attempt.slug)
    module = services.active_module(attempt.slug) or attempt.module
    return render_template("modules/result.html", attempt=attempt, module=module, items=items,
                           left=services.attempts_left(module, attempts),
                           passed_any=any(a.passed for a in attempts), form=ButtonForm())


# --- admin ----------

def program_menu(program: Program) -> list[MenuItem]:
    if not any(r.kind == "module" for r in program.requirements):
        return []
    return [MenuItem(_("Statistik kuis"), url_for("modules.program_stats", program_id=program.id))]


@bp.get("/admin/programs/<int:program_id>")
@login_required
def program_stats(program_id: int):  # type: ignore[no-untyped-def]
    if not current_user.is_admin:
        abort(404)
    program = get_scoped_or_404(Program, program_id, current_user)
    slugs = [r.ref for r in program.requirements if r.kind == "module"]
    stats = [services.module_stats(program, slug, viewer=current_user) for slug in slugs]
    known = set(db.session.scalars(select(TrainingModule.slug)))
    return render_template("modules/admin_stats.html", program=program, stats=stats, known=known)
