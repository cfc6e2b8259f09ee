"""The agency dashboard (core): completion figures, exports and reminders.

It reads requirement kinds from ``app.extensions["lms.requirements"]`` and plugins' outcome
columns from ``plugin.outcome_columns(program)``; it never imports a plugin.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from lms.menus import MenuItem, register_menu


def init_app(app: Flask) -> None:
    from lms.dashboard import models  # noqa: F401 - tables on Base.metadata
    from lms.dashboard.views import bp

    app.register_blueprint(bp)
    register_menu(
        app,
        "program",
        lambda program: [MenuItem(str(_l("Dasbor")), url_for("dashboard.program", program_id=program.id))],
    )
    register_menu(
        app,
        "agency",
        lambda agency: [MenuItem(str(_l("Dasbor")), url_for("dashboard.agency", agency_id=agency.id))],
    )
    init_cli(app)


def init_cli(app: Flask) -> None:
    """``lms programs remind``."""
    from lms.dashboard.cli import init_app as cli_init

    cli_init(app)
