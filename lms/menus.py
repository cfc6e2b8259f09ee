"""Admin menu slots that plugins and the dashboard fill, so core templates never name a plugin.

Slots: ``agency`` (agency sub-navigation, called with the Agency), ``program`` (links on a program
row, called with the Program), ``staff`` (buttons above the staff list, called with the Agency).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

SLOTS = ("agency", "program", "staff")


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str


MenuProvider = Callable[[Any], list[MenuItem]]


def register_menu(app: Flask, slot: str, provider: MenuProvider) -> None:
    if slot not in SLOTS:
        raise ValueError(f"unknown menu slot {slot!r}")
    app.extensions.setdefault("lms.menus", {s: [] for s in SLOTS})[slot].append(provider)


def items(slot: str, obj: Any) -> list[MenuItem]:
    providers = current_app.extensions.get("lms.menus", {}).get(slot, [])
    return [item for provider in providers for item in provider(obj)]
