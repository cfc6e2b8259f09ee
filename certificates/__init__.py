"""The `certificates` plugin of Ikrar (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask

from lms.plugins import Plugin

if TYPE_CHECKING:
    from lms.models import Program, User
    from lms.requirements import OutcomeColumn, ProgramOutcome


class CertificatesPlugin(Plugin):
    name = "certificates"
    models_module = "certificates.models"
    default_config: dict[str, Any] = {
        # A certificate is valid through this many days after its program's election voting day
        # (a new election means a new program and new certificates); 0 or None: never expires.
        "CERTIFICATES_VALID_DAYS_AFTER_VOTING_DAY": 180,
        "CERTIFICATES_PKCS12_PATH": None,  # one PKCS#12 seal for every agency
        "CERTIFICATES_PKCS12_PASSWORD": None,
        "CERTIFICATES_PKCS12": {},  # per agency code: {"path": ..., "password": ...}
        "CERTIFICATES_TRUST_ROOTS": [],  # extra CA files trusted by `verify-pdf`
        "CERTIFICATES_RATELIMIT_NIP": "10 per hour",
        "CERTIFICATES_MAX_UPLOAD": 10 * 1024 * 1024,
    }

    def init_app(self, app: Flask) -> None:
        from lms.scoping import register_person_target

        from . import cli, handlers, menus, public, views
        from .models import Certificate

        public.init_app(app)
        views.init_app(app)
        menus.register_menus(app)
        handlers.init_app(app)
        register_person_target(app, "certificate", Certificate.code, Certificate.user_id)
        app.cli.add_command(cli.certificates_cli)

    def program_outcomes(self, user: User, program: Program) -> list[ProgramOutcome]:
        from .services import program_outcome

        return [program_outcome(user, program)]

    def outcome_columns(self, program: Program) -> list[OutcomeColumn]:
        from flask_babel import lazy_gettext as _l

        from lms.requirements import OutcomeColumn

        from .services import certified_user_ids

        return [OutcomeColumn("certified", _l("Bersertifikat"), certified_user_ids(program.id))]

    def seed_demo(self, app: Flask) -> None:
        from .demo import seed

        seed(app)
