"""Pledge tables: versioned pledge texts, signatures with their evidence, the hash-chained ledger and
its signed checkpoints. Every table carries the ``pledges_`` prefix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, intpk, str40, str200, timestamp
from lms.models import Agency, Program, User

# Fields of a pledge text that define what is signed: they never change after creation.
TEXT_CONTENT_FIELDS = (
    "agency_id",
    "key",
    "version",
    "title_id",
    "title_en",
    "preamble_id",
    "preamble_en",
    "commitments",
    "closing_id",
    "closing_en",
    "signer_name",
    "signer_title",
    "employment_wording",
    "canonical_text",
    "text_sha256",
)


class PledgeText(Base):
    """One immutable version of a pledge text (its wording, numbered by ``version``).
    ``agency_id`` NULL = the platform default."""

    __tablename__ = "pledges_texts"
    __table_args__ = (UniqueConstraint("agency_id", "key", "version"),)

    id: Mapped[intpk]
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(default=1)
    title_id: Mapped[str200]
    title_en: Mapped[str200]
    preamble_id: Mapped[str] = mapped_column(Text)
    preamble_en: Mapped[str] = mapped_column(Text)
    # [{"id": "1", "text_id": "...", "text_en": "..."}, ...]
    commitments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    closing_id: Mapped[str] = mapped_column(Text, default="")
    closing_en: Mapped[str] = mapped_column(Text, default="")
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    # Values of the signer-dependent placeholders per employment type:
    # {"sanctions": {"pns": "...", "pppk": "...", "non_asn": "..."}, ...}; NULL in texts without them.
    employment_wording: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON)
    canonical_text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[timestamp]

    agency: Mapped[Agency | None] = relationship()


@event.listens_for(PledgeText, "before_update")
def _texts_are_immutable(mapper: Any, connection: Any, target: PledgeText) -> None:
    from sqlalchemy import inspect

    state = inspect(target)
    changed = [f for f in TEXT_CONTENT_FIELDS if state.attrs[f].history.has_changes()]
    if changed:
        raise ValueError(
            f"pledge text versions are immutable (tried to change {changed}); create a new version instead"
        )


class PledgeSignature(Base):
    """One learner's signed pledge for one program, with everything needed to prove it later."""

    __tablename__ = "pledges_signatures"
    __table_args__ = (
        UniqueConstraint("user_id", "program_id", "text_id"),
        Index("ix_pledges_signatures_program_user", "program_id", "user_id"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # What was signed
    text_id: Mapped[int] = mapped_column(ForeignKey("pledges_texts.id"))
    text_key: Mapped[str] = mapped_column(String(80))
    text_version: Mapped[int]
    shown_text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    # Who (frozen at signing time)
    identity: Mapped[dict[str, Any]] = mapped_column(JSON)
    # How
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_png_sha256: Mapped[str | None] = mapped_column(String(64))
    typed_name: Mapped[str | None] = mapped_column(String(200))
    commitments_ticked: Mapped[list[str]] = mapped_column(JSON)
    reauth_method: Mapped[str40]
    reauth_at: Mapped[dt.datetime]
    opened_at: Mapped[dt.datetime]
    signed_at: Mapped[dt.datetime]
    client_ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    # Seal
    canonical_record: Mapped[str] = mapped_column(Text)
    record_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    seal_kid: Mapped[str] = mapped_column(String(32))
    seal_signature: Mapped[bytes] = mapped_column(LargeBinary)

    user: Mapped[User] = relationship()
    program: Mapped[Program] = relationship()
    pledge_text: Mapped[PledgeText] = relationship()


class LedgerEntry(Base):
    """Append-only hash chain: entry_hash = sha256("seq|prev_hash|record_hash")."""

    __tablename__ = "pledges_ledger"

    id: Mapped[intpk]
    seq: Mapped[int] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="signature")
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("pledges_signatures.id"), unique=True)
    record_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[timestamp]


class LedgerHead(Base):
    """One row whose UPDATE takes SQLite's write lock before the ledger head is read."""

    __tablename__ = "pledges_ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    appends: Mapped[int] = mapped_column(default=0)


class Checkpoint(Base):
    """A signed statement of the ledger's size and head (and RFC 9162-style Merkle root)."""

    __tablename__ = "pledges_checkpoints"

    id: Mapped[intpk]
    size: Mapped[int]
    head_hash: Mapped[str] = mapped_column(String(64))
    merkle_root: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[timestamp]
    statement: Mapped[str] = mapped_column(Text)  # the canonical JSON that was signed
    kid: Mapped[str] = mapped_column(String(32))
    signature: Mapped[bytes] = mapped_column(LargeBinary)


# PostgreSQL: ledger rows can never be changed or removed (corrections are new entries). The same
# statements are in the migration; this covers databases built with create_all (tests).
LEDGER_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION pledges_ledger_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'pledges_ledger is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql
"""
LEDGER_TRIGGER = """
CREATE TRIGGER pledges_ledger_no_update_delete
BEFORE UPDATE OR DELETE ON pledges_ledger
FOR EACH ROW EXECUTE FUNCTION pledges_ledger_append_only()
"""

event.listen(LedgerEntry.__table__, "after_create", DDL(LEDGER_TRIGGER_FUNCTION).execute_if(dialect="postgresql"))
event.listen(LedgerEntry.__table__, "after_create", DDL(LEDGER_TRIGGER).execute_if(dialect="postgresql"))
