"""Content packs: parse and validate a pack folder, and write one back (export).

A pack is ``module.yaml`` + ``questions.yaml`` (+ optional ``data.yaml``) + one Markdown file per
lesson and language. ``load_pack`` collects every problem as ``file:line: message`` (line numbers
come from the YAML node marks; a missing key is reported at its mapping's line) and raises
``PackInvalid`` with all of them, so the caller writes nothing. The content hash is computed from
the parsed content, so an exported pack re-imports with the same hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGS = ("id", "en")
SLUG_RE = re.compile(r"^[a-z0-9-]+$")
DATA_LINE_RE = re.compile(r"^\{\{\s*data:([A-Za-z0-9_-]+)\s*\}\}$")
QUESTION_TYPES = ("single", "multiple", "true_false")


@dataclass(frozen=True)
class PackError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


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
    version: int
    title: dict[str, str]
    summary: dict[str, str]
    jp_hours: float
    pass_mark: int
    questions_per_attempt: int
    time_limit_minutes: int | None
    max_attempts: int | None
    lessons: list[PackLesson] = field(default_factory=list)
    questions: list[PackQuestion] = field(default_factory=list)
    data: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def content_hash(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


# --- YAML with line numbers ----------

class _Map(dict):  # type: ignore[type-arg]
    line: int = 0
    key_lines: dict[Any, int]


class _Seq(list):  # type: ignore[type-arg]
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            loader.duplicate_keys.append((key, key_node.start_mark.line + 1))  # type: ignore[attr-defined]
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


class _Checker:
    """Collects errors for one file."""

    def __init__(self, errors: list[PackError], file: str) -> None:
        self.errors, self.file = errors, file

    def err(self, line: int, message: str) -> None:
        self.errors.append(PackError(self.file, line, message))

    def load(self, path: Path) -> Any:
        if not path.is_file():
            self.err(0, "file is missing")
            return None
        try:
            loader = _Loader(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            self.err(0, f"not UTF-8 text (byte {exc.start})")
            return None
        except yaml.YAMLError as exc:  # e.g. a control character the YAML reader refuses
            self.err(getattr(getattr(exc, "line", None), "real", 0) or 0, f"unreadable YAML: {exc}")
            return None
        loader.duplicate_keys = []  # type: ignore[attr-defined]
        try:
            data = loader.get_single_data()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            self.err(mark.line + 1 if mark else 0, f"YAML syntax error: {exc.problem}")
            return None
        except yaml.YAMLError as exc:
            self.err(0, f"unreadable YAML: {exc}")
            return None
        finally:
            loader.dispose()
        for key, line in loader.duplicate_keys:  # type: ignore[attr-defined]
            self.err(line, f"duplicate key {key!r}")
        return data

    def mapping(self, value: Any, line: int, what: str) -> _Map | None:
        if not isinstance(value, _Map):
            self.err(getattr(value, "line", line), f"{what} must be a mapping")
            return None
        return value

    def line_of(self, m: _Map, key: str) -> int:
        return m.key_lines.get(key, m.line)

    def text(self, m: _Map, key: str, required: bool = True) -> str | None:
        value = m.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(m.line, f"missing required key {key!r}")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.err(self.line_of(m, key), f"{key!r} must be text")
            return None
        return str(value)

    def slug(self, m: _Map, key: str) -> str | None:
        value = self.text(m, key)
        if value is not None and not SLUG_RE.match(value):
            self.err(self.line_of(m, key), f"{key!r} must match [a-z0-9-]+, got {value!r}")
            return None
        return value

    def integer(self, m: _Map, key: str, low: int, high: int | None = None,
                nullable: bool = False, required: bool = True) -> int | None:
        if key not in m:
            if required:
                self.err(m.line, f"missing required key {key!r}")
            return None
        value = m[key]
        if value is None:
            if not nullable:
                self.err(self.line_of(m, key), f"{key!r} may not be null")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < low or (
                high is not None and value > high):
            bounds = f"{low}..{high}" if high is not None else f">= {low}"
            self.err(self.line_of(m, key), f"{key!r} must be an integer {bounds}, got {value!r}")
            return None
        return value

    def bilingual(self, m: _Map, key: str) -> dict[str, str]:
        value = m.get(key)
        if value is None:
            self.err(m.line, f"missing required key {key!r}")
            return {}
        sub = self.mapping(value, self.line_of(m, key), repr(key))
        if sub is None:
            return {}
        out: dict[str, str] = {}
        for lang in LANGS:
            text = sub.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.err(self.line_of(sub, lang) if lang in sub else sub.line,
                         f"{key!r} needs non-empty text in language {lang!r}")
            else:
                out[lang] = text
        for extra in set(sub) - set(LANGS):
            self.err(self.line_of(sub, extra), f"unknown language {extra!r} in {key!r}")
        return out

    def codes(self, m: _Map, key: str) -> list[str]:
        value = m.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            self.err(self.line_of(m, key), f"{key!r} must be a list of codes")
            return []
        return [str(c) for c in value]

    def unknown_keys(self, m: _Map, allowed: set[str], what: str) -> None:
        for key in m:
            if key not in allowed:
                self.err(self.line_of(m, key), f"unknown key {key!r} in {what}")


# --- loading ----------

# Numbers a pack may set: the INTEGER columns hold 2^31 - 1; a quiz lasts at most a week (the
# deadline is computed as start + limit, which a huge limit would overflow).
MAX_INT = 2**31 - 1
MAX_TIME_LIMIT = 7 * 24 * 60
MAX_JP_HOURS = 1000
MODULE_KEYS = {"slug", "version", "title", "summary", "jp_hours", "pass_mark", "quiz", "lessons"}
QUIZ_KEYS = {"questions_per_attempt", "time_limit_minutes", "max_attempts"}
LESSON_KEYS = {"key", "title", "file", "covers"}
QUESTION_KEYS = {"key", "type", "topic", "covers", "rule", "text", "choices", "explanation"}
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
            errors.append(PackError("module.yaml", pack.questions_per_attempt_line,  # type: ignore[attr-defined]
                                    f"questions_per_attempt ({pack.questions_per_attempt}) is "
                                    f"more than the {n} questions in questions.yaml"))
    if errors or pack is None:
        raise PackInvalid(errors or [PackError("module.yaml", 0, "invalid module")])
    return pack


def _load_data(root: Path, errors: list[PackError]) -> dict[str, list[dict[str, str]]]:
    path = root / "data.yaml"
    if not path.exists():
        return {}
    c = _Checker(errors, "data.yaml")
    raw = c.load(path)
    if raw is None:
        return {}
    m = c.mapping(raw, 1, "data.yaml")
    if m is None:
        return {}
    out: dict[str, list[dict[str, str]]] = {}
    for name, items in m.items():
        if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_-]+$", name):
            c.err(c.line_of(m, name), f"data list name {name!r} must match [A-Za-z0-9_-]+")
            continue
        if not isinstance(items, _Seq):
            c.err(c.line_of(m, name), f"data {name!r} must be a list")
            continue
        values = []
        for item, line in zip(items, items.item_lines, strict=True):
            if not isinstance(item, _Map):
                c.err(line, f"each item of {name!r} must be a mapping {{id: ..., en: ...}}")
                continue
            wrapper = _Map({"item": item})
            wrapper.line, wrapper.key_lines = line, {"item": line}
            values.append(c.bilingual(wrapper, "item"))
        out[name] = values
    return out


def _load_module(root: Path, errors: list[PackError], data: dict[str, Any]) -> Pack | None:
    c = _Checker(errors, "module.yaml")
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
    jp = m.get("jp_hours", 0)
    if not isinstance(jp, int | float) or isinstance(jp, bool) or not 0 <= jp <= MAX_JP_HOURS:
        c.err(c.line_of(m, "jp_hours"),
              f"'jp_hours' must be a number 0..{MAX_JP_HOURS}, got {jp!r}")
        jp = 0
    pass_mark = c.integer(m, "pass_mark", 1, 100)
    quiz = c.mapping(m.get("quiz"), c.line_of(m, "quiz"), "'quiz'") if "quiz" in m else None
    if "quiz" not in m:
        c.err(m.line, "missing required key 'quiz'")
    per_attempt = time_limit = max_attempts = None
    per_attempt_line = m.line
    if quiz is not None:
        c.unknown_keys(quiz, QUIZ_KEYS, "quiz")
        per_attempt = c.integer(quiz, "questions_per_attempt", 1, MAX_INT)
        per_attempt_line = c.line_of(quiz, "questions_per_attempt")
        time_limit = c.integer(quiz, "time_limit_minutes", 1, MAX_TIME_LIMIT, nullable=True,
                               required=False)
        max_attempts = c.integer(quiz, "max_attempts", 1, MAX_INT, nullable=True, required=False)
    lessons: list[PackLesson] = []
    raw_lessons = m.get("lessons")
    if not isinstance(raw_lessons, _Seq) or not raw_lessons:
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
                        markdown[lang] = _read_lesson(root, f"{file}.{lang}.md", errors, data,
                                                      c.line_of(lm, "file"))
            if key is not None and file is not None:
                lessons.append(PackLesson(key, ltitle, file, covers, markdown))
    if errors and any(e.file == "module.yaml" for e in errors):
        return None
    assert slug and version and pass_mark and per_attempt
    pack = Pack(slug=slug, version=version, title=title, summary=summary, jp_hours=float(jp),
                pass_mark=pass_mark, questions_per_attempt=per_attempt,
                time_limit_minutes=time_limit, max_attempts=max_attempts, lessons=lessons,
                data=data)
    pack.questions_per_attempt_line = per_attempt_line  # type: ignore[attr-defined]
    return pack


def _read_lesson(root: Path, rel: str, errors: list[PackError], data: dict[str, Any],
                 ref_line: int) -> str:
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
            errors.append(PackError(rel, number, f"unknown data list {match.group(1)!r} "
                                                 "(define it in data.yaml)"))
    return text


def _load_questions(root: Path, errors: list[PackError]) -> list[PackQuestion]:
    c = _Checker(errors, "questions.yaml")
    raw = c.load(root / "questions.yaml")
    if raw is None:
        return []
    if not isinstance(raw, _Seq) or not raw:
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
            c.err(c.line_of(q, "type"), f"type must be one of {', '.join(QUESTION_TYPES)}, "
                                        f"got {qtype!r}")
            qtype = None
        topic = c.text(q, "topic", required=False)
        rule = c.text(q, "rule")
        text = c.bilingual(q, "text")
        explanation = c.bilingual(q, "explanation")
        covers = c.codes(q, "covers")
        choices = _load_choices(c, q, qtype, key)
        if key is not None and qtype is not None:
            out.append(PackQuestion(key, qtype, topic, rule, covers, text, explanation, choices))
    return out


def _load_choices(c: _Checker, q: _Map, qtype: str | None, qkey: str | None) -> list[PackChoice]:
    raw = q.get("choices")
    if not isinstance(raw, _Seq) or not raw:
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
        c.err(where, f"question {qkey!r} (single) needs exactly one correct choice, "
                     f"has {n_correct}")
    elif qtype == "multiple" and n_correct < 1:
        c.err(where, f"question {qkey!r} (multiple) needs at least one correct choice")
    elif qtype == "true_false" and (len(raw) != 2 or n_correct != 1):
        c.err(where, f"question {qkey!r} (true_false) needs exactly two choices, one correct")
    if qtype in ("single", "multiple") and len(raw) < 2:
        c.err(where, f"question {qkey!r} needs at least two choices")
    return choices


# --- export ----------

def _plain(text: dict[str, str]) -> dict[str, str]:
    return {lang: text[lang] for lang in LANGS if lang in text}


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def _dump(obj: Any, path: Path) -> None:
    path.write_text(yaml.dump(obj, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                              width=100), encoding="utf-8")


def write_pack(pack: Pack, folder: str | Path) -> None:
    """Write ``pack`` as a pack folder (inverse of ``load_pack``)."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    module: dict[str, Any] = {
        "slug": pack.slug, "version": pack.version, "title": _plain(pack.title),
        "summary": _plain(pack.summary),
        "jp_hours": int(pack.jp_hours) if pack.jp_hours == int(pack.jp_hours) else pack.jp_hours,
        "pass_mark": pack.pass_mark,
        "quiz": {"questions_per_attempt": pack.questions_per_attempt,
                 "time_limit_minutes": pack.time_limit_minutes,
                 "max_attempts": pack.max_attempts},
        "lessons": [],
    }
    for lesson in pack.lessons:
        entry: dict[str, Any] = {"key": lesson.key, "title": _plain(lesson.title),
                                 "file": lesson.file}
        if lesson.covers:
            entry["covers"] = list(lesson.covers)
        module["lessons"].append(entry)
        for lang in LANGS:
            target = root / f"{lesson.file}.{lang}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(lesson.markdown.get(lang, ""), encoding="utf-8")
    _dump(module, root / "module.yaml")
    questions = []
    for q in pack.questions:
        entry = {"key": q.key, "type": q.type}
        if q.topic is not None:
            entry["topic"] = q.topic
        if q.covers:
            entry["covers"] = list(q.covers)
        entry.update({"rule": q.rule, "text": _plain(q.text), "choices": [
            {"key": ch.key, "text": _plain(ch.text), **({"correct": True} if ch.correct else {})}
            for ch in q.choices], "explanation": _plain(q.explanation)})
        questions.append(entry)
    _dump(questions, root / "questions.yaml")
    if pack.data:
        _dump({name: [_plain(i) for i in items] for name, items in pack.data.items()},
              root / "data.yaml")


def expand_data(markdown: str, data: dict[str, list[dict[str, str]]], lang: str) -> str:
    """Replace each line that is exactly ``{{ data:NAME }}`` with a bulleted list."""
    lines = []
    for line in markdown.splitlines():
        match = DATA_LINE_RE.match(line.strip())
        if match and match.group(1) in data:
            items = data[match.group(1)]
            lines.append("")
            lines.extend(f"- {item.get(lang) or item.get('id', '')}" for item in items)
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines)
