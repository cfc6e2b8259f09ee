"""Checks of the default content pack `modules/content/netralitas-asn`.

Plain YAML and file checks: no application needed. They guard the pack format the
`modules` plugin imports (module.yaml, lessons in two languages, questions.yaml,
data.yaml) and the content rules of the issue (every SKB 2022 code covered, the
correct decree number, current law).
"""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

PACK = Path(__file__).resolve().parents[2] / "modules" / "content" / "netralitas-asn"
LANGS = ("id", "en")
CODES = [f"E{i}" for i in range(1, 8)] + [f"D{i}" for i in range(1, 13)]
KEY_RE = re.compile(r"^[a-z0-9-]+$")
DATA_LINE_RE = re.compile(r"^\{\{ data:([A-Za-z0-9_]+) \}\}$")
TRUE_FALSE = ({"id": "Benar", "en": "True"}, {"id": "Salah", "en": "False"})
QUESTION_FIELDS = {"key", "type", "topic", "covers", "rule", "text", "choices", "explanation"}
SCENARIO_MARKUP = re.compile(r"^(::: scenario|:::|\? |- \[[ x]\] )")
# The case-study lesson is all scenarios: it may run longer than the others.
MAX_WORDS = {"studi-kasus": 1000}
RULE_WORDS = re.compile(r"\b(UU|PP|SKB|SE|Perpres|PermenPAN-RB|Putusan|Pasal|Lampiran|Ikrar)\b")


