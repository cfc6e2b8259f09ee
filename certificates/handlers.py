"""Receivers of core signals: issue the certificate when a learner completes a program."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import InterfaceError, OperationalError

from lms.db import db
from lms.signals import program_completed

from . import services
from .signals import certificate_issued


def on_program_completed(sender: Any, user_id: int, program_id: int, **_: Any) -> None:
    """Issue (idempotently) in the completion's transaction. If rendering or sealing fails, the
    savepoint is rolled back and the completion still stands; it can be issued later with
    ``lms certificates issue NIP PROGRAM_ID``."""
    try:
        with db.session.begin_nested():
            cert = services.issue_certificate(user_id, program_id)
    except (OperationalError, InterfaceError):
        raise  # the database itself is gone: fail the whole request as a clean 503, write nothing
    except Exception:  # noqa: BLE001 - never lose the learner's completion over a PDF
        current_app.logger.exception("certificate for user %s program %s failed",
                                     user_id, program_id)
        return
    certificate_issued.send(current_app._get_current_object(), certificate_id=cert.id,
                            user_id=user_id, program_id=program_id)


def init_app(app: Flask) -> None:
    program_completed.connect(on_program_completed, sender=app, weak=False)
