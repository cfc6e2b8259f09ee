"""The shipped Netralitas ASN pack has every property of a good question bank (thresholds in
``modules.pack_checks``): enough questions, every annex code tested twice, scenarios, no "pick the
longest answer" shortcut, topics that are lessons, questions that stand alone, and an attempt that
can draw a question of every topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from modules import pack_checks
from modules.pack_checks import check_pack
from modules.packs import load_pack

SHIPPED = Path(__file__).resolve().parents[2] / "modules" / "content" / "netralitas-asn"


@pytest.fixture(scope="module")
def pack():
    return load_pack(SHIPPED)


@pytest.fixture(scope="module")
def figures(pack):
    return check_pack(pack).figures


def test_at_least_80_questions(figures) -> None:
    assert figures["questions"] >= pack_checks.MIN_QUESTIONS


def test_every_annex_code_is_tested_by_two_questions(figures) -> None:
    thin = {code: n for code, n in figures["coverage"].items() if n < pack_checks.MIN_PER_CODE}
    assert thin == {}


def test_at_least_40_percent_scenarios(figures) -> None:
    assert figures["scenario_share"] >= pack_checks.MIN_SCENARIO_SHARE


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_right_option_is_rarely_the_longest(figures, lang) -> None:
    assert figures["keyed_longest_share"][lang] < pack_checks.MAX_KEYED_LONGEST_SHARE


def test_topics_are_lessons_and_every_lesson_has_questions(pack, figures) -> None:
    lessons = {le.key for le in pack.lessons}
    assert [q.key for q in pack.questions if q.topic not in lessons] == []
    assert sorted(lessons - set(figures["topics"])) == []


def test_no_question_refers_to_another(figures) -> None:
    assert figures["cross_references"] == []


def test_an_attempt_draws_every_topic(figures) -> None:
    assert figures["questions_per_attempt"] >= len(figures["topics"])


def test_no_warning_at_all(pack) -> None:
    assert check_pack(pack).warnings == []
