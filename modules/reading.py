"""How long a module takes, and so the JP hours it is worth.

A module's JP hours are the pack's ``jp_hours`` when it gives one; otherwise they come from its
length: the reading time of all lessons (words of the Indonesian text, with the data lists and
scenario blocks in it, at ``MODULES_READING_WPM`` words a minute: 150 by default, slow legal text)
plus the quiz's time limit (one minute a question when it has none), divided by the length of one
JP (``MODULES_JP_MINUTES``, 45 by default), rounded to the nearest half hour and at least 0.5.
"""

from __future__ import annotations

import math
import re

from flask import current_app

from modules.models import TrainingModule
from modules.packs import expand_data

WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
DEFAULT_WPM = 150
DEFAULT_JP_MINUTES = 45


def words(markdown: str) -> int:
    """Words a reader reads: runs of letters and digits (Markdown marks are not words)."""
    return len(WORD_RE.findall(markdown))


def reading_minutes(module: TrainingModule, wpm: float | None = None) -> float:
    wpm = wpm or float(current_app.config.get("MODULES_READING_WPM") or DEFAULT_WPM)
    total = sum(words(expand_data(le.markdown.get("id", ""), module.data or {}, "id")) for le in module.lessons)
    return total / wpm


def quiz_minutes(module: TrainingModule) -> float:
    return float(module.time_limit_minutes or module.questions_per_attempt)


def derived_jp_hours(module: TrainingModule) -> float:
    jp_minutes = float(current_app.config.get("MODULES_JP_MINUTES") or DEFAULT_JP_MINUTES)
    units = (reading_minutes(module) + quiz_minutes(module)) / jp_minutes
    return max(0.5, math.floor(units * 2 + 0.5) / 2)  # nearest half, halves up


def jp_hours(module: TrainingModule) -> float:
    """The JP hours a module is worth: the pack's ``jp_hours``, else from its length."""
    return float(module.jp_hours) if module.jp_hours is not None else derived_jp_hours(module)
