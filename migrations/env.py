"""Alembic environment shared by the core and every plugin branch."""

from __future__ import annotations

from alembic import context
from flask import current_app

from lms.db import Base, UTCDateTime, db

config = context.config


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our TypeDecorators as plain SQLAlchemy types: revisions never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


app = config.attributes.get("flask_app") or current_app


def run_migrations() -> None:
    with app.app_context():
        connectable = db.engine
        with connectable.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                render_item=render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
        connection.close()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `lms db upgrade`")
run_migrations()
