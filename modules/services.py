"""Rules of the modules plugin: importing/exporting packs, lesson progress, quiz attempts and
grading, and statistics. Services flush and send signals; they never commit.

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
* Starting a new attempt beyond ``max_attempts`` (counted over every version of the module slug) is
  refused with ``QuizError``; a learner who already passed cannot start again; an attempt still
  running is resumed instead of starting a second one. ``(user, slug, number)`` is unique, so two
  concurrent starts cannot exceed the limit (the loser's insert is undone to a savepoint; the
  request's transaction stays the view's to commit).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.db import db, utcnow
from lms.models import Program, User
from lms.scoping import scope
from lms.services import ServiceError
from lms.services.programs import member_ids
from lms.signals import requirement_met
from modules import packs
from modules.models import Choice, Lesson, LessonProgress, Question, QuizAttempt, TrainingModule
from modules.pack_export import write_pack
from modules.signals import module_passed

GRACE = dt.timedelta(seconds=30)
_rng = random.SystemRandom()


class QuizError(ServiceError):
    """A quiz action the learner may not take now (message in their language)."""


class AnswerError(ServiceError):
    """A submitted answer sheet that does not fit the attempt (400, nothing stored)."""


class NotConfirmed(ServiceError):
    """An answer sheet sent in time without ticking the confirmation (nothing stored)."""


# --- packs ----------


@dataclass
class ImportResult:
    module: TrainingModule
    created: bool


def newest(slug: str) -> TrainingModule | None:
    return db.session.scalar(
        select(TrainingModule).where(TrainingModule.slug == slug).order_by(TrainingModule.version.desc()).limit(1)
    )


def active_module(slug: str) -> TrainingModule | None:
    return db.session.scalar(select(TrainingModule).where(TrainingModule.slug == slug, TrainingModule.active.is_(True)))


def import_pack(folder: str | Path) -> ImportResult:
    """Validate and import a pack. Unchanged content (same hash as the newest version) changes
    nothing; changed content becomes a new active version and older versions are deactivated
    (their attempts keep pointing at them). Raises ``packs.PackInvalid`` before writing anything."""
    pack = packs.load_pack(folder)
    digest = pack.content_hash()
    current = newest(pack.slug)
    if current is not None and current.content_hash == digest:
        return ImportResult(current, False)
    db.session.execute(update(TrainingModule).where(TrainingModule.slug == pack.slug).values(active=False))
    module = TrainingModule(
        slug=pack.slug,
        version=(current.version + 1) if current else 1,
        pack_version=pack.pack_version,
        title=pack.title,
        summary=pack.summary,
        jp_hours=pack.jp_hours,
        pass_mark=pack.pass_mark,
        questions_per_attempt=pack.questions_per_attempt,
        time_limit_minutes=pack.time_limit_minutes,
        max_attempts=pack.max_attempts,
        data=pack.data,
        content_hash=digest,
        active=True,
    )
    module.lessons = [
        Lesson(key=le.key, position=i, file=le.file, title=le.title, markdown=le.markdown, covers=le.covers)
        for i, le in enumerate(pack.lessons)
    ]
    module.questions = [
        Question(
            key=q.key,
            position=i,
            type=q.type,
            topic=q.topic,
            rule=q.rule,
            covers=q.covers,
            text=q.text,
            explanation=q.explanation,
            choices=[Choice(key=c.key, position=j, text=c.text, is_correct=c.correct) for j, c in enumerate(q.choices)],
        )
        for i, q in enumerate(pack.questions)
    ]
    db.session.add(module)
    db.session.flush()
    return ImportResult(module, True)


def pack_of(module: TrainingModule) -> packs.Pack:
    return packs.Pack(
        slug=module.slug,
        pack_version=module.pack_version,
        title=dict(module.title),
        summary=dict(module.summary),
        jp_hours=float(module.jp_hours),
        pass_mark=module.pass_mark,
        questions_per_attempt=module.questions_per_attempt,
        time_limit_minutes=module.time_limit_minutes,
        max_attempts=module.max_attempts,
        lessons=[
            packs.PackLesson(le.key, dict(le.title), le.file, list(le.covers or []), dict(le.markdown))
            for le in module.lessons
        ],
        questions=[
            packs.PackQuestion(
                q.key,
                q.type,
                q.topic,
                q.rule,
                list(q.covers or []),
                dict(q.text),
                dict(q.explanation),
                [packs.PackChoice(c.key, dict(c.text), c.is_correct) for c in q.choices],
            )
            for q in module.questions
        ],
        data={k: [dict(i) for i in v] for k, v in (module.data or {}).items()},
    )


def export_module(slug: str, folder: str | Path) -> TrainingModule:
    module = active_module(slug) or newest(slug)
    if module is None:
        raise LookupError(f"no module with slug {slug!r}")
    write_pack(pack_of(module), folder)
    return module


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
    left = attempts_left(module, attempts)
    if left is not None and left <= 0:
        raise QuizError(
            _l(
                "Kesempatan mengerjakan kuis sudah habis (%(n)d kali). Hubungi admin "
                "instansi Anda bila perlu kesempatan tambahan.",
                n=module.max_attempts,
            )
        )
    questions = _rng.sample(list(module.questions), module.questions_per_attempt)
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
        next_lesson=next((le for le in lessons if le.key not in read), None),
        percent=round(100 * done / len(lessons)) if lessons else 100,
        lessons_read=done,
    )


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


# --- statistics for admins ----------


@dataclass
class QuestionStat:
    question: Question
    version: int
    answered: int
    correct: int
    wrong_choice: Choice | None
    wrong_count: int

    @property
    def percent_correct(self) -> float:
        return round(100.0 * self.correct / self.answered, 1) if self.answered else 0.0


@dataclass
class ModuleStats:
    slug: str
    module: TrainingModule | None
    attempts: int
    learners: int
    passed_attempts: int
    passed_learners: int
    average_score: float | None
    questions: list[QuestionStat]
    topics: list[tuple[str, float, int]]  # (topic, percent correct, answers)

    @property
    def pass_rate(self) -> float:
        return round(100.0 * self.passed_attempts / self.attempts, 1) if self.attempts else 0.0


def module_stats(program: Program, slug: str, viewer: User | None = None) -> ModuleStats:
    """Submitted attempts of the program's learners on one module: totals in SQL, per-question
    counts from the stored result sheets (streamed). With ``viewer``, only the learners that
    admin may see count (``lms.scoping``: an admin limited to units sees those units)."""
    members = member_ids(program)
    if viewer is not None:
        members = scope(members, viewer, User.agency_id, User.unit_id)
    where = (QuizAttempt.slug == slug, QuizAttempt.submitted_at.is_not(None), QuizAttempt.user_id.in_(members))
    row = db.session.execute(
        select(
            func.count(QuizAttempt.id),
            func.count(func.distinct(QuizAttempt.user_id)),
            func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)),
            func.avg(QuizAttempt.score),
        ).where(*where)
    ).one()
    passed_learners = (
        db.session.scalar(
            select(func.count(func.distinct(QuizAttempt.user_id))).where(*where, QuizAttempt.passed.is_(True))
        )
        or 0
    )
    answered: Counter[int] = Counter()
    correct: Counter[int] = Counter()
    wrong: dict[int, Counter[int]] = defaultdict(Counter)
    sheets = db.session.execute(
        select(QuizAttempt.results, QuizAttempt.answers).where(*where).execution_options(yield_per=500)
    )
    for results, answers in sheets:
        for qid, ok in (results or {}).items():
            answered[int(qid)] += 1
            correct[int(qid)] += bool(ok)
            if not ok:
                for cid in (answers or {}).get(qid, []):
                    wrong[int(qid)][cid] += 1
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(list(answered) or [-1])))}
    choices = {
        c.id: c for c in db.session.scalars(select(Choice).where(Choice.question_id.in_(list(answered) or [-1])))
    }
    versions = dict(
        db.session.execute(select(TrainingModule.id, TrainingModule.version).where(TrainingModule.slug == slug)).all()
    )
    stats = []
    for qid, n in answered.items():
        q = questions[qid]
        wrong_pick = next(
            (cid for cid, _ in wrong[qid].most_common() if cid in choices and not choices[cid].is_correct), None
        )
        stats.append(
            QuestionStat(
                q,
                versions.get(q.module_id, 0),
                n,
                correct[qid],
                choices.get(wrong_pick) if wrong_pick else None,
                wrong[qid][wrong_pick] if wrong_pick else 0,
            )
        )
    stats.sort(key=lambda s: (s.percent_correct, s.question.key))
    by_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in stats:
        by_topic[s.question.topic or "-"][0] += s.correct
        by_topic[s.question.topic or "-"][1] += s.answered
    topics = sorted(((t, round(100.0 * c / n, 1), n) for t, (c, n) in by_topic.items() if n), key=lambda t: t[1])
    return ModuleStats(
        slug=slug,
        module=active_module(slug) or newest(slug),
        attempts=row[0] or 0,
        learners=row[1] or 0,
        passed_attempts=row[2] or 0,
        passed_learners=passed_learners,
        average_score=round(float(row[3]), 1) if row[3] is not None else None,
        questions=stats,
        topics=topics,
    )
