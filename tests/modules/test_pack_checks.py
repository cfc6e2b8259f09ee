"""``modules.pack_checks`` on small fixture banks: a bank that has every property passes, and
each property, broken alone, gives its warning; ``lms modules import`` prints them and imports."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from modules.pack_checks import ANNEX_CODES, check_pack
from modules.packs import Pack, PackChoice, PackLesson, PackQuestion, load_pack
from tests.modules.helpers import PACK

LESSONS = ["dasar", "media", "sanksi", "lapor"]


def _choices(right_longest: bool) -> list[PackChoice]:
    right = "Menolak dengan sopan dan melapor" if right_longest else "Menolak"
    return [
        PackChoice("a", {"id": right, "en": right}, True),
        PackChoice("b", {"id": "Ikut datang sebentar saja", "en": "Go along for a short while"}),
        PackChoice("c", {"id": "Diam", "en": "Stay silent"}),
    ]


def good_bank() -> Pack:
    """80 single questions over 4 topics, each annex code covered 4 times, 40% scenarios, the
    right option the longest in 19 of 80 (24%)."""
    questions = []
    for i in range(80):
        questions.append(
            PackQuestion(
                key=f"q{i:02d}",
                type="single",
                topic=LESSONS[i % 4],
                rule="SKB 2022",
                covers=[ANNEX_CODES[i % len(ANNEX_CODES)]],
                text={
                    "id": f"Seorang ASN menghadapi situasi {i}. Apa yang tepat?",
                    "en": f"A civil servant faces case {i}.",
                },
                explanation={"id": "Karena.", "en": "Because."},
                choices=_choices(right_longest=i < 19),
                scenario=i % 5 < 2,
            )
        )
    lessons = [PackLesson(k, {"id": k, "en": k}, f"lessons/{k}", [], {"id": "x", "en": "x"}) for k in LESSONS]
    return Pack("uji", 1, {"id": "U", "en": "T"}, {"id": "U", "en": "T"}, None, 70, 10, 20, 3, lessons, questions)


def test_a_good_bank_has_no_warning() -> None:
    report = check_pack(good_bank())
    assert report.warnings == []
    f = report.figures
    assert f["questions"] == 80 and f["scenario_share"] == 0.4 and f["single_questions"] == 80
    assert f["keyed_longest_share"] == {"id": 0.237, "en": 0.237}
    assert set(f["coverage"]) == set(ANNEX_CODES) and min(f["coverage"].values()) == 4
    assert f["topics"] == {k: 20 for k in LESSONS} and f["cross_references"] == []


def _drop_last(p: Pack) -> None:
    p.questions.pop()


def _thin_code(p: Pack) -> None:
    for q in p.questions:
        if "D7" in q.covers:
            q.covers = ["E1"]
    next(q for q in p.questions if q.covers == ["E1"]).covers = ["D7"]


def _fewer_scenarios(p: Pack) -> None:
    next(q for q in p.questions if q.scenario).scenario = False


def _longest(lang: str) -> Callable[[Pack], None]:
    def mutate(p: Pack) -> None:
        q = p.questions[40]
        q.choices[0].text = {**q.choices[0].text, lang: "Menolak dengan sopan, lalu melapor kepada atasan"}

    return mutate


def _unknown_topic(p: Pack) -> None:
    p.questions[0].topic = "fasilitas"


def _lesson_without_question(p: Pack) -> None:
    p.lessons.append(PackLesson("ikrar", {"id": "I", "en": "P"}, "lessons/ikrar", [], {"id": "x", "en": "x"}))


def _refers(lang: str, words: str) -> Callable[[Pack], None]:
    def mutate(p: Pack) -> None:
        p.questions[3].text = {**p.questions[3].text, lang: words}

    return mutate


def _few_per_attempt(p: Pack) -> None:
    p.questions_per_attempt = 3


BROKEN = [
    ("79 questions", _drop_last, "79 questions; a bank needs at least 80"),
    ("a code covered once", _thin_code, "fewer than 2 questions: D7 (1)"),
    ("39% scenarios", _fewer_scenarios, "31 of 80 questions (39%) have 'scenario: true'"),
    ("longest right option id", _longest("id"), "[id] the right option is the longest in 20 of 80"),
    ("longest right option en", _longest("en"), "[en] the right option is the longest in 20 of 80"),
    ("topic no lesson", _unknown_topic, "topic is no lesson key: q00 (fasilitas)"),
    ("lesson without question", _lesson_without_question, "lessons without a question: ikrar"),
    ("refers id", _refers("id", "Analis yang sama kemudian diminta menjadi tim sukses."), "q03 [id]"),
    ("refers id 2", _refers("id", "Seperti pada soal sebelumnya, apa sanksinya?"), "q03 [id]"),
    ("refers en", _refers("en", "The same analyst is then asked to join the team."), "q03 [en]"),
    ("refers en 2", _refers("en", "As in the previous question, which sanction applies?"), "q03 [en]"),
    ("per attempt < topics", _few_per_attempt, "questions_per_attempt (3) is less than the 4 topics"),
]


@pytest.mark.parametrize("what, mutate, warning", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_property_broken_alone_warns(what, mutate, warning) -> None:
    pack = good_bank()
    mutate(pack)
    warnings = check_pack(pack).warnings
    assert len(warnings) == 1 and warning in warnings[0], warnings


def test_import_prints_the_warnings_and_still_imports(app) -> None:
    result = app.test_cli_runner().invoke(args=["modules", "import", str(PACK)])
    assert result.exit_code == 0, result.output
    assert "Pack check: 4 questions, 0% scenarios, 3 topics" in result.output
    assert "warning: 4 questions; a bank needs at least 80" in result.output
    assert "warning: questions whose topic is no lesson key: q02 (fasilitas)" in result.output
    assert "Imported uji-netral as version 1" in result.output
    assert check_pack(load_pack(PACK)).figures["keyed_longest_share"] == {"id": 0.5, "en": 1.0}
