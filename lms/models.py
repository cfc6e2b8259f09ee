"""Core tables: agencies, units, users, programs, completions, audit log, sessions, keys."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, intpk, str40, str200, timestamp, value_enum

_enum = value_enum


class Role(enum.StrEnum):
    LEARNER = "learner"
    AGENCY_ADMIN = "agency_admin"
    PLATFORM_ADMIN = "platform_admin"


class EmploymentType(enum.StrEnum):
    PNS = "pns"
    PPPK = "pppk"
    NON_ASN = "non_asn"  # PPNPN / honorer: they sign the pact too, without a NIP


class ElectionKind(enum.StrEnum):
    PEMILU = "pemilu"  # the national general election: President, DPR, DPD, DPRD
    PILKADA_SERENTAK = "pilkada_serentak"  # simultaneous regional head elections
    PILKADA_ULANG = "pilkada_ulang"  # a re-run: pemilihan ulang or pemungutan suara ulang (PSU)


class ProgramStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[intpk]
    code: Mapped[str40] = mapped_column(unique=True)
    name: Mapped[str200]
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    head_name: Mapped[str | None] = mapped_column(String(200))
    head_title: Mapped[str | None] = mapped_column(String(200))
    # IANA zone the agency's people read times in: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta", server_default="Asia/Jakarta")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[timestamp]

    units: Mapped[list[Unit]] = relationship(back_populates="agency", order_by="Unit.name")
    users: Mapped[list[User]] = relationship(back_populates="agency")
    programs: Mapped[list[Program]] = relationship(back_populates="agency")


class Unit(Base):
    """A unit kerja; units form a tree inside one agency."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str200]
    created_at: Mapped[timestamp]

    agency: Mapped[Agency] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(back_populates="children", remote_side="Unit.id")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")
    users: Mapped[list[User]] = relationship(back_populates="unit")


admin_units = Table(
    "admin_units",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)

program_units = Table(
    "program_units",
    Base.metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_agency_unit", "agency_id", "unit_id"),)

    id: Mapped[intpk]
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.LEARNER)
    employment_type: Mapped[EmploymentType] = mapped_column(
        _enum(EmploymentType, "employment_type"), default=EmploymentType.PNS
    )
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str200]
    position: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[timestamp]
    activated_at: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    # Set when the password in use was set through a link an admin issued (the admin may have
    # seen it), cleared when the person next chooses a password themselves. Pledge evidence
    # copies it.
    password_set_via_admin_link_at: Mapped[dt.datetime | None]
    password_set_via_admin_link_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    agency: Mapped[Agency | None] = relationship(back_populates="users")
    unit: Mapped[Unit | None] = relationship(back_populates="users")
    admin_units: Mapped[list[Unit]] = relationship(secondary=admin_units)

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated staff cannot log in
        return self.active

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN

    @property
    def is_agency_admin(self) -> bool:
        return self.role == Role.AGENCY_ADMIN

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN)


class Election(Base):
    """One election, platform-wide: the pact, the certificate and the course take their wording and
    dates from it, never from a program's title or deadline."""

    __tablename__ = "elections"

    id: Mapped[intpk]
    kind: Mapped[ElectionKind] = mapped_column(_enum(ElectionKind, "election_kind"))
    # The full name as it reads after "dalam penyelenggaraan", e.g. "Pemilihan Umum Tahun 2029".
    name: Mapped[str200]
    name_en: Mapped[str | None] = mapped_column(String(200))
    voting_day: Mapped[dt.date] = mapped_column(Date)
    campaign_starts_on: Mapped[dt.date | None] = mapped_column(Date)
    campaign_ends_on: Mapped[dt.date | None] = mapped_column(Date)
    # Where the election is regional, e.g. "Kabupaten Bangka dan Kota Pangkalpinang".
    region: Mapped[str | None] = mapped_column(String(200))
    # Election-specific guidance shown with its caption (e.g. hand poses read as candidate numbers):
    # {"caption": {"id": .., "en": ..}, "items": [{"id": .., "en": ..}, ...]} per list name.
    guidance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[timestamp]

    programs: Mapped[list[Program]] = relationship(back_populates="election")

    @property
    def year(self) -> int:
        return self.voting_day.year


class Program(Base):
    """An agency's mandatory sosialisasi for one election."""

    __tablename__ = "programs"

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    title: Mapped[str200]
    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[ProgramStatus] = mapped_column(_enum(ProgramStatus, "program_status"), default=ProgramStatus.DRAFT)
    created_at: Mapped[timestamp]

    agency: Mapped[Agency] = relationship(back_populates="programs")
    election: Mapped[Election] = relationship(back_populates="programs")
    requirements: Mapped[list[ProgramRequirement]] = relationship(
        back_populates="program",
        order_by="ProgramRequirement.position",
        cascade="all, delete-orphan",
    )
    target_units: Mapped[list[Unit]] = relationship(secondary=program_units)


class ProgramRequirement(Base):
    """One thing a learner must do, answered by a plugin's requirement kind (e.g. module X passed)."""

    __tablename__ = "program_requirements"
    __table_args__ = (UniqueConstraint("program_id", "kind", "ref"),)

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str40]
    ref: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)

    program: Mapped[Program] = relationship(back_populates="requirements")


class ProgramCompletion(Base):
    __tablename__ = "program_completions"
    __table_args__ = (UniqueConstraint("program_id", "user_id"),)

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    completed_at: Mapped[timestamp]

    program: Mapped[Program] = relationship()
    user: Mapped[User] = relationship()


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[intpk]
    at: Mapped[timestamp] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship()


class AuthSession(Base):
    """A server-side login session: logout or a password change deletes it, ending the cookie."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[timestamp]
    # Last request seen, for the idle timeout; written at most about once a minute.
    last_seen_at: Mapped[dt.datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class OneTimeLink(Base):
    """Remembers one-time links (activation, password reset) so each works once. A newer link
    for the same person and purpose, or a new password, revokes the older unused ones."""

    __tablename__ = "one_time_links"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[timestamp]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    # The admin who issued the link; None when the person asked for it (/forgot).
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SigningKey(Base):
    """The deployment's Ed25519 keys; retired keys stay listed so old records still verify."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_key_pem: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[timestamp]
    retired_at: Mapped[dt.datetime | None]
