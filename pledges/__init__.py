"""The `pledges` plugin of Ikrar: Pakta Integritas, evidence, a hash-chained ledger, receipts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lms.plugins import Plugin

if TYPE_CHECKING:
    from flask import Flask

    from lms.models import Program, User
    from lms.requirements import ProgramOutcome


class PledgesPlugin(Plugin):
    name = "pledges"
    models_module = "pledges.models"
    default_config: dict[str, Any] = {
        # How long the signing form stays valid after it was shown (seconds).
        "PLEDGE_FORM_MAX_AGE": 2 * 3600,
        # Limits for a drawn signature image.
        "PLEDGE_MAX_IMAGE_BYTES": 200 * 1024,
        "PLEDGE_IMAGE_WIDTH": (200, 2000),
        "PLEDGE_IMAGE_HEIGHT": (80, 1000),
        # Attempts at the signing form (each checks the password).
        # Per signer, not per IP: a whole office may sign from behind one NAT address.
        "RATELIMIT_PLEDGE_SIGN": "10 per minute;60 per hour",
    }

    def init_app(self, app: Flask) -> None:
        from pledges import cli, menus, views
        from pledges.kinds import PledgeKind

        app.register_blueprint(views.bp)
        app.cli.add_command(cli.pledges_cli)
        app.extensions["lms.requirements"].register(PledgeKind())
        menus.register_menus(app)

    def program_outcomes(self, user: User, program: Program) -> list[ProgramOutcome]:
        from flask import url_for
        from flask_babel import gettext as _

        from lms.requirements import ProgramOutcome
        from pledges import services

        items = []
        for key in services.program_pledge_keys(program):
            sig = services.find_signature(user.id, program.id, key)
            items.append(
                ProgramOutcome(
                    label=_("Tanda terima pakta"),
                    ready=sig is not None,
                    url=url_for("pledges.receipt", signature_id=sig.id) if sig else None,
                    description=_("Unduh bukti penandatanganan (PDF).") if sig else None,
                )
            )
        return items

    def seed_demo(self, app: Flask) -> None:
        from pledges.demo import seed

        seed(app)
