"""Keys created on first use are created once, even when several workers start cold at
the same moment (a real race between threads, each with its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from lms import keys
from lms.db import db
from lms.models import SigningKey

WORKERS = 4


def race(app: Flask, work: Callable[[], object]) -> list[BaseException]:
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait()
                work()
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_one_signing_key_when_workers_start_cold(app: Flask) -> None:
    assert race(app, keys.active_key) == []
    with app.app_context():
        active = db.session.scalar(select(func.count()).select_from(SigningKey).where(SigningKey.retired_at.is_(None)))
        assert active == 1
