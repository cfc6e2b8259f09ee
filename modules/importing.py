"""Importing a content pack as a new module version, and exporting a module back as a pack.
Services flush, never commit."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update

from lms.db import db
from modules import packs
from modules.models import Choice, Lesson, Question, TrainingModule
from modules.pack_export import write_pack


@dataclass
class ImportResult:
    module: TrainingModule
    created: bool
    pack: packs.Pack | None = None  # as read from the folder


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
        return ImportResult(current, False, pack)
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
        require_all_lessons_read=pack.require_all_lessons_read,
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
            scenario=q.scenario,
            choices=[Choice(key=c.key, position=j, text=c.text, is_correct=c.correct) for j, c in enumerate(q.choices)],
        )
        for i, q in enumerate(pack.questions)
    ]
    db.session.add(module)
    db.session.flush()
    return ImportResult(module, True, pack)


def pack_of(module: TrainingModule) -> packs.Pack:
    return packs.Pack(
        slug=module.slug,
        pack_version=module.pack_version,
        title=dict(module.title),
        summary=dict(module.summary),
        jp_hours=float(module.jp_hours) if module.jp_hours is not None else None,
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
                bool(q.scenario),
            )
            for q in module.questions
        ],
        data=copy.deepcopy(dict(module.data or {})),
        require_all_lessons_read=bool(module.require_all_lessons_read),
    )


def export_module(slug: str, folder: str | Path) -> TrainingModule:
    module = active_module(slug) or newest(slug)
    if module is None:
        raise LookupError(f"no module with slug {slug!r}")
    write_pack(pack_of(module), folder)
    return module
