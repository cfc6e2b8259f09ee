"""Content packs: the parsed pack, and ``load_pack`` that reads and validates a pack folder.

A pack is ``module.yaml`` + ``questions.yaml`` (+ optional ``data.yaml``) + one Markdown file per
lesson and language. ``load_pack`` collects every problem as ``file:line: message`` (line numbers
come from the YAML node marks, see ``modules.pack_yaml``; a missing key is reported at its
mapping's line) and raises ``PackInvalid`` with all of them, so the caller writes nothing. The
content hash is computed from the parsed content, so an exported pack (``modules.pack_export``)
re-imports with the same hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from modules.pack_yaml import LANGS, Checker, PackError, YamlMap, YamlSeq
from modules.scenarios import split_lesson

__all__ = [
    "LANGS",
    "Pack",
    "PackChoice",
    "PackError",
    "PackInvalid",
    "PackLesson",
    "PackQuestion",
    "data_list",
    "expand_data",
    "load_pack",
]

DATA_LINE_RE = re.compile(r"^\{\{\s*data:([A-Za-z0-9_-]+)\s*\}\}$")
QUESTION_TYPES = ("single", "multiple", "true_false")


class PackInvalid(ValueError):
    def __init__(self, errors: list[PackError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class PackChoice:
    key: str
    text: dict[str, str]
    correct: bool = False


@dataclass
class PackQuestion:
    key: str
    type: str
    topic: str | None
    rule: str | None
    covers: list[str]
    text: dict[str, str]
    explanation: dict[str, str]
    choices: list[PackChoice]
    scenario: bool = False  # puts a concrete situation to the learner


@dataclass
class PackLesson:
    key: str
    title: dict[str, str]
    file: str
    covers: list[str]
    markdown: dict[str, str]


@dataclass
class Pack:
    slug: str
    pack_version: int  # the label the pack gives itself (``version`` in module.yaml)
    title: dict[str, str]
    summary: dict[str, str]
    jp_hours: float | None  # None: derived from the module's length (``modules.reading``)
    pass_mark: int
    questions_per_attempt: int
    time_limit_minutes: int | None
    max_attempts: int | None
    lessons: list[PackLesson] = field(default_factory=list)
    questions: list[PackQuestion] = field(default_factory=list)
    # a list is a plain list of {id, en} items, or {"caption": {id, en}, "items": [...]}
    data: dict[str, Any] = field(default_factory=dict)
    require_all_lessons_read: bool = True  # the quiz opens once every lesson is read

    def content_hash(self) -> str:
        content = asdict(self)
        content["version"] = content.pop("pack_version")  # hashes stay those of earlier imports
        if content["require_all_lessons_read"]:  # settings at their default leave the hash as it was
            del content["require_all_lessons_read"]
        for question in content["questions"]:
            if not question["scenario"]:
                del question["scenario"]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


# Numbers a pack may set: the INTEGER columns hold 2^31 - 1; a quiz lasts at most a week (the
# deadline is computed as start + limit, which a huge limit would overflow).
MAX_INT = 2**31 - 1
MAX_TIME_LIMIT = 7 * 24 * 60
MAX_JP_HOURS = 1000
MODULE_KEYS = {"slug", "version", "title", "summary", "jp_hours", "pass_mark", "quiz", "lessons"}
QUIZ_KEYS = {"questions_per_attempt", "time_limit_minutes", "max_attempts", "require_all_lessons_read"}
LESSON_KEYS = {"key", "title", "file", "covers"}
QUESTION_KEYS = {"key", "type", "topic", "covers", "rule", "text", "choices", "explanation", "scenario"}
DATA_KEYS = {"caption", "items"}
CHOICE_KEYS = {"key", "text", "correct"}


def load_pack(folder: str | Path) -> Pack:
    """Parse and validate the pack in ``folder``; raise ``PackInvalid`` listing every error."""
    root = Path(folder)
    errors: list[PackError] = []
    if not root.is_dir():
        raise PackInvalid([PackError(str(root), 0, "not a folder")])
    data = _load_data(root, errors)
    pack = _load_module(root, errors, data)
    questions = _load_questions(root, errors)
    if pack is not None:
        pack.questions = questions
        n = len(questions)
        if pack.questions_per_attempt > n and not any(e.file == "questions.yaml" for e in errors):
            errors.append(
                PackError(
                    "module.yaml",
                    pack.questions_per_attempt_line,
                    f"questions_per_attempt ({pack.questions_per_attempt}) is "
                    f"more than the {n} questions in questions.yaml",
                )
            )
    if errors or pack is None:
        raise PackInvalid(errors or [PackError("module.yaml", 0, "invalid module")])
    return pack


def _load_data(root: Path, errors: list[PackError]) -> dict[str, Any]:
    path = root / "data.yaml"
    if not path.exists():
        return {}
    c = Checker(errors, "data.yaml")
    raw = c.load(path)
    if raw is None:
        return {}
    m = c.mapping(raw, 1, "data.yaml")
    if m is None:
        return {}
    out: dict[str, Any] = {}
    for name, value in m.items():
        if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_-]+$", name):
            c.err(c.line_of(m, name), f"data list name {name!r} must match [A-Za-z0-9_-]+")
            continue
        if isinstance(value, YamlMap):  # {caption: {id, en}, items: [...]}
            c.unknown_keys(value, DATA_KEYS, f"data {name!r}")
            items = value.get("items")
            if not isinstance(items, YamlSeq):
                c.err(c.line_of(value, "items"), f"data {name!r} needs 'items', a list of {{id: ..., en: ...}}")
                continue
            entry: dict[str, Any] = {"items": _data_items(c, name, items)}
            if "caption" in value:
                entry = {"caption": c.bilingual(value, "caption"), **entry}
            out[name] = entry
        elif isinstance(value, YamlSeq):
            out[name] = _data_items(c, name, value)
        else:
            c.err(c.line_of(m, name), f"data {name!r} must be a list, or a mapping with 'caption' and 'items'")
    return out


def _data_items(c: Checker, name: str, items: YamlSeq) -> list[dict[str, str]]:
    values = []
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, YamlMap):
            c.err(line, f"each item of {name!r} must be a mapping {{id: ..., en: ...}}")
            continue
        wrapper = YamlMap({"item": item})
        wrapper.line, wrapper.key_lines = line, {"item": line}
        values.append(c.bilingual(wrapper, "item"))
    return values


def _load_module(root: Path, errors: list[PackError], data: dict[str, Any]) -> Pack | None:
    c = Checker(errors, "module.yaml")
    raw = c.load(root / "module.yaml")
    if raw is None:
        return None
    m = c.mapping(raw, 1, "module.yaml")
    if m is None:
        return None
    c.unknown_keys(m, MODULE_KEYS, "module.yaml")
    slug = c.slug(m, "slug")
    version = c.integer(m, "version", 1, MAX_INT)
    title, summary = c.bilingual(m, "title"), c.bilingual(m, "summary")
    jp = m.get("jp_hours")  # absent or null: derived from the module's length
    if jp is not None and (not isinstance(jp, int | float) or isinstance(jp, bool) or not 0 <= jp <= MAX_JP_HOURS):
        c.err(c.line_of(m, "jp_hours"), f"'jp_hours' must be a number 0..{MAX_JP_HOURS}, got {jp!r}")
        jp = None
    pass_mark = c.integer(m, "pass_mark", 1, 100)
    quiz = c.mapping(m.get("quiz"), c.line_of(m, "quiz"), "'quiz'") if "quiz" in m else None
    if "quiz" not in m:
        c.err(m.line, "missing required key 'quiz'")
    per_attempt = time_limit = max_attempts = None
    per_attempt_line = m.line
    require_read = True
    if quiz is not None:
        c.unknown_keys(quiz, QUIZ_KEYS, "quiz")
        per_attempt = c.integer(quiz, "questions_per_attempt", 1, MAX_INT)
        per_attempt_line = c.line_of(quiz, "questions_per_attempt")
        time_limit = c.integer(quiz, "time_limit_minutes", 1, MAX_TIME_LIMIT, nullable=True, required=False)
        max_attempts = c.integer(quiz, "max_attempts", 1, MAX_INT, nullable=True, required=False)
        require_read = quiz.get("require_all_lessons_read", True)
        if not isinstance(require_read, bool):
            c.err(c.line_of(quiz, "require_all_lessons_read"), "'require_all_lessons_read' must be true or false")
            require_read = True
    lessons: list[PackLesson] = []
    raw_lessons = m.get("lessons")
    if not isinstance(raw_lessons, YamlSeq) or not raw_lessons:
        c.err(c.line_of(m, "lessons"), "'lessons' must be a non-empty list")
    else:
        seen: set[str] = set()
        for item, line in zip(raw_lessons, raw_lessons.item_lines, strict=True):
            lm = c.mapping(item, line, "a lesson")
            if lm is None:
                continue
            c.unknown_keys(lm, LESSON_KEYS, "a lesson")
            key = c.slug(lm, "key")
            if key is not None:
                if key in seen:
                    c.err(c.line_of(lm, "key"), f"duplicate lesson key {key!r}")
                seen.add(key)
            ltitle = c.bilingual(lm, "title")
            file = c.text(lm, "file")
            covers = c.codes(lm, "covers")
            markdown: dict[str, str] = {}
            if file is not None:
                if file.startswith("/") or ".." in Path(file).parts:
                    c.err(c.line_of(lm, "file"), f"lesson file {file!r} must stay inside the pack")
                else:
                    for lang in LANGS:
                        markdown[lang] = _read_lesson(root, f"{file}.{lang}.md", errors, data, c.line_of(lm, "file"))
                    _same_scenarios(file, markdown, errors)
            if key is not None and file is not None:
                lessons.append(PackLesson(key, ltitle, file, covers, markdown))
    if errors and any(e.file == "module.yaml" for e in errors):
        return None
    assert slug and version and pass_mark and per_attempt
    pack = Pack(
        slug=slug,
        pack_version=version,
        title=title,
        summary=summary,
        jp_hours=float(jp) if jp is not None else None,
        pass_mark=pass_mark,
        questions_per_attempt=per_attempt,
        time_limit_minutes=time_limit,
        max_attempts=max_attempts,
        lessons=lessons,
        data=data,
        require_all_lessons_read=require_read,
    )
    pack.questions_per_attempt_line = per_attempt_line
    return pack


def _read_lesson(root: Path, rel: str, errors: list[PackError], data: dict[str, Any], ref_line: int) -> str:
    path = root / rel
    if not path.is_file():
        errors.append(PackError("module.yaml", ref_line, f"lesson file {rel} is missing"))
        return ""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        errors.append(PackError(rel, 0, f"not UTF-8 text (byte {exc.start})"))
        return ""
    if not text.strip():
        errors.append(PackError(rel, 1, "lesson is empty"))
    for number, line in enumerate(text.splitlines(), start=1):
        match = DATA_LINE_RE.match(line.strip())
        if match and match.group(1) not in data:
            errors.append(PackError(rel, number, f"unknown data list {match.group(1)!r} (define it in data.yaml)"))
    errors.extend(PackError(rel, line, message) for line, message in split_lesson(text).errors)
    return text


def _same_scenarios(file: str, markdown: dict[str, str], errors: list[PackError]) -> None:
    """The languages of a lesson have the same scenarios, the right option at the same place."""
    if len(markdown) != len(LANGS):
        return
    splits = {lang: split_lesson(text) for lang, text in markdown.items()}
    if any(split.errors for split in splits.values()):
        return  # reported with their lines already
    found = {lang: split.scenarios for lang, split in splits.items()}
    first, *others = LANGS
    for lang in others:
        rel = f"{file}.{lang}.md"
        if len(found[lang]) != len(found[first]):
            theirs = f"{file}.{first}.md has {len(found[first])}"
            errors.append(PackError(rel, 1, f"{len(found[lang])} scenario block(s), but {theirs}"))
            continue
        for mine, theirs in zip(found[lang], found[first], strict=True):
            if (len(mine.options), mine.right_index) != (len(theirs.options), theirs.right_index):
                errors.append(
                    PackError(
                        rel,
                        mine.line,
                        f"scenario block has {len(mine.options)} options, right option {mine.right_index + 1}; in "
                        f"{file}.{first}.md (line {theirs.line}) {len(theirs.options)} options, right option "
                        f"{theirs.right_index + 1}",
                    )
                )


def _load_questions(root: Path, errors: list[PackError]) -> list[PackQuestion]:
    c = Checker(errors, "questions.yaml")
    raw = c.load(root / "questions.yaml")
    if raw is None:
        return []
    if not isinstance(raw, YamlSeq) or not raw:
        c.err(getattr(raw, "line", 1), "questions.yaml must be a non-empty list of questions")
        return []
    out: list[PackQuestion] = []
    seen: set[str] = set()
    for item, line in zip(raw, raw.item_lines, strict=True):
        q = c.mapping(item, line, "a question")
        if q is None:
            continue
        c.unknown_keys(q, QUESTION_KEYS, "a question")
        key = c.text(q, "key")
        if key is not None:
            if key in seen:
                c.err(c.line_of(q, "key"), f"duplicate question key {key!r}")
            seen.add(key)
        qtype = c.text(q, "type")
        if qtype is not None and qtype not in QUESTION_TYPES:
            c.err(c.line_of(q, "type"), f"type must be one of {', '.join(QUESTION_TYPES)}, got {qtype!r}")
            qtype = None
        topic = c.text(q, "topic", required=False)
        rule = c.text(q, "rule")
        text = c.bilingual(q, "text")
        explanation = c.bilingual(q, "explanation")
        covers = c.codes(q, "covers")
        choices = _load_choices(c, q, qtype, key)
        scenario = q.get("scenario", False)
        if not isinstance(scenario, bool):
            c.err(c.line_of(q, "scenario"), "'scenario' must be true or false")
            scenario = False
        if key is not None and qtype is not None:
            out.append(PackQuestion(key, qtype, topic, rule, covers, text, explanation, choices, scenario))
    return out


def _load_choices(c: Checker, q: YamlMap, qtype: str | None, qkey: str | None) -> list[PackChoice]:
    raw = q.get("choices")
    if not isinstance(raw, YamlSeq) or not raw:
        c.err(c.line_of(q, "choices"), f"question {qkey!r}: 'choices' must be a non-empty list")
        return []
    choices: list[PackChoice] = []
    seen: set[str] = set()
    for item, line in zip(raw, raw.item_lines, strict=True):
        cm = c.mapping(item, line, "a choice")
        if cm is None:
            continue
        c.unknown_keys(cm, CHOICE_KEYS, "a choice")
        key = c.text(cm, "key")
        if key is not None:
            if key in seen:
                c.err(c.line_of(cm, "key"), f"duplicate choice key {key!r}")
            seen.add(key)
        correct = cm.get("correct", False)
        if not isinstance(correct, bool):
            c.err(c.line_of(cm, "correct"), "'correct' must be true or false")
            correct = False
        text = c.bilingual(cm, "text")
        if key is not None:
            choices.append(PackChoice(key, text, correct))
    n_correct = sum(ch.correct for ch in choices)
    where = c.line_of(q, "choices")
    if qtype == "single" and n_correct != 1:
        c.err(where, f"question {qkey!r} (single) needs exactly one correct choice, has {n_correct}")
    elif qtype == "multiple" and n_correct < 1:
        c.err(where, f"question {qkey!r} (multiple) needs at least one correct choice")
    elif qtype == "true_false" and (len(raw) != 2 or n_correct != 1):
        c.err(where, f"question {qkey!r} (true_false) needs exactly two choices, one correct")
    if qtype in ("single", "multiple") and len(raw) < 2:
        c.err(where, f"question {qkey!r} needs at least two choices")
    return choices


def data_list(value: Any) -> tuple[dict[str, str] | None, list[dict[str, str]]] | None:
    """(caption or None, items) of a data list in either shape (pack or ``Election.guidance``);
    None for anything else, so a malformed stored list is never shown (nor a 500)."""
    caption = None
    if isinstance(value, dict):
        caption, value = value.get("caption"), value.get("items")
        if caption is not None and not isinstance(caption, dict):
            return None
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        return None
    return caption, value


def _pick(text: dict[str, Any], lang: str) -> str:
    value = text.get(lang) or text.get("id") or ""
    return value if isinstance(value, str) else ""


def expand_data(markdown: str, data: dict[str, Any], lang: str, guidance: dict[str, Any] | None = None) -> str:
    """Replace each line that is exactly ``{{ data:NAME }}`` with NAME's caption (a paragraph)
    and a bulleted list, taking NAME from ``guidance`` (the election's) when it has a usable one."""
    lines = []
    for line in markdown.splitlines():
        match = DATA_LINE_RE.match(line.strip())
        found = None
        if match:
            name = match.group(1)
            found = data_list((guidance or {}).get(name)) or data_list(data.get(name))
        if found is None:
            lines.append(line)
            continue
        caption, items = found
        lines.append("")
        if caption and _pick(caption, lang).strip():
            lines.extend([" ".join(_pick(caption, lang).split()), ""])
        lines.extend(f"- {' '.join(_pick(item, lang).split())}" for item in items)
        lines.append("")
    return "\n".join(lines)
