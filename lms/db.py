"""Database base class, column type aliases and the Flask-SQLAlchemy handle."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from typing import Annotated, Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, DateTime, Enum, Integer, MetaData, String, TypeDecorator, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use lms.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Integer primary keys that are BIGINT on PostgreSQL but stay rowid aliases on SQLite.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")

intpk = Annotated[int, mapped_column(BigIntPK, primary_key=True, autoincrement=True)]
str40 = Annotated[str, mapped_column(String(40))]
str200 = Annotated[str, mapped_column(String(200))]
timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]


def value_enum(cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by value (readable in SQL, stable across renames of the Python member)."""
    return Enum(
        cls,
        name=name,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        length=20,
        validate_strings=True,
    )


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime(), str: String(255), int: BigIntPK},
    )


db = SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, and wait instead of failing on a busy file."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def lock_table_for_create(table: str) -> None:
    """Serialise "create it if it is missing" across workers until the transaction ends.

    PostgreSQL: a transaction-level advisory lock keyed by the table name. SQLite: a write that
    changes nothing still takes the database write lock, which other writers wait for. Re-check
    for the row after this call: the worker that waited sees what the first one committed.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(table.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    else:
        session.execute(text(f'UPDATE "{table}" SET rowid = rowid WHERE 1 = 0'))  # noqa: S608
