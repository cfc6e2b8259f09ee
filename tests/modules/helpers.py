"""Helpers shared by the modules tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from lms.db import db
from lms.models import User
from modules import services
from modules.models import Question, QuizAttempt, TrainingModule

PACK = Path(__file__).parent / "packs" / "mini"
SLUG = "uji-netral"


def copy_pack(tmp_path: Path, name: str = "pack") -> Path:
    target = tmp_path / name
    shutil.copytree(PACK, target)
    return target


def import_mini(app: Flask, folder: Path = PACK) -> int:
    with app.app_context():
        module = services.import_pack(folder).module
        db.session.commit()
        return module.id


def read_all_lessons(app: Flask, user_id: int, slug: str = SLUG) -> None:
    """Mark every lesson of the active module read (the quiz opens only then)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        for lesson in services.active_module(slug).lessons:
            services.mark_lesson_read(user, lesson)
        db.session.commit()


def answer_form(app: Flask, attempt_id: int, right: bool = True) -> dict[str, list[str]]:
    """Form values answering every question of the attempt right (or all wrong)."""
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        form: dict[str, list[str]] = {}
        for qid in attempt.question_ids:
            q = db.session.get(Question, qid)
            order = attempt.choice_order[str(qid)]
            picks = [str(order.index(c.id)) for c in q.choices if c.is_correct == right]
            form[f"q-{qid}"] = picks if (right and q.type == "multiple") else picks[:1]
        return form


def latest_attempt_id(app: Flask, user_id: int) -> int | None:
    with app.app_context():
        return db.session.scalar(
            select(QuizAttempt.id).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.id.desc()).limit(1)
        )


def module_count(app: Flask) -> int:
    with app.app_context():
        return len(list(db.session.scalars(select(TrainingModule))))


def token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match
    return match.group(1)
