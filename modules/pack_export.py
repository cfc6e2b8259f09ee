"""Writing a pack back as a pack folder (export), the inverse of ``modules.packs.load_pack``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from modules.packs import LANGS, Pack


def _plain(text: dict[str, str]) -> dict[str, str]:
    return {lang: text[lang] for lang in LANGS if lang in text}


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def _dump(obj: Any, path: Path) -> None:
    path.write_text(yaml.dump(obj, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def write_pack(pack: Pack, folder: str | Path) -> None:
    """Write ``pack`` as a pack folder (inverse of ``load_pack``)."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    module: dict[str, Any] = {
        "slug": pack.slug,
        "version": pack.pack_version,
        "title": _plain(pack.title),
        "summary": _plain(pack.summary),
        "pass_mark": pack.pass_mark,
        "quiz": {
            "questions_per_attempt": pack.questions_per_attempt,
            "time_limit_minutes": pack.time_limit_minutes,
            "max_attempts": pack.max_attempts,
        },
        "lessons": [],
    }
    if pack.jp_hours is not None:  # absent: derived from the module's length
        jp = int(pack.jp_hours) if pack.jp_hours == int(pack.jp_hours) else pack.jp_hours
        module = {**{k: module[k] for k in ("slug", "version", "title", "summary")}, "jp_hours": jp, **module}
    if not pack.require_all_lessons_read:
        module["quiz"]["require_all_lessons_read"] = False
    for lesson in pack.lessons:
        entry: dict[str, Any] = {"key": lesson.key, "title": _plain(lesson.title), "file": lesson.file}
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
        if q.scenario:
            entry["scenario"] = True
        if q.topic is not None:
            entry["topic"] = q.topic
        if q.covers:
            entry["covers"] = list(q.covers)
        entry.update(
            {
                "rule": q.rule,
                "text": _plain(q.text),
                "choices": [
                    {"key": ch.key, "text": _plain(ch.text), **({"correct": True} if ch.correct else {})}
                    for ch in q.choices
                ],
                "explanation": _plain(q.explanation),
            }
        )
        questions.append(entry)
    _dump(questions, root / "questions.yaml")
    if pack.data:
        _dump({name: _data(value) for name, value in pack.data.items()}, root / "data.yaml")


def _data(value: Any) -> Any:
    """A data list in the shape it was given: a plain list, or {caption?, items}."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        if value.get("caption") is not None:
            out["caption"] = _plain(value["caption"])
        out["items"] = [_plain(i) for i in value.get("items", [])]
        return out
    return [_plain(i) for i in value]
