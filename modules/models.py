"""Tables of the modules plugin: versioned training modules with lessons and a question bank,
quiz attempts and lesson progress. Bilingual text is stored as JSON ``{"id": ..., "en": ...}``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, intpk, str200, timestamp

Text2 = dict[str, str]  # {"id": ..., "en": ...}


class TrainingModule(Base):
    """One imported version of a content pack. Only the newest version of a slug is active;
    attempts keep pointing at the version they were taken on."""

    __tablename__ = "modules_modules"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per slug, in import order
    pack_version: Mapped[int] = mapped_column(Integer)  # the pack's own label (informational)
    title: Mapped[Text2] = mapped_column(JSON)
    summary: Mapped[Text2] = mapped_column(JSON)
    jp_hours: Mapped[float | None] = mapped_column(Float)  # the pack's; None = from the length (modules.reading)
    pass_mark: Mapped[int] = mapped_column(Integer)  # percent
    questions_per_attempt: Mapped[int] = mapped_column(Integer)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    # the quiz opens only once every lesson is read (pack: quiz.require_all_lessons_read)
    require_all_lessons_read: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # data.yaml lists
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    imported_at: Mapped[timestamp]

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="module", order_by="Question.position", cascade="all, delete-orphan"
    )


class Lesson(Base):
    __tablename__ = "modules_lessons"
    __table_args__ = (UniqueConstraint("module_id", "key"),)

    id: Mapped[intpk]
    module_id: Mapped[int] = mapped_column(ForeignKey("modules_modules.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    file: Mapped[str200]  # pack-relative path without the .<lang>.md suffix (for export)
    title: Mapped[Text2] = mapped_column(JSON)
    markdown: Mapped[Text2] = mapped_column(JSON)  # source, with {{ data:NAME }} placeholders
    covers: Mapped[list[str]] = mapped_column(JSON, default=list)

    module: Mapped[TrainingModule] = relationship(back_populates="lessons")


class Question(Base):
    __tablename__ = "modules_questions"
    __table_args__ = (UniqueConstraint("module_id", "key"),)

    id: Mapped[intpk]
    module_id: Mapped[int] = mapped_column(ForeignKey("modules_modules.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))  # single | multiple | true_false
    topic: Mapped[str | None] = mapped_column(String(100))
    rule: Mapped[str | None] = mapped_column(Text)
    covers: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[Text2] = mapped_column(JSON)
    explanation: Mapped[Text2] = mapped_column(JSON)
    scenario: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    module: Mapped[TrainingModule] = relationship(back_populates="questions")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan"
    )


class Choice(Base):
    __tablename__ = "modules_choices"

    id: Mapped[intpk]
    question_id: Mapped[int] = mapped_column(ForeignKey("modules_questions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[Text2] = mapped_column(JSON)
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="choices")


class QuizAttempt(Base):
    """One attempt. ``question_ids`` and ``choice_order`` ({question id: [choice ids]}) are fixed
    at start. ``number`` is unique per user and slug, so two concurrent starts cannot both pass
    the attempt limit; ``submitted_at`` is set by a conditional UPDATE, so a double submit records
    one result."""

    __tablename__ = "modules_quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "slug", "number"),
        Index("ix_modules_quiz_attempts_slug_passed", "slug", "passed"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules_modules.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    choice_order: Mapped[dict[str, list[int]]] = mapped_column(JSON)
    started_at: Mapped[timestamp]
    deadline: Mapped[dt.datetime | None]
    submitted_at: Mapped[dt.datetime | None]
    score: Mapped[float | None] = mapped_column(Float)  # percent
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # {question id: [choice ids]}
    answers: Mapped[dict[str, list[int]] | None] = mapped_column(JSON)
    results: Mapped[dict[str, bool] | None] = mapped_column(JSON)  # {question id: correct}

    module: Mapped[TrainingModule] = relationship()


class LessonProgress(Base):
    __tablename__ = "modules_lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("modules_lessons.id", ondelete="CASCADE"))
    read_at: Mapped[timestamp]

    lesson: Mapped[Lesson] = relationship()
