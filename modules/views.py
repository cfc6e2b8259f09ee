"""Learner pages (module, lesson, quiz) and the admin quiz statistics of a program. Pages (GET)
only read; every write is a POST that commits once."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.access import admin_required
from lms.db import db, utcnow
from lms.errors import render_error
from lms.forms import show_service_error
from lms.models import Program
from lms.scoping import get_scoped_or_404
from modules import reading, services, stats
from modules.forms import ButtonForm, SubmitQuizForm
from modules.models import Lesson, QuizAttempt, TrainingModule
from modules.rendering import render_lesson, rule_text, tr

bp = Blueprint(
    "modules", __name__, template_folder="templates", static_folder="static", static_url_path="/modules/static"
)


@bp.app_template_filter("tr")
def tr_filter(text: dict[str, str] | None) -> str:
    return tr(text)


@bp.app_template_filter("rule_line")
def rule_filter(rule: str | None) -> str:
    return rule_text(rule)


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


def _own_attempt_or_404(slug: str, attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id or attempt.slug != slug:
        abort(404)  # another learner's attempt does not exist for you
    return attempt


# --- learner ----------


@bp.get("/modules/<slug>")
@login_required
def module_page(slug: str):
    module = _module_or_404(slug)
    return _module_view(module)


def _module_view(module: TrainingModule, quiz_error: str | None = None, status: int = 200):
    prog = services.progress(current_user, module)
    jp = format_decimal(reading.jp_hours(module), format="#,##0.#")
    return render_template(
        "modules/module.html", module=module, prog=prog, form=ButtonForm(), jp=jp, quiz_error=quiz_error
    ), status


@bp.get("/modules/<slug>/lessons/<key>")
@login_required
def lesson_page(slug: str, key: str):
    module = _module_or_404(slug)
    lesson = _lesson_or_404(module, key)
    lessons = list(module.lessons)
    i = lessons.index(lesson)
    read = services.read_lesson_keys(current_user.id, slug)
    return render_template(
        "modules/lesson.html",
        module=module,
        lesson=lesson,
        number=i + 1,
        total=len(lessons),
        prev=lessons[i - 1] if i > 0 else None,
        next=lessons[i + 1] if i + 1 < len(lessons) else None,
        read=lesson.key in read,
        body=render_lesson(
            lesson.markdown,
            module.data,
            guidance=services.lesson_guidance(current_user, slug),
            without_title=True,
        ),
        form=ButtonForm(),
    )


@bp.post("/modules/<slug>/lessons/<key>/read")
@login_required
def lesson_read(slug: str, key: str):
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


@bp.post("/modules/<slug>/quiz")
@login_required
def quiz_start(slug: str):
    module = _module_or_404(slug)
    if not ButtonForm().validate_on_submit():
        return render_error(400)
    try:
        attempt = services.start_attempt(current_user, module)
    except services.LessonsUnread as exc:  # refused: the module page says what is left to read
        db.session.commit()  # an expired attempt closed on the way stays closed
        return _module_view(module, quiz_error=str(exc), status=403)
    except services.QuizError as exc:  # no form to put it on: the module page shows it
        db.session.commit()  # an expired attempt closed on the way stays closed
        flash(str(exc), "error")
        return redirect(url_for("modules.module_page", slug=slug) + "#kuis"), 303
    db.session.commit()
    return redirect(url_for("modules.attempt_page", slug=slug, attempt_id=attempt.id), 303)


def _attempt_view(attempt: QuizAttempt, form: SubmitQuizForm, chosen: dict[int, set[int]], status: int = 200):
    if services.is_expired(attempt):  # shown as expired; its submit (a POST) closes it
        return render_template(
            "modules/attempt.html",
            attempt=attempt,
            module=attempt.module,
            items=[],
            form=form,
            chosen={},
            remaining=None,
            expired=True,
        )
    questions = services.attempt_questions(attempt)
    choices = {c.id: c for q in questions for c in q.choices}
    items = [(q, [(i, choices[cid]) for i, cid in enumerate(attempt.choice_order[str(q.id)])]) for q in questions]
    remaining = None
    if attempt.deadline is not None:
        remaining = max(0, int((attempt.deadline - utcnow()).total_seconds()))
    return render_template(
        "modules/attempt.html",
        attempt=attempt,
        module=attempt.module,
        items=items,
        form=form,
        chosen=chosen,
        remaining=remaining,
        expired=False,
    ), status


@bp.get("/modules/<slug>/quiz/attempts/<int:attempt_id>")
@login_required
def attempt_page(slug: str, attempt_id: int):
    attempt = _own_attempt_or_404(slug, attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("modules.attempt_result", slug=slug, attempt_id=attempt.id))
    return _attempt_view(attempt, SubmitQuizForm(), {})


@bp.post("/modules/<slug>/quiz/attempts/<int:attempt_id>")
@login_required
def attempt_submit(slug: str, attempt_id: int):
    attempt = _own_attempt_or_404(slug, attempt_id)
    form = SubmitQuizForm()
    if not form.validate_on_submit():
        return render_error(400)
    result = url_for("modules.attempt_result", slug=slug, attempt_id=attempt.id)
    if attempt.submitted_at is not None:  # double click, back button, replay: one result
        return redirect(result, 303)
    raw = request.form.to_dict(flat=False)
    now = utcnow()
    expired = services.is_expired(attempt, now)
    try:
        services.submit_attempt(attempt, raw, now=now, confirmed=bool(form.confirm.data))
    except services.NotConfirmed as exc:
        show_service_error(form, exc, "confirm")
        answers = services.parse_answers(attempt, raw)  # parsed fine just before
        return _attempt_view(attempt, form, {q: set(c) for q, c in answers.items()}, 400)
    except services.AnswerError as exc:
        return render_error(400, str(exc))
    db.session.commit()
    if expired and any(name.startswith("q-") for name in raw):
        flash(_("Jawaban diterima setelah waktu habis, jadi tidak dihitung."), "warning")
    elif expired:
        flash(_("Waktu kuis sudah habis. Percobaan ini ditutup."), "warning")
    return redirect(result, 303)


@bp.get("/modules/<slug>/quiz/attempts/<int:attempt_id>/result")
@login_required
def attempt_result(slug: str, attempt_id: int):
    attempt = _own_attempt_or_404(slug, attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("modules.attempt_page", slug=slug, attempt_id=attempt.id))
    questions = services.attempt_questions(attempt)
    answers = {int(k): set(v) for k, v in (attempt.answers or {}).items()}
    items = []
    for q in questions:
        order = [c for cid in attempt.choice_order[str(q.id)] for c in q.choices if c.id == cid]
        items.append((q, order, answers.get(q.id, set()), (attempt.results or {}).get(str(q.id))))
    attempts = services.attempts_of(current_user.id, attempt.slug)
    module = services.active_module(attempt.slug) or attempt.module
    return render_template(
        "modules/result.html",
        attempt=attempt,
        module=module,
        items=items,
        left=services.attempts_left(module, attempts),
        passed_any=any(a.passed for a in attempts),
        next_step=services.next_step_after(current_user, attempt.slug) if attempt.passed else None,
        form=ButtonForm(),
    )


# --- admin ----------


@bp.get("/admin/programs/<int:program_id>/quiz")
@admin_required
def program_stats(program_id: int):
    program = get_scoped_or_404(Program, program_id, current_user)
    slugs = [r.ref for r in program.requirements if r.kind == "module"]
    figures = [stats.module_stats(program, slug, viewer=current_user) for slug in slugs]
    known = set(db.session.scalars(select(TrainingModule.slug)))
    return render_template("modules/admin_stats.html", program=program, stats=figures, known=known)
