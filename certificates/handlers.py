"""Receivers of core signals: issue the certificate when a learner completes a program."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import InterfaceError, OperationalError

from lms.db import db
from lms.signals import program_completed

from . import services


def on_program_completed(sender: Any, user_id: int, program_id: int, **_: Any) -> None:
    """Issue (idempotently; the service sends ``certificate_issued`` for a new certificate only)
    in the completion's transaction. If rendering or sealing fails, the savepoint is rolled back
    and the completion still stands; it can be issued later with
    ``lms certificates issue NIP PROGRAM_ID``."""
    try:
        with db.session.begin_nested():
            services.issue_certificate(user_id, program_id)
    except (OperationalError, InterfaceError):
        raise  # the database itself is gone: fail the whole request as a clean 503, write nothing
    except Exception:  # noqa: BLE001 - never lose the learner's completion over a PDF
        current_app.logger.exception("certificate for user %s program %s failed", user_id, program_id)


def init_app(app: Flask) -> None:
    program_completed.connect(on_program_completed, sender=app, weak=False)
