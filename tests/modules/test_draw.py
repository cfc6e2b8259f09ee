"""Each attempt draws a question of every topic that has questions, then fills the rest at random
without repeats (fixture pack: topic kasus 8 questions, lapor 2, pose 1; 4 per attempt)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from lms.db import db
from lms.models import User
from modules import services

PACK = Path(__file__).parent / "packs" / "scenario"
SLUG = "uji-skenario"


def _module(app):
    services.import_pack(PACK)
    db.session.flush()
    return services.active_module(SLUG)


def test_every_topic_in_every_one_of_200_draws(app) -> None:
    with app.app_context():
        module = _module(app)
        questions = list(module.questions)
        seen: Counter[str] = Counter()
        firsts: Counter[str] = Counter()
        for _ in range(200):
            drawn = services.draw_questions(questions, 4)
            assert len(drawn) == 4 and len({q.id for q in drawn}) == 4  # no repeats
            assert {q.topic for q in drawn} == {"kasus", "pose", "lapor"}
            seen.update(q.key for q in drawn)
            firsts[drawn[0].topic] += 1
        assert seen["pose-1"] == 200  # the only question of its topic
        assert all(seen[f"kasus-{i}"] > 0 for i in range(1, 9))  # the fill is at random
        assert len(firsts) == 3  # and the order is shuffled
        db.session.rollback()


def test_more_topics_than_questions_per_attempt_draws_distinct_topics(app) -> None:
    with app.app_context():
        questions = list(_module(app).questions)
        rng = random.Random(7)
        topic_sets = set()
        for _ in range(200):
            drawn = services.draw_questions(questions, 2, rng)
            assert len(drawn) == 2 and len({q.topic for q in drawn}) == 2
            topic_sets.add(frozenset(q.topic for q in drawn))
        assert len(topic_sets) == 3  # every pair of the three topics comes up
        db.session.rollback()


def test_start_attempt_draws_across_topics(app, make) -> None:
    agency = make.agency()
    with app.app_context():
        module = _module(app)
        module.require_all_lessons_read = False  # this test is about the draw
        for _ in range(20):
            user = User(agency_id=agency.id, name="x", nip=None, email=None)
            db.session.add(user)
            db.session.flush()
            attempt = services.start_attempt(user, module)
            topics = {q.topic for q in services.attempt_questions(attempt)}
            assert topics == {"kasus", "pose", "lapor"} and len(attempt.question_ids) == 4
        db.session.rollback()
