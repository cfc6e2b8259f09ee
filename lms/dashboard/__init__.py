"""The agency dashboard (core): staff import, completion figures, exports and reminders.

It reads requirement kinds from ``app.extensions["lms.requirements"]`` and plugins' outcome
columns from ``plugin.outcome_columns(program)``; it never imports a plugin.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from lms.menus import MenuItem, register_menu
from lms.models import Agency


def init_app(app: Flask) -> None:
    from lms.dashboard import models  # noqa: F401 - tables on Base.metadata
    from lms.dashboard.views import bp

    app.config.setdefault("DASHBOARD_IMPORT_BACKGROUND_ROWS", 5000)
    app.config.setdefault("DASHBOARD_UPLOAD_HOURS", 24)
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
    register_menu(app, "staff", _staff_menu)
    init_cli(app)


def _staff_menu(agency: Agency) -> list[MenuItem]:
    from flask_login import current_user

    from lms.scoping import limited_unit_ids

    items = [
        MenuItem(str(_l("Tautan aktivasi")), url_for("dashboard.invitations", agency_id=agency.id))
    ]
    if limited_unit_ids(current_user) is None:  # import changes the whole agency's staff
        items.insert(
            0,
            MenuItem(
                str(_l("Impor pegawai")), url_for("dashboard.import_upload", agency_id=agency.id)
            ),
        )
    return items


def init_cli(app: Flask) -> None:
    """``lms users import`` (added to the core's ``users`` group) and ``lms programs remind``."""
    from lms.dashboard.cli import init_app as cli_init

    cli_init(app)
