"""Rules of the modules plugin: lesson progress, the lists a lesson shows, quiz attempts and
grading. Services flush and send signals; they never commit. Importing and exporting packs is in
``modules.importing``, the admins' statistics in ``modules.stats``, the JP hours in
``modules.reading``.

Quiz integrity rules:

* An attempt's questions and the order of each question's choices are drawn at start and stored;
  the form sends, per question ``q-<question id>``, the *position* of the chosen choice in that
  stored order, so nothing in the page says which choice is correct or which came first in the pack.
* ``parse_answers`` rejects (``AnswerError``, a 400 in the view, nothing stored) an answer to a
  question not in the attempt, an unknown choice, several choices on a single-answer question and
  any other field. A sheet sent in time without the confirmation box ticked is refused with
  ``NotConfirmed`` (on the form's ``confirm`` field), nothing stored.
* ``submit_attempt`` records the result with a conditional UPDATE (``submitted_at IS NULL``), so a
  double submit, back button or replay records exactly one result; later submits change nothing.
* **Time limit.** A submission received up to ``GRACE`` (30 s, for slow links) after the deadline
  is graded normally. A later submission is graded *as of the deadline, counting only the answers
  received by then*: the answers sent with the late form arrived after the deadline, so none count
  and the attempt is recorded as submitted at the deadline with the score of an empty answer sheet
  (a failed attempt that uses up one try). Pages only *show* an expired attempt as expired
  (``is_expired``, from the stored deadline): a GET never writes. It is closed the same way by the
  next POST that touches it: its submit (whatever it carries), or starting the next attempt.
* **Quiz gate.** When the module requires it (pack ``quiz.require_all_lessons_read``, default
  true), an attempt starts only once the learner has read every lesson (on any version of the slug,
  by lesson key); otherwise ``start_attempt`` raises ``LessonsUnread`` naming what is left.
* **Draw.** Each attempt draws one question from every topic (a lesson key) that has questions,
  then fills the rest at random without repeats, and shuffles the order (``draw_questions``).
* Starting a new attempt beyond ``max_attempts`` (counted over every version of the module slug) is
  refused with ``QuizError``; a learner who already passed cannot start again; an attempt still
  running is resumed instead of starting a second one. ``(user, slug, number)`` is unique, so two
  concurrent starts cannot exceed the limit (the loser's insert is undone to a savepoint; the
  request's transaction stays the view's to commit).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.db import db, utcnow
from lms.models import User
from lms.requirements import LearnerStep
from lms.services import ServiceError
from lms.services.programs import open_programs_for, requirement_steps
from lms.signals import requirement_met
from modules.importing import ImportResult, active_module, export_module, import_pack, newest, pack_of
from modules.models import Lesson, LessonProgress, Question, QuizAttempt, TrainingModule
from modules.rendering import tr
from modules.signals import module_passed

__all__ = [  # the pack functions stay reachable here for the CLI, the demo and scripts
    "ImportResult",
    "active_module",
    "export_module",
    "import_pack",
    "newest",
    "pack_of",
]

GRACE = dt.timedelta(seconds=30)
_rng = random.SystemRandom()


class QuizError(ServiceError):
    """A quiz action the learner may not take now (message in their language)."""


class AnswerError(ServiceError):
    """A submitted answer sheet that does not fit the attempt (400, nothing stored)."""


class NotConfirmed(ServiceError):
    """An answer sheet sent in time without ticking the confirmation (nothing stored)."""


class LessonsUnread(QuizError):
    """The quiz opens once every lesson is read; ``unread`` lists the lessons left."""

    def __init__(self, message: str, unread: list[Lesson]) -> None:
        super().__init__(message)
        self.unread = unread


# --- lessons ----------


def read_lesson_keys(user_id: int, slug: str) -> set[str]:
    """Keys of the lessons this learner has read, on any version of the module."""
    return set(
        db.session.scalars(
            select(Lesson.key)
            .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
            .join(TrainingModule, TrainingModule.id == Lesson.module_id)
            .where(LessonProgress.user_id == user_id, TrainingModule.slug == slug)
        )
    )


def unread_lessons(user_id: int, module: TrainingModule) -> list[Lesson]:
    read = read_lesson_keys(user_id, module.slug)
    return [le for le in module.lessons if le.key not in read]


def lesson_guidance(user: User, slug: str) -> dict[str, Any]:
    """The data lists the learner's open programs that require module ``slug`` set through
    their election's guidance ({NAME: list}); the nearest deadline first wins a NAME. A lesson
    shows these instead of the pack's lists of the same name."""
    guidance: dict[str, Any] = {}
    for program in open_programs_for(user):
        if not any(r.kind == "module" and r.ref == slug for r in program.requirements):
            continue
        lists = program.election.guidance if program.election is not None else None
        for name, value in (lists if isinstance(lists, dict) else {}).items():
            guidance.setdefault(name, value)
    return guidance


