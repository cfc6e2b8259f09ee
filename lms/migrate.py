"""Alembic wiring: one environment in ``migrations/``, one version branch per package.

In a checkout the core's Alembic home is the top-level ``migrations/``; an installed wheel carries
the same files as ``lms/migrations`` (setup.py maps one onto the other)."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
_INSTALLED = Path(__file__).resolve().parent / "migrations"
MIGRATIONS_DIR = _INSTALLED if _INSTALLED.is_dir() else ROOT / "migrations"


def alembic_config(app: Flask) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions")]
    for plugin in app.extensions["lms.plugins"].values():
        path = Path(plugin.migrations_path)
        if path.is_dir():
            locations.append(str(path))
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("version_path_separator", "space")
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["flask_app"] = app
    return cfg


def sqlite_foreign_keys(on: bool) -> None:
    """Switch SQLite's foreign key checks for a migration's table copies (batch mode), and check
    the whole database when switching them back on.

    A copied table that other tables point at trips the checks (the drop of the old table counts as
    a violation that is never uncounted). The pragma only changes outside a transaction, so the one
    the steps before opened is committed first (their work is complete)."""
    from alembic import op

    dbapi = op.get_bind().connection.driver_connection
    if dbapi.in_transaction:
        dbapi.commit()
    if on:
        problems = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign keys broken by the copy: {problems[:5]}")
    op.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
