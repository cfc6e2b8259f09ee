"""Demo seeding: the pack (here the test pack stands in for Netralitas ASN) is imported, added to
every demo program, and some learners get progress and passed attempts; running it twice changes
nothing; without the pack folder the plugin skips silently."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.db import db
from lms.demo import demo_programs, seed_demo
from lms.models import ProgramCompletion
from modules import demo
from modules.models import LessonProgress, QuizAttempt, TrainingModule
from tests.modules.helpers import PACK, SLUG


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(t))
        for t in (TrainingModule, QuizAttempt, LessonProgress, ProgramCompletion)
    )


def test_seed_demo_adds_module_progress_and_completions(app, monkeypatch) -> None:
    monkeypatch.setattr(demo, "PACK", PACK)
    monkeypatch.setattr(demo, "SLUG", SLUG)
    with app.app_context():
        list(seed_demo(app))
        programs = demo_programs()
        assert programs and all(any(r.kind == "module" and r.ref == SLUG for r in p.requirements) for p in programs)
        modules, attempts, progress, completions = _counts()
        assert modules == 1
        passed = db.session.scalar(
            select(func.count(func.distinct(QuizAttempt.user_id))).where(QuizAttempt.passed.is_(True))
        )
        assert passed == demo.PASSED_PER_AGENCY * len(programs)
        assert attempts > passed  # some learners failed once first
        assert progress > 0
        if all(r.kind == "module" for p in programs for r in p.requirements):
            assert completions == passed  # the core completed the module-only demo programs
        before = _counts()
        list(seed_demo(app))
        assert _counts() == before


def test_seed_demo_without_pack_skips(app, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(demo, "PACK", tmp_path / "absent")
    with app.app_context():
        list(seed_demo(app))
        assert _counts()[:3] == (0, 0, 0)
        assert not any(r.kind == "module" for p in demo_programs() for r in p.requirements)
