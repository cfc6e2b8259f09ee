"""Scenario blocks in lesson Markdown: parsing and checking (rendering is in ``modules.rendering``).

A block starts with a line that is exactly ``::: scenario`` and ends with a line that is exactly
``:::``. Inside: the situation (Markdown), one line starting with ``? `` (the question), right
after it 2 to 4 option lines ``- [ ] text`` / ``- [x] text`` with exactly one ``[x]``, then the
analysis (Markdown), which the page shows only once the learner has picked an option.

``split_lesson`` cuts a lesson into plain Markdown parts and ``Scenario`` parts and lists every
problem with the line it is on, so a pack with a malformed block is refused at import, naming the
lesson file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPEN = "::: scenario"
CLOSE = ":::"
OPTION_RE = re.compile(r"^- \[( |x|X)\] (.*\S.*)$")
MIN_OPTIONS, MAX_OPTIONS = 2, 4


@dataclass
class Scenario:
    line: int  # line of ``::: scenario`` in the lesson file
    situation: str
    question: str
    options: list[tuple[str, bool]]  # (text, right)
    analysis: str

    @property
    def right_index(self) -> int:
        return next((i for i, (_, right) in enumerate(self.options) if right), -1)


@dataclass
class SplitLesson:
    parts: list[str | Scenario] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)

    @property
    def scenarios(self) -> list[Scenario]:
        return [p for p in self.parts if isinstance(p, Scenario)]


def split_lesson(text: str) -> SplitLesson:
    """Split ``text`` into Markdown strings and ``Scenario`` blocks (see the module docstring)."""
    out = SplitLesson()
    lines = text.splitlines()
    plain: list[str] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped == OPEN:
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() in (CLOSE, OPEN)), None)
            if end is None or lines[end].strip() == OPEN:
                out.errors.append((i + 1, "scenario block is not closed with a line ':::'"))
                plain.extend(lines[i : end if end is not None else len(lines)])
                i = end if end is not None else len(lines)
                continue
            scenario = _parse_block(lines[i + 1 : end], i + 1, out.errors)
            if scenario is None:
                plain.extend(lines[i : end + 1])
            else:
                if plain:
                    out.parts.append("\n".join(plain))
                    plain = []
                out.parts.append(scenario)
            i = end + 1
            continue
        if stripped == CLOSE:
            out.errors.append((i + 1, "':::' without an opening '::: scenario'"))
        elif stripped.startswith(":::"):
            out.errors.append((i + 1, f"unknown block {stripped!r} (only '::: scenario' is known)"))
        plain.append(lines[i])
        i += 1
    if plain:
        out.parts.append("\n".join(plain))
    return out


def _parse_block(body: list[str], open_line: int, errors: list[tuple[int, str]]) -> Scenario | None:
    """``body`` = the lines between ``::: scenario`` (at ``open_line``) and ``:::``."""
    where = f"scenario block at line {open_line}"
    questions = [n for n, line in enumerate(body) if line.startswith("? ")]
    if len(questions) != 1:
        found = "none" if not questions else f"{len(questions)}"
        errors.append((open_line, f"{where} needs exactly one question line starting with '? ', found {found}"))
        return None
    q = questions[0]
    question = body[q][2:].strip()
    if not question:
        errors.append((open_line + q + 1, f"{where}: the question line is empty"))
        return None
    n = q + 1
    while n < len(body) and not body[n].strip():
        n += 1  # blank lines between the question and its options are allowed
    options: list[tuple[str, bool]] = []
    first_option = n
    while n < len(body):
        match = OPTION_RE.match(body[n].rstrip())
        if not match:
            break
        options.append((match.group(2).strip(), match.group(1) != " "))
        n += 1
    ok = True
    situation = "\n".join(body[:q]).strip()
    analysis = "\n".join(body[n:]).strip()
    if not situation:
        errors.append((open_line, f"{where} has no situation before the question"))
        ok = False
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        errors.append(
            (
                open_line + first_option + 1,
                f"{where} needs {MIN_OPTIONS} to {MAX_OPTIONS} options '- [ ] ...' / '- [x] ...' right after "
                f"the question, found {len(options)}",
            )
        )
        ok = False
    elif sum(right for _, right in options) != 1:
        errors.append(
            (
                open_line + first_option + 1,
                f"{where} needs exactly one right option '- [x] ...', found {sum(right for _, right in options)}",
            )
        )
        ok = False
    if not analysis:
        errors.append((open_line + n + 1, f"{where} has no analysis after the options"))
        ok = False
    return Scenario(open_line, situation, question, options, analysis) if ok else None
