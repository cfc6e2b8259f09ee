"""Reading the YAML files of a content pack with line numbers, and the checks every file shares.

``Checker.load`` parses a file into ``YamlMap``/``YamlSeq`` (dict and list that remember the line
of each node, so a message can name ``file:line``) and reports duplicate keys; the other
``Checker`` methods validate one value each and collect a ``PackError`` instead of raising, so a
pack's author sees every problem at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LANGS = ("id", "en")
SLUG_RE = re.compile(r"^[a-z0-9-]+$")


@dataclass(frozen=True)
class PackError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class YamlMap(dict):
    line: int = 0
    key_lines: dict[Any, int]


class YamlSeq(list):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            loader.duplicate_keys.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> YamlSeq:
    result = YamlSeq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


class Checker:
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
        loader.duplicate_keys = []
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
        for key, line in loader.duplicate_keys:
            self.err(line, f"duplicate key {key!r}")
        return data

    def mapping(self, value: Any, line: int, what: str) -> YamlMap | None:
        if not isinstance(value, YamlMap):
            self.err(getattr(value, "line", line), f"{what} must be a mapping")
            return None
        return value

    def line_of(self, m: YamlMap, key: str) -> int:
        return m.key_lines.get(key, m.line)

    def text(self, m: YamlMap, key: str, required: bool = True) -> str | None:
        value = m.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(m.line, f"missing required key {key!r}")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.err(self.line_of(m, key), f"{key!r} must be text")
            return None
        return str(value)

    def slug(self, m: YamlMap, key: str) -> str | None:
        value = self.text(m, key)
        if value is not None and not SLUG_RE.match(value):
            self.err(self.line_of(m, key), f"{key!r} must match [a-z0-9-]+, got {value!r}")
            return None
        return value

    def integer(
        self, m: YamlMap, key: str, low: int, high: int | None = None, nullable: bool = False, required: bool = True
    ) -> int | None:
        if key not in m:
            if required:
                self.err(m.line, f"missing required key {key!r}")
            return None
        value = m[key]
        if value is None:
            if not nullable:
                self.err(self.line_of(m, key), f"{key!r} may not be null")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
            bounds = f"{low}..{high}" if high is not None else f">= {low}"
            self.err(self.line_of(m, key), f"{key!r} must be an integer {bounds}, got {value!r}")
            return None
        return value

    def bilingual(self, m: YamlMap, key: str) -> dict[str, str]:
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
                self.err(
                    self.line_of(sub, lang) if lang in sub else sub.line,
                    f"{key!r} needs non-empty text in language {lang!r}",
                )
            else:
                out[lang] = text
        for extra in set(sub) - set(LANGS):
            self.err(self.line_of(sub, extra), f"unknown language {extra!r} in {key!r}")
        return out

    def codes(self, m: YamlMap, key: str) -> list[str]:
        value = m.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            self.err(self.line_of(m, key), f"{key!r} must be a list of codes")
            return []
        return [str(c) for c in value]

    def unknown_keys(self, m: YamlMap, allowed: set[str], what: str) -> None:
        for key in m:
            if key not in allowed:
                self.err(self.line_of(m, key), f"unknown key {key!r} in {what}")