def mark_lesson_read(user: User, lesson: Lesson) -> LessonProgress:
    existing = db.session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id)
    )
    if existing is not None:
        return existing
    progress = LessonProgress(user_id=user.id, lesson_id=lesson.id)
    db.session.add(progress)
    db.session.flush()
    return progress


# --- attempts ----------


def attempts_of(user_id: int, slug: str) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.slug == slug)
            .order_by(QuizAttempt.number)
        )
    )


def has_passed(user_id: int, slug: str) -> bool:
    return bool(
        db.session.scalar(
            select(
                select(QuizAttempt.id)
                .where(QuizAttempt.user_id == user_id, QuizAttempt.slug == slug, QuizAttempt.passed.is_(True))
                .exists()
            )
        )
    )


def is_expired(attempt: QuizAttempt, now: dt.datetime | None = None) -> bool:
    return attempt.deadline is not None and (now or utcnow()) > attempt.deadline + GRACE


def attempts_left(module: TrainingModule, attempts: Sequence[QuizAttempt]) -> int | None:
    if module.max_attempts is None:
        return None
    return max(0, module.max_attempts - len(attempts))


def start_attempt(user: User, module: TrainingModule, now: dt.datetime | None = None) -> QuizAttempt:
    now = now or utcnow()
    attempts = attempts_of(user.id, module.slug)
    for attempt in attempts:
        if attempt.submitted_at is None:
            if not is_expired(attempt, now):
                return attempt  # resume the running attempt
            close_expired(attempt)
    if any(a.passed for a in attempts):
        raise QuizError(_l("Anda sudah lulus kuis modul ini."))
    unread = unread_lessons(user.id, module) if module.require_all_lessons_read else []
    if unread:
        raise LessonsUnread(
            _l(
                "Kuis terbuka setelah semua materi dibaca. Belum dibaca: %(titles)s.",
                titles=", ".join(tr(le.title) for le in unread),
            ),
            unread,
        )
    left = attempts_left(module, attempts)
    if left is not None and left <= 0:
        raise QuizError(
            _l(
                "Kesempatan mengerjakan kuis sudah habis (%(n)d kali). Hubungi admin "
                "instansi Anda bila perlu kesempatan tambahan.",
                n=module.max_attempts,
            )
        )
    questions = draw_questions(list(module.questions), module.questions_per_attempt)
    order = {}
    for q in questions:
        ids = [c.id for c in q.choices]
        _rng.shuffle(ids)
        order[str(q.id)] = ids
    deadline = now + dt.timedelta(minutes=module.time_limit_minutes) if module.time_limit_minutes else None
    attempt = QuizAttempt(
        user_id=user.id,
        module_id=module.id,
        slug=module.slug,
        number=len(attempts) + 1,
        question_ids=[q.id for q in questions],
        choice_order=order,
        started_at=now,
        deadline=deadline,
    )
    try:
        with db.session.begin_nested():  # a concurrent start took this number: undo only this
            db.session.add(attempt)
    except IntegrityError:  # never exceed the limit
        raise QuizError(_l("Kuis sedang dimulai di jendela lain. Muat ulang halaman modul.")) from None
    return attempt


