"""Links the modules plugin adds to the core's menus."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _

from lms.menus import MenuItem, register_menu
from lms.models import Program


def register_menus(app: Flask) -> None:
    def program_links(program: Program) -> list[MenuItem]:
        if not any(r.kind == "module" for r in program.requirements):
            return []
        return [MenuItem(_("Statistik kuis"), url_for("modules.program_stats", program_id=program.id))]

    register_menu(app, "program", program_links)
