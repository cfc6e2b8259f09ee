"""Demo data of the modules plugin (idempotent): the Netralitas ASN pack when it is present, the
``module`` requirement on every demo program, and some learners with progress and passed attempts
so the dashboards have something to show."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from lms.db import db, utcnow
from lms.demo import demo_programs
from lms.models import ProgramRequirement, Role, User
from modules import services
from modules.models import LessonProgress, QuizAttempt
from modules.packs import PackInvalid

PACK = Path(__file__).parent / "content" / "netralitas-asn"
SLUG = "netralitas-asn"
PASSED_PER_AGENCY = 8
READING_PER_AGENCY = 6


def seed(app: Flask) -> None:
    if not (PACK / "module.yaml").is_file():
        return
    try:
        module = services.import_pack(PACK).module
    except PackInvalid as exc:  # keep the rest of the demo usable; say exactly what is wrong
        app.logger.error("demo: content pack %s is invalid, skipped:\n%s", PACK, exc)
        return
    rng = random.Random(7)  # noqa: S311 - deterministic demo data
    for program in demo_programs():
        if not any(r.kind == "module" and r.ref == SLUG for r in program.requirements):
            program.requirements.append(ProgramRequirement(kind="module", ref=SLUG, position=len(program.requirements)))
        db.session.flush()
        learners = list(
            db.session.scalars(
                select(User)
                .where(
                    User.agency_id == program.agency_id, User.role == Role.LEARNER, User.email.is_(None)
                )  # leave the named demo learners untouched
                .order_by(User.id)
                .limit(PASSED_PER_AGENCY + READING_PER_AGENCY)
            )
        )
        for i, user in enumerate(learners):
            if db.session.scalar(
                select(QuizAttempt.id).where(QuizAttempt.user_id == user.id, QuizAttempt.slug == SLUG).limit(1)
            ):
                continue
            lessons = list(module.lessons)
            if i >= PASSED_PER_AGENCY:
                lessons = lessons[: rng.randint(1, max(1, len(lessons) - 1))]
            for lesson in lessons:
                if not db.session.scalar(
                    select(LessonProgress.id).where(
                        LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id
                    )
                ):
                    db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id))
            if i < PASSED_PER_AGENCY:
                _passed_attempt(user, module, rng, first_fails=i % 3 == 0)
    db.session.flush()


def _passed_attempt(user: User, module, rng: random.Random, first_fails: bool) -> None:
    """Answer attempts through the real grading path (some learners fail once first); the
    passing submit sends ``requirement_met``, so the core completes programs where it can."""
    started = utcnow() - dt.timedelta(days=rng.randint(1, 10), minutes=30)
    for wrong in [True, False] if first_fails and (module.max_attempts or 2) > 1 else [False]:
        attempt = services.start_attempt(user, module, now=started)
        form: dict[str, list[str]] = {}
        for qid in attempt.question_ids:
            question = next(q for q in module.questions if q.id == qid)
            order = attempt.choice_order[str(qid)]
            picks = [str(order.index(c.id)) for c in question.choices if c.is_correct != wrong]
            if wrong or question.type != "multiple":
                picks = picks[:1]
            form[f"q-{qid}"] = picks
        services.submit_attempt(attempt, form, now=started + dt.timedelta(minutes=5))
        started += dt.timedelta(minutes=10)