def draw_questions(questions: Sequence[Question], count: int, rng: random.Random = _rng) -> list[Question]:
    """``count`` questions without repeats: first one from every topic that has questions (a
    random subset of the topics if there are more topics than ``count``), then the rest at random;
    the result is shuffled so the topics do not come in a fixed order."""
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        if q.topic:
            by_topic[q.topic].append(q)
    topics = list(by_topic)
    if len(topics) > count:
        topics = rng.sample(topics, count)
    picked = [rng.choice(by_topic[t]) for t in topics]
    chosen = {id(q) for q in picked}
    rest = [q for q in questions if id(q) not in chosen]
    picked += rng.sample(rest, min(len(rest), count - len(picked)))
    rng.shuffle(picked)
    return picked


def _form_number(text: str) -> int | None:
    """A question id or choice position as sent by the form: at most 19 ASCII digits (an id the
    database can hold). Anything longer is no answer of ours, and is never given to ``int``,
    which refuses more than 4,300 digits."""
    if 0 < len(text) <= 19 and text.isascii() and text.isdigit():
        return int(text)
    return None


def parse_answers(attempt: QuizAttempt, form: Mapping[str, Sequence[str]]) -> dict[int, list[int]]:
    """Turn the submitted form into {question id: [choice ids]}, or raise ``AnswerError``."""
    types = dict(
        db.session.execute(select(Question.id, Question.type).where(Question.id.in_(attempt.question_ids))).all()
    )
    answers: dict[int, list[int]] = {}
    for name, values in form.items():
        if name in ("csrf_token", "confirm", "submit"):
            continue
        qid = _form_number(name[2:]) if name.startswith("q-") else None
        if qid is None:
            raise AnswerError(_l("Formulir jawaban tidak dikenali (kolom %(name)s).", name=name[:40]))
        order = attempt.choice_order.get(str(qid))
        if qid not in attempt.question_ids or order is None:
            raise AnswerError(_l("Ada jawaban untuk soal yang bukan bagian dari percobaan ini."))
        picked: list[int] = []
        for value in values:
            index = _form_number(value)
            if index is None or index >= len(order):
                raise AnswerError(_l("Ada pilihan jawaban yang tidak dikenal."))
            choice_id = order[index]
            if choice_id in picked:
                raise AnswerError(_l("Pilihan jawaban yang sama dikirim dua kali."))
            picked.append(choice_id)
        if len(picked) > 1 and types.get(qid) != "multiple":
            raise AnswerError(_l("Soal pilihan tunggal hanya boleh dijawab dengan satu pilihan."))
        if picked:
            answers[qid] = picked
    return answers


def grade(questions: Sequence[Question], answers: Mapping[int, Sequence[int]]) -> tuple[dict[str, bool], float]:
    """Per question: right only if the set of chosen choices equals the set of correct ones
    (single and true/false: the one correct choice; multiple: all correct, no wrong ones)."""
    results: dict[str, bool] = {}
    for q in questions:
        correct = {c.id for c in q.choices if c.is_correct}
        results[str(q.id)] = set(answers.get(q.id, ())) == correct
    score = round(100.0 * sum(results.values()) / len(questions), 2) if questions else 0.0
    return results, score


def attempt_questions(attempt: QuizAttempt) -> list[Question]:
    by_id = {
        q.id: q
        for q in db.session.scalars(  # choices in one query, not one per question
            select(Question).where(Question.id.in_(attempt.question_ids)).options(selectinload(Question.choices))
        )
    }
    return [by_id[i] for i in attempt.question_ids]


def _record(attempt: QuizAttempt, answers: dict[int, list[int]], at: dt.datetime) -> bool:
    """Write the result once; False if the attempt had already been submitted."""
    results, score = grade(attempt_questions(attempt), answers)
    passed = score >= attempt.module.pass_mark
    already_passed = has_passed(attempt.user_id, attempt.slug)
    res = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            submitted_at=at,
            score=score,
            passed=passed,
            answers={str(k): v for k, v in answers.items()},
            results=results,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(attempt)
    if res.rowcount != 1:
        return False
    if passed and not already_passed:
        app = current_app._get_current_object()
        module_passed.send(
            app,
            user_id=attempt.user_id,
            module_id=attempt.module_id,
            slug=attempt.slug,
            attempt_id=attempt.id,
            score=score,
        )
        requirement_met.send(app, user_id=attempt.user_id, kind="module", ref=attempt.slug)
    return True


