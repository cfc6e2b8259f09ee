"""The agency dashboard (core): staff import, completion figures, exports and reminders.

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

    app.config.setdefault("DASHBOARD_IMPORT_BACKGROUND_ROWS", 5000)
    app.config.setdefault("DASHBOARD_UPLOAD_HOURS", 24)
    app.config.setdefault("DASHBOARD_QUEUE", "ikrar")  # RQ queue for imports when REDIS_URL is set
    app.register_blueprint(bp)
    register_menu(
        app,
        "program",
        lambda program: [
            MenuItem(str(_l("Dasbor")), url_for("dashboard.program", program_id=program.id))
        ],
    )
    register_menu(
        app,
        "agency",
        lambda agency: [
            MenuItem(str(_l("Dasbor")), url_for("dashboard.agency", agency_id=agency.id))
        ],
    )
    register_menu(
        app,
        "staff",
        lambda agency: [
            MenuItem(
                str(_l("Impor pegawai")), url_for("dashboard.import_upload", agency_id=agency.id)
            ),
            MenuItem(
                str(_l("Tautan aktivasi")), url_for("dashboard.invitations", agency_id=agency.id)
            ),
        ],
    )
    init_cli(app)


def init_cli(app: Flask) -> None:
    """``lms users import`` (added to the core's ``users`` group) and ``lms programs remind``."""
    from lms.dashboard.cli import init_app as cli_init

    cli_init(app)
