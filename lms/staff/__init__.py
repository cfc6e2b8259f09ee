"""Staff (core): an agency's staff list and records, the staff import, and invitations (the
activation links that let staff set their first password).

Pages live under ``/admin/agencies/<id>/staff``; templates in ``templates/staff/``; text in this
package's own catalogue (``scripts/i18n.py lms/staff``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and ``lms users import`` (after the core's ``users`` group)."""
    from lms.staff import models  # noqa: F401 - tables on Base.metadata
    from lms.staff.cli import init_app as init_cli
    from lms.staff.views import bp

    app.config.setdefault("STAFF_IMPORT_BACKGROUND_ROWS", 5000)
    app.config.setdefault("STAFF_UPLOAD_HOURS", 24)
    app.register_blueprint(bp)
    init_cli(app)
