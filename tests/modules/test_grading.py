"""Grading: a question is right only when the chosen set equals the correct set."""

from __future__ import annotations

import pytest

from modules.models import Choice, Question
from modules.services import grade


def _q(qid: int, qtype: str, correct: list[bool]) -> Question:
    q = Question(id=qid, key=f"q{qid}", type=qtype, position=qid, text={}, explanation={})
    q.choices = [Choice(id=qid * 10 + i, key=str(i), position=i, text={}, is_correct=c) for i, c in enumerate(correct)]
    return q


SINGLE = _q(1, "single", [False, True, False])
MULTI = _q(2, "multiple", [True, True, False])
TF = _q(3, "true_false", [True, False])


@pytest.mark.parametrize(
    ("question", "picked", "right"),
    [
        (SINGLE, [11], True),
        (SINGLE, [10], False),
        (SINGLE, [], False),
        (SINGLE, [10, 11], False),
        (MULTI, [20, 21], True),
        (MULTI, [21, 20], True),
        (MULTI, [20], False),
        (MULTI, [20, 21, 22], False),
        (MULTI, [22], False),
        (MULTI, [], False),
        (TF, [30], True),
        (TF, [31], False),
        (TF, [], False),
    ],
)
def test_each_type(question, picked, right) -> None:
    results, score = grade([question], {question.id: picked})
    assert results == {str(question.id): right}
    assert score == (100.0 if right else 0.0)


def test_score_is_percent_of_questions() -> None:
    results, score = grade([SINGLE, MULTI, TF], {1: [11], 2: [20], 3: [30]})
    assert results == {"1": True, "2": False, "3": True}
    assert score == pytest.approx(66.67)