def close_expired(attempt: QuizAttempt) -> bool:
    """Close an attempt whose time ran out: submitted at the deadline, no answers received."""
    assert attempt.deadline is not None
    return _record(attempt, {}, attempt.deadline)


def submit_attempt(
    attempt: QuizAttempt, form: Mapping[str, Sequence[str]], now: dt.datetime | None = None, confirmed: bool = True
) -> QuizAttempt:
    """Grade and record the attempt (see the module docstring for the deadline rule). A second
    submit returns the recorded attempt unchanged. Raises ``AnswerError`` for a bad sheet and
    ``NotConfirmed`` for a sheet sent in time without ``confirmed``."""
    if attempt.submitted_at is not None:
        return attempt
    now = now or utcnow()
    answers = parse_answers(attempt, form)
    if not confirmed and not is_expired(attempt, now):
        raise NotConfirmed(
            _l("Centang \u201cSaya yakin\u201d untuk mengirim jawaban. Jawaban Anda belum dikirim."), field="confirm"
        )
    if is_expired(attempt, now):
        close_expired(attempt)
    else:
        _record(attempt, answers, now)
    return attempt


# --- module page summary ----------


@dataclass
class ModuleProgress:
    module: TrainingModule
    read_keys: set[str]
    attempts: list[QuizAttempt]
    passed: bool
    running: QuizAttempt | None  # unsubmitted, time left
    expired: QuizAttempt | None  # unsubmitted, time up: closed by the next POST
    left: int | None
    unread: list[Lesson] = field(default_factory=list)  # lessons still to read before the quiz opens
    next_lesson: Lesson | None = None
    percent: int = 0
    lessons_read: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def progress(user: User, module: TrainingModule, now: dt.datetime | None = None) -> ModuleProgress:
    """Everything the module page shows (reads only: an expired attempt is shown as such)."""
    now = now or utcnow()
    attempts = attempts_of(user.id, module.slug)
    open_ = [a for a in attempts if a.submitted_at is None]
    read = read_lesson_keys(user.id, module.slug)
    lessons = list(module.lessons)
    done = sum(1 for le in lessons if le.key in read)
    return ModuleProgress(
        module=module,
        read_keys=read,
        attempts=attempts,
        passed=any(a.passed for a in attempts),
        running=next((a for a in open_ if not is_expired(a, now)), None),
        expired=next((a for a in open_ if is_expired(a, now)), None),
        left=attempts_left(module, attempts),
        unread=[le for le in lessons if le.key not in read] if module.require_all_lessons_read else [],
        next_lesson=next((le for le in lessons if le.key not in read), None),
        percent=round(100 * done / len(lessons)) if lessons else 100,
        lessons_read=done,
    )


def next_step_after(user: User, slug: str) -> LearnerStep | None:
    """Where a learner who passed this module's quiz goes on: the first unmet step (with a link)
    of the nearest-deadline open program that requires the module, typically the pact. None when
    no such step is left (the result page then leads to My programs). Read only, through the core."""
    for program in open_programs_for(user):
        if not any(r.kind == "module" and r.ref == slug for r in program.requirements):
            continue
        step = next((s for s in requirement_steps(user, program) if not s.met and s.url), None)
        if step is not None:
            return step
    return None


# --- requirement-kind queries ----------


def passed_user_ids(slug: str) -> Select[tuple[int]]:
    return select(QuizAttempt.user_id).where(QuizAttempt.slug == slug, QuizAttempt.passed.is_(True)).distinct()


def started_user_ids(slug: str) -> Select[tuple[int]]:
    attempted = select(QuizAttempt.user_id).where(QuizAttempt.slug == slug)
    read = (
        select(LessonProgress.user_id)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(TrainingModule, TrainingModule.id == Lesson.module_id)
        .where(TrainingModule.slug == slug)
    )
    return select(User.id).where(or_(User.id.in_(attempted), User.id.in_(read)))
