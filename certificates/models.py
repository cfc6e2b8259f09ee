"""Tables of the certificates plugin: designs, certificates, number counters, seals, jobs."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, intpk, str40, str200, timestamp, utcnow, value_enum
from lms.models import Agency, Program, User

_enum = value_enum


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class CertificateDesign(Base):
    """How one agency's certificates look. Editing it never changes an issued certificate."""

    __tablename__ = "certificates_designs"

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), unique=True)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)  # own logo; else the agency's
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    primary_color: Mapped[str] = mapped_column(String(7), default="#0b5d3b")
    accent_color: Mapped[str] = mapped_column(String(7), default="#b8860b")
    title_id: Mapped[str200] = mapped_column(default="Sertifikat")
    title_en: Mapped[str200] = mapped_column(default="Certificate")
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG
    jp_hours: Mapped[float | None] = mapped_column(Float)  # overrides the sum of the requirements
    language: Mapped[str] = mapped_column(String(5), default="id")
    updated_at: Mapped[timestamp] = mapped_column(onupdate=utcnow)

    agency: Mapped[Agency] = relationship()


class Certificate(Base):
    """One issued certificate: frozen snapshot, stored sealed PDF and its SHA-256, public code.

    A reissue adds a row with the next ``generation`` and marks the old one superseded; the
    unique (program, user, generation) makes concurrent first issues yield exactly one row.
    """

    __tablename__ = "certificates_certificates"
    __table_args__ = (
        UniqueConstraint("program_id", "user_id", "generation"),
        Index("ix_certificates_certificates_agency_status", "agency_id", "status"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)  # uppercase base32, no padding
    number: Mapped[str] = mapped_column(String(80))  # e.g. 0042/BANGKA/2026
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[CertificateStatus] = mapped_column(
        _enum(CertificateStatus, "certificate_status"), default=CertificateStatus.VALID
    )
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates_certificates.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    issued_at: Mapped[timestamp]
    expires_at: Mapped[dt.datetime | None]

    agency: Mapped[Agency] = relationship()
    program: Mapped[Program] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    superseded_by: Mapped[Certificate | None] = relationship(remote_side="Certificate.id")

    def public_status(self, now: dt.datetime | None = None) -> str:
        """valid | revoked | superseded | expired (expired is computed from ``expires_at``)."""
        if self.status != CertificateStatus.VALID:
            return self.status.value
        if self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return "expired"
        return "valid"


class NumberCounter(Base):
    """Next human certificate number per agency and year; the row is locked while allocating."""

    __tablename__ = "certificates_counters"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer, default=0)


class SealKind(enum.StrEnum):
    CA = "ca"
    SEAL = "seal"


class Seal(Base):
    """A locally generated CA or agency seal certificate; the private key is stored encrypted.
    Production seals (e.g. BSrE) come from PKCS#12 files named in the configuration instead."""

    __tablename__ = "certificates_seals"

    id: Mapped[intpk]
    kind: Mapped[SealKind] = mapped_column(_enum(SealKind, "seal_kind"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("certificates_seals.id"))
    subject: Mapped[str200]
    cert_der: Mapped[bytes] = mapped_column(LargeBinary)
    key_pem: Mapped[bytes] = mapped_column(LargeBinary)  # PKCS#8, encrypted
    created_at: Mapped[timestamp]
    not_after: Mapped[dt.datetime]


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """A background job (ZIP of a program's certificates) with its progress and result."""

    __tablename__ = "certificates_jobs"

    id: Mapped[intpk]
    kind: Mapped[str40] = mapped_column(default="zip")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The units the requester was limited to when asking (None: the whole agency). The ZIP holds
    # only those units' certificates, and only someone who sees them all may open the job.
    unit_ids: Mapped[list[int] | None] = mapped_column(JSON)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus, "job_status"), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[timestamp]
    finished_at: Mapped[dt.datetime | None]

    program: Mapped[Program] = relationship()