def load(name):
    with open(PACK / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def module():
    return load("module.yaml")


@pytest.fixture(scope="module")
def questions():
    return load("questions.yaml")


@pytest.fixture(scope="module")
def data():
    return load("data.yaml")


def lesson_text(lesson, lang):
    return (PACK / f"{lesson['file']}.{lang}.md").read_text(encoding="utf-8")


def assert_bilingual(value, where):
    assert isinstance(value, dict), f"{where}: expected {{id, en}}, got {value!r}"
    assert set(value) == set(LANGS), f"{where}: keys must be exactly id and en"
    for lang in LANGS:
        assert isinstance(value[lang], str) and value[lang].strip(), f"{where}.{lang} is empty"


def test_module_metadata(module):
    assert module["slug"] == "netralitas-asn"
    assert isinstance(module["version"], int) and module["version"] >= 1
    assert_bilingual(module["title"], "title")
    assert_bilingual(module["summary"], "summary")
    assert "jp_hours" not in module, "the shipped pack's JP come from its length (modules/reading.py)"
    assert isinstance(module["pass_mark"], int) and 0 < module["pass_mark"] <= 100
    quiz = module["quiz"]
    assert set(quiz) == {"questions_per_attempt", "time_limit_minutes", "max_attempts"}
    for name, value in quiz.items():
        assert isinstance(value, int) and value > 0, name


def test_lessons_structure(module):
    lessons = module["lessons"]
    assert len(lessons) >= 6
    keys = [lesson["key"] for lesson in lessons]
    assert len(keys) == len(set(keys)), "duplicate lesson keys"
    files = [lesson["file"] for lesson in lessons]
    assert len(files) == len(set(files)), "duplicate lesson files"
    for lesson in lessons:
        assert set(lesson) == {"key", "title", "file", "covers"}, lesson["key"]
        assert KEY_RE.match(lesson["key"]), lesson["key"]
        assert_bilingual(lesson["title"], f"lesson {lesson['key']} title")
        assert isinstance(lesson["covers"], list)
        assert set(lesson["covers"]) <= set(CODES), lesson["key"]
        for lang in LANGS:
            path = PACK / f"{lesson['file']}.{lang}.md"
            assert path.is_file(), f"missing {path}"
            assert path.read_text(encoding="utf-8").strip(), f"empty {path}"


def test_lesson_markdown_is_plain_and_short(module):
    for lesson in module["lessons"]:
        for lang in LANGS:
            text = lesson_text(lesson, lang)
            where = f"{lesson['file']}.{lang}.md"
            assert text.startswith("# "), f"{where}: must start with a level-1 heading"
            assert not re.search(r"<[A-Za-z!/]", text), f"{where}: raw HTML is not allowed"
            assert "![" not in text, f"{where}: images are not allowed"
            # Scenario markers are not read as words; the options and analysis are.
            prose = "\n".join(SCENARIO_MARKUP.sub("", line) for line in text.splitlines())
            words = len(prose.split())
            assert 200 <= words <= MAX_WORDS.get(lesson["key"], 800), f"{where}: {words} words"


def test_data_placeholders_refer_to_existing_lists(module, data):
    used = set()
    for lesson in module["lessons"]:
        for lang in LANGS:
            for line in lesson_text(lesson, lang).splitlines():
                if "{{" in line or "}}" in line:
                    match = DATA_LINE_RE.match(line)
                    assert match, f"{lesson['file']}.{lang}: malformed placeholder {line!r}"
                    assert match.group(1) in data, f"unknown data list {match.group(1)}"
                    used.add(match.group(1))
    assert {"photo_poses", "reporting_channels"} <= used


def test_data_lists(data):
    assert isinstance(data, dict) and data
    assert {"photo_poses", "reporting_channels"} <= set(data)
    for name, entry in data.items():
        assert re.match(r"^[A-Za-z0-9_]+$", name), name
        if isinstance(entry, dict):  # a list that belongs to one election carries its caption
            assert set(entry) == {"caption", "items"}, name
            assert_bilingual(entry["caption"], f"data {name} caption")
            items = entry["items"]
        else:
            items = entry
        assert isinstance(items, list) and items, f"{name} must be a non-empty list"
        for i, item in enumerate(items):
            assert_bilingual(item, f"data {name}[{i}]")
    names = " ".join(item["id"] for item in data["reporting_channels"])
    for body in ("Bawaslu", "BKN", "SP4N-LAPOR!", "PPK"):
        assert body in names, f"reporting_channels lacks {body}"


def test_question_structure(questions, module):
    assert isinstance(questions, list) and len(questions) >= 40
    keys = [q["key"] for q in questions]
    assert len(keys) == len(set(keys)), "duplicate question keys"
    assert module["quiz"]["questions_per_attempt"] <= len(questions)
    for q in questions:
        where = f"question {q['key']}"
        assert set(q) - {"scenario"} == QUESTION_FIELDS, where
        assert q.get("scenario", False) in (True, False), where
        assert q["type"] in {"single", "multiple", "true_false"}, where
        assert KEY_RE.match(q["topic"]), where
        assert isinstance(q["covers"], list) and set(q["covers"]) <= set(CODES), where
        assert isinstance(q["rule"], str) and q["rule"].strip(), where
        assert_bilingual(q["text"], f"{where} text")
        assert_bilingual(q["explanation"], f"{where} explanation")
        for lang in LANGS:
            explanation = q["explanation"][lang]
            assert RULE_WORDS.search(explanation), f"{where}: explanation.{lang} names no rule"
        choices = q["choices"]
        choice_keys = [c["key"] for c in choices]
        assert len(choice_keys) == len(set(choice_keys)), f"{where}: duplicate choice keys"
        for c in choices:
            assert set(c) <= {"key", "text", "correct"}, where
            assert KEY_RE.match(c["key"]), where
            assert_bilingual(c["text"], f"{where} choice {c['key']}")
            assert c.get("correct", False) in (True, False), where
        correct = sum(1 for c in choices if c.get("correct"))
        if q["type"] == "single":
            assert len(choices) >= 2 and correct == 1, f"{where}: single needs exactly one correct"
        elif q["type"] == "multiple":
            assert len(choices) >= 3 and 1 <= correct < len(choices), f"{where}: bad multiple"
        else:
            assert len(choices) == 2 and correct == 1, f"{where}: true_false needs 2 choices"
            texts = sorted((c["text"] for c in choices), key=lambda t: t["id"])
            assert texts == list(TRUE_FALSE), f"{where}: choices must be Benar/True, Salah/False"


def test_question_type_mix(questions):
    types = Counter(q["type"] for q in questions)
    assert types["single"] >= 10 and types["multiple"] >= 5 and types["true_false"] >= 5, types


def test_codes_listed_in_questions_header():
    header = {}
    for line in (PACK / "questions.yaml").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#\s+([ED]\d+):\s+(\S.*)$", line)
        if match:
            header[match.group(1)] = match.group(2)
    assert sorted(header) == sorted(CODES)


def test_every_code_in_a_lesson_and_a_question(module, questions):
    lesson_codes = {code for lesson in module["lessons"] for code in lesson["covers"]}
    question_codes = {code for q in questions for code in q["covers"]}
    assert set(CODES) - lesson_codes == set(), "codes missing from lessons"
    assert set(CODES) - question_codes == set(), "codes missing from questions"


def test_covered_codes_are_explained_in_lesson_text(module):
    for lesson in module["lessons"]:
        for lang in LANGS:
            text = lesson_text(lesson, lang)
            for code in lesson["covers"]:
                where = f"{lesson['file']}.{lang}"
                assert re.search(rf"\b{code}\b", text), f"{where}: {code} not explained"


def test_legal_basis_lesson_cites_current_law(module):
    lesson = next(lesson for lesson in module["lessons"] if lesson["key"] == "dasar-hukum")
    for lang in LANGS:
        text = lesson_text(lesson, lang)
        assert "SKB Nomor 2 Tahun 2022" in text
        assert "UU Nomor 20 Tahun 2023" in text
        assert "UU Nomor 5 Tahun 2014" in text  # named as the revoked law
        assert "121/PUU-XXII/2024" in text


def test_wrong_decree_number_is_never_a_correct_answer(questions):
    for q in questions:
        for c in q["choices"]:
            if "Nomor 22 Tahun 2022" in c["text"]["id"]:
                assert not c.get("correct"), q["key"]
        assert "SKB Nomor 22 Tahun 2022" not in q["rule"]


def test_sources_disagree_is_stated(module):
    texts = {lesson["key"]: lesson_text(lesson, "id") for lesson in module["lessons"]}
    assert "sumber berbeda" in texts["sanksi"].lower()
    assert "tidak sepakat" in texts["larangan-kegiatan"].lower()
