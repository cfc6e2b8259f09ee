"""Properties a good question bank has, computed for any loaded pack (``check_pack``).

These are quality figures, not format rules: ``lms modules import`` prints the warnings and still
imports the pack. The thresholds are those agreed for the question bank:

* at least ``MIN_QUESTIONS`` questions;
* every SKB 2022 annex code (E1-E7, D1-D12) in ``covers`` of at least ``MIN_PER_CODE`` questions;
* at least ``MIN_SCENARIO_SHARE`` of the questions have ``scenario: true``;
* among ``single`` questions, the keyed option is the single strictly longest option (in
  characters) in less than ``MAX_KEYED_LONGEST_SHARE`` of them, in every language (a learner
  must not be able to pass by picking the longest answer);
* every topic is a lesson key, and every lesson has at least one question;
* no question's text refers to another question ("yang sama", "soal sebelumnya", "the same ...");
* ``questions_per_attempt`` is at least the number of topics (each attempt draws one question
  of every topic).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from modules.pack_yaml import LANGS
from modules.packs import Pack

ANNEX_CODES = [f"E{i}" for i in range(1, 8)] + [f"D{i}" for i in range(1, 13)]
MIN_QUESTIONS = 80
MIN_PER_CODE = 2
MIN_SCENARIO_SHARE = 0.40
MAX_KEYED_LONGEST_SHARE = 0.25
# words in a question's text that lean on another question (its situation, person or number)
CROSS_REFERENCES = {
    "id": re.compile(r"\b(yang sama|soal (sebelumnya|di atas|nomor)|pertanyaan (sebelumnya|di atas))\b", re.I),
    "en": re.compile(r"\b(the same|(previous|earlier|last|above) question|question above)\b", re.I),
}


@dataclass
class PackReport:
    figures: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def keyed_longest(choices: list[Any], lang: str) -> bool:
    """True when the one correct choice is strictly longer than every other choice."""
    right = [c for c in choices if c.correct]
    if len(right) != 1 or len(choices) < 2:
        return False
    length = len(right[0].text.get(lang, ""))
    return all(length > len(c.text.get(lang, "")) for c in choices if c is not right[0])


def check_pack(pack: Pack) -> PackReport:
    report = PackReport()
    figures, warn = report.figures, report.warnings.append
    questions = pack.questions
    n = len(questions)
    figures["questions"] = n
    if n < MIN_QUESTIONS:
        warn(f"{n} questions; a bank needs at least {MIN_QUESTIONS}")

    coverage = {code: sum(code in q.covers for q in questions) for code in ANNEX_CODES}
    figures["coverage"] = coverage
    thin = [f"{code} ({count})" for code, count in coverage.items() if count < MIN_PER_CODE]
    if thin:
        warn(f"annex codes in 'covers' of fewer than {MIN_PER_CODE} questions: {', '.join(thin)}")

    scenarios = sum(q.scenario for q in questions)
    figures["scenario_share"] = round(scenarios / n, 3) if n else 0.0
    if n and scenarios / n < MIN_SCENARIO_SHARE:
        warn(
            f"{scenarios} of {n} questions ({scenarios / n:.0%}) have 'scenario: true'; "
            f"at least {MIN_SCENARIO_SHARE:.0%} should"
        )

    singles = [q for q in questions if q.type == "single"]
    figures["single_questions"] = len(singles)
    figures["keyed_longest_share"] = {}
    for lang in LANGS:
        longest = [q.key for q in singles if keyed_longest(q.choices, lang)]
        share = len(longest) / len(singles) if singles else 0.0
        figures["keyed_longest_share"][lang] = round(share, 3)
        if singles and share >= MAX_KEYED_LONGEST_SHARE:
            warn(
                f"[{lang}] the right option is the longest in {len(longest)} of {len(singles)} single-answer "
                f"questions ({share:.0%}); keep it under {MAX_KEYED_LONGEST_SHARE:.0%}: {', '.join(longest)}"
            )

    lesson_keys = [le.key for le in pack.lessons]
    topics = sorted({q.topic for q in questions if q.topic})
    figures["topics"] = {t: sum(q.topic == t for q in questions) for t in topics}
    unknown = [f"{q.key} ({q.topic})" for q in questions if q.topic not in lesson_keys]
    if unknown:
        warn(f"questions whose topic is no lesson key: {', '.join(unknown)}")
    empty = [key for key in lesson_keys if key not in topics]
    if empty:
        warn(f"lessons without a question: {', '.join(empty)}")

    refs = [
        f"{q.key} [{lang}]"
        for q in questions
        for lang, pattern in CROSS_REFERENCES.items()
        if pattern.search(q.text.get(lang, ""))
    ]
    figures["cross_references"] = refs
    if refs:
        warn(f"questions that refer to another question (each must stand alone): {', '.join(refs)}")

    figures["questions_per_attempt"] = pack.questions_per_attempt
    if pack.questions_per_attempt < len(topics):
        warn(
            f"questions_per_attempt ({pack.questions_per_attempt}) is less than the {len(topics)} topics: "
            "an attempt cannot draw a question of every topic"
        )
    return report
