"""Business rules of the certificates plugin: codes and lookups, certificate designs, issuing,
revoking and reissuing; the learner's outcome. The document itself (snapshot, QR, PDF) is
``rendering``.

Services flush, send the plugin's signals and never commit; views and CLI commands commit once.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm import defer, joinedload

from lms import uploads
from lms.db import db, utcnow
from lms.models import Agency, Election, Program, User
from lms.requirements import ProgramOutcome
from lms.scoping import can_see_agency, can_see_person
from lms.security import sha256_hex
from lms.services import ServiceError, audit

from . import rendering
from .models import Certificate, CertificateDesign, CertificateStatus, NumberCounter
from .signals import certificate_issued, certificate_revoked

CODE_BYTES = 16  # 128 random bits -> 26 base32 characters
MAX_IMAGE_BYTES = 1024 * 1024
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class CertificateError(ServiceError):
    """A mistake a person can fix; ``field`` names the form field."""


# --- codes and lookups ---------------------------------------------------------------------------


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")


# Codes are RFC 4648 base32 (A-Z, 2-7). A typed 0 can only mean O; a typed 1 may mean I or L
# (both in the alphabet), so it is resolved by looking up both readings, never guessed.
CODE_ALPHABET = re.compile(r"[A-Z2-7]+")
UNAMBIGUOUS = str.maketrans({"0": "O"})
MAX_AMBIGUOUS = 4  # at most 2**4 readings of a typed code are looked up
# A certificate number as printed ("0011/BANGKA/2026"): never looked up, numbers are sequential.
NUMBER_PATTERN = re.compile(r"^\s*\d{1,6}\s*/\s*[A-Za-z0-9.\-]{1,40}\s*/\s*\d{4}\s*$")


def normalize_code(raw: str | None) -> str:
    """Codes are case-insensitive; spaces and dashes people type are ignored; 0 is read as O."""
    return re.sub(r"[\s\-]", "", raw or "").upper().translate(UNAMBIGUOUS)[:64]


def looks_like_number(raw: str | None) -> bool:
    return bool(NUMBER_PATTERN.match(raw or ""))


def code_readings(raw: str | None) -> list[str]:
    """Every well-formed code a typed text can mean: each 1 read as I and as L (empty if the text
    cannot be a code)."""
    code = normalize_code(raw)
    if not code or code.count("1") > MAX_AMBIGUOUS:
        return []
    readings = [""]
    for char in code:
        readings = [r + c for r in readings for c in ("IL" if char == "1" else char)]
    return [r for r in readings if CODE_ALPHABET.fullmatch(r)]


def find_typed(raw: str | None) -> Certificate | None:
    """The certificate a person's typed code means, if exactly one reading exists."""
    readings = code_readings(raw)
    if not readings:
        return None
    found = list(db.session.scalars(select(Certificate).where(Certificate.code.in_(readings)).limit(2)))
    return found[0] if len(found) == 1 else None


def by_code(raw: str | None) -> Certificate | None:
    code = normalize_code(raw)
    if not code or not CODE_ALPHABET.fullmatch(code):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def public_lookup(raw: str | None) -> Certificate | None:
    """``by_code`` for the public read-only pages (``/v/<code>``, the JSON API), which are the
    hottest path of the deployment: on PostgreSQL the single SELECT runs in autocommit (no
    BEGIN/ROLLBACK round trips around it) and the stored PDF is not fetched (loaded on access).
    Always a fresh read: a revocation shows at once."""
    code = normalize_code(raw)
    if not code or not CODE_ALPHABET.fullmatch(code):
        return None
    session = db.session()  # the Session itself: the scoped proxy has no in_transaction()
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        # if a connection is already in use, read in its transaction instead
        with contextlib.suppress(InvalidRequestError):
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session.scalar(select(Certificate).where(Certificate.code == code).options(defer(Certificate.pdf)))


def current_for(user_id: int, program_id: int) -> Certificate | None:
    """The newest certificate of a learner for a program (any status)."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.user_id == user_id, Certificate.program_id == program_id)
        .order_by(Certificate.generation.desc())
        .limit(1)
    )


def certified_user_ids(program_id: int) -> Select[tuple[int]]:
    now = utcnow()
    return select(Certificate.user_id).where(
        Certificate.program_id == program_id,
        Certificate.status == CertificateStatus.VALID,
        or_(Certificate.expires_at.is_(None), Certificate.expires_at > now),
    )


def nip_matches(cert: Certificate, nip: str) -> bool:
    holder = db.session.get(User, cert.user_id)
    given = re.sub(r"\D", "", nip or "")
    stored = (holder.nip if holder else None) or ""
    # compare_digest on equal-length inputs; an empty stored NIP never matches
    return bool(stored) and hmac.compare_digest(given.encode(), stored.encode())


def pdf_matches(cert: Certificate, data: bytes) -> bool:
    return hmac.compare_digest(sha256_hex(data), cert.pdf_sha256 or "")


def may_download(cert: Certificate, user: User) -> bool:
    """The holder may download their certificate, and so may an admin who sees the holder."""
    if cert.user_id == user.id:
        return True
    return user.is_admin and can_see_agency(user, cert.agency_id) and can_see_person(user, cert.user)


def program_outcome(user: User, program: Program) -> ProgramOutcome:
    """What the learner's program page says about their certificate."""
    cert = current_for(user.id, program.id)
    label = _("Sertifikat")
    if cert is None:
        return ProgramOutcome(
            label=label, final=True, ready=False, description=_("Terbit otomatis setelah semua langkah selesai.")
        )
    status = cert.public_status()
    url = url_for("certificates.download", code=cert.code)
    if status == "revoked":
        return ProgramOutcome(
            label=label, final=True, ready=False, description=_("Dicabut: %(reason)s", reason=cert.revoked_reason)
        )
    if status == "expired":
        return ProgramOutcome(
            label=label, final=True, ready=True, url=url, description=_("Kedaluwarsa (nomor %(n)s)", n=cert.number)
        )
    return ProgramOutcome(label=label, final=True, ready=True, url=url, description=_("Nomor %(n)s", n=cert.number))


# --- certificate designs -------------------------------------------------------------------------


def design_for(agency_id: int) -> CertificateDesign:
    """The agency's certificate design, or an unsaved one with the defaults."""
    design = db.session.scalar(select(CertificateDesign).where(CertificateDesign.agency_id == agency_id))
    if design is None:
        design = CertificateDesign(
            agency_id=agency_id,
            primary_color="#0b5d3b",
            accent_color="#b8860b",
            title_id="Sertifikat",
            title_en="Certificate",
            language="id",
        )
    return design


def validate_png(data: bytes, field: str) -> bytes:
    try:
        uploads.validate_png(data, field, MAX_IMAGE_BYTES)
    except uploads.ImageError as exc:
        raise CertificateError(exc.message, field) from None
    return data


def validate_logo(data: bytes, filename: str) -> tuple[bytes, str]:
    try:
        return data, uploads.validate_logo(data, filename, "logo", MAX_IMAGE_BYTES)
    except uploads.ImageError as exc:
        raise CertificateError(exc.message, "logo") from None


@dataclass
class DesignInput:
    primary_color: str
    accent_color: str
    title_id: str
    title_en: str
    signer_name: str | None
    signer_title: str | None
    jp_hours: float | None
    language: str
    logo: tuple[bytes, str] | None = None  # (data, filename)
    signature: bytes | None = None
    remove_logo: bool = False
    remove_signature: bool = False


def save_design(agency: Agency, data: DesignInput, actor: User | None, ip: str | None = None) -> CertificateDesign:
    """Save the agency's certificate design; certificates already issued keep theirs."""
    for name in ("primary_color", "accent_color"):
        if not HEX_COLOUR.match(getattr(data, name) or ""):
            raise CertificateError(_l("Warna harus berbentuk #RRGGBB, misalnya #0b5d3b."), name)
    if data.language not in ("id", "en"):
        raise CertificateError(_l("Bahasa tidak dikenal."), "language")
    if data.jp_hours is not None and not (0 < data.jp_hours <= 1000):
        raise CertificateError(_l("JP harus antara 0 dan 1000."), "jp_hours")
    if not (data.title_id or "").strip() or not (data.title_en or "").strip():
        raise CertificateError(_l("Judul sertifikat wajib diisi."), "title_id")
    logo = validate_logo(*data.logo) if data.logo else None
    signature = validate_png(data.signature, "signature") if data.signature else None
    design = design_for(agency.id)
    if design.id is None:
        db.session.add(design)
    design.primary_color, design.accent_color = data.primary_color.lower(), data.accent_color.lower()
    design.title_id, design.title_en = data.title_id.strip()[:200], data.title_en.strip()[:200]
    design.signer_name = (data.signer_name or "").strip()[:200] or None
    design.signer_title = (data.signer_title or "").strip()[:200] or None
    design.jp_hours, design.language = data.jp_hours, data.language
    if data.remove_logo:
        design.logo, design.logo_mime = None, None
    if logo:
        design.logo, design.logo_mime = logo
    if data.remove_signature:
        design.signature = None
    if signature:
        design.signature = signature
    design.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "certificates.design_updated",
        actor=actor,
        agency_id=agency.id,
        target_type="certificate_design",
        target_id=design.id,
        ip=ip,
    )
    return design


# --- issuing -------------------------------------------------------------------------------------


def _allocate_number(agency: Agency, year: int) -> str:
    """Next number for the agency and year; the counter row stays locked until commit."""
    stmt = (
        update(NumberCounter)
        .where(NumberCounter.agency_id == agency.id, NumberCounter.year == year)
        .values(value=NumberCounter.value + 1)
        .returning(NumberCounter.value)
        .execution_options(synchronize_session=False)
    )
    value = db.session.scalar(stmt)
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(NumberCounter(agency_id=agency.id, year=year, value=1))
            value = 1
        except IntegrityError:  # created meanwhile by another transaction
            value = db.session.scalar(stmt)
    return f"{value:04d}/{agency.code}/{year}"


def valid_through(election: Election) -> dt.date | None:
    """The last day a certificate for this election is valid: the voting day plus
    ``CERTIFICATES_VALID_DAYS_AFTER_VOTING_DAY`` days (0 or None: it never expires)."""
    days = current_app.config.get("CERTIFICATES_VALID_DAYS_AFTER_VOTING_DAY")
    return election.voting_day + dt.timedelta(days=int(days)) if days else None


def _local_zone(agency: Agency | None = None) -> ZoneInfo:
    """The agency's time zone (WIB, WITA or WIT), else the configured default."""
    zone = (agency.timezone if agency is not None else None) or current_app.config.get("BABEL_DEFAULT_TIMEZONE")
    try:
        return ZoneInfo(zone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def expiry_for(election: Election, agency: Agency | None = None) -> dt.datetime | None:
    """When a certificate for this election expires: the end of its last valid day in the
    agency's zone."""
    last = valid_through(election)
    if last is None:
        return None
    end = dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=_local_zone(agency))
    return end.astimezone(dt.UTC)


def valid_until(cert: Certificate) -> dt.date | None:
    """The last valid day of a certificate, as printed (the agency's local date of ``expires_at``)."""
    return cert.expires_at.astimezone(_local_zone(cert.agency)).date() if cert.expires_at else None


def masked_nip(nip: str | None) -> str:
    """The last four digits of a NIP ("•••• 2001"), enough to tell namesakes apart."""
    digits = re.sub(r"\D", "", nip or "")
    return f"•••• {digits[-4:]}" if len(digits) >= 4 else "—"


def _produce(cert: Certificate, user: User, program: Program) -> None:
    """Render and seal the new certificate, then tell receivers it was issued (once per row)."""
    rendering.produce(cert, user, program, program.agency, design_for(program.agency_id))
    db.session.flush()
    certificate_issued.send(
        current_app._get_current_object(), certificate_id=cert.id, user_id=cert.user_id, program_id=cert.program_id
    )


def _new_row(user: User, program: Program, generation: int) -> Certificate:
    issued_at = utcnow()
    cert = Certificate(
        code=new_code(),
        number=_allocate_number(program.agency, issued_at.year),
        agency_id=program.agency_id,
        program_id=program.id,
        user_id=user.id,
        generation=generation,
        status=CertificateStatus.VALID,
        issued_at=issued_at,
        expires_at=expiry_for(program.election, program.agency),
        snapshot={},
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def issue_certificate(user_id: int, program_id: int) -> Certificate:
    """Issue the learner's certificate for a program once; return the existing one otherwise.

    The row (with its number) is claimed inside a savepoint first; a concurrent issue hits the
    unique (program, user, generation) and gets the winner's certificate. Then the snapshot is
    taken, the PDF rendered and sealed, and ``certificate_issued`` sent, once."""
    existing = current_for(user_id, program_id)
    if existing is not None:
        return existing
    user = db.session.get(User, user_id)
    program = db.session.get(Program, program_id)
    if user is None or program is None or user.agency_id != program.agency_id:
        raise CertificateError(_l("Peserta atau program tidak dikenal."))
    try:
        with db.session.begin_nested():
            cert = _new_row(user, program, 1)
    except IntegrityError:
        existing = current_for(user_id, program_id)
        if existing is None:
            raise
        return existing
    _produce(cert, user, program)
    return cert


def revoke(cert: Certificate, reason: str, actor: User | None, ip: str | None = None) -> None:
    """Revoke a valid certificate with a reason; sends ``certificate_revoked``."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise CertificateError(_l("Tuliskan alasan pencabutan (minimal 5 karakter)."), "reason")
    if cert.status != CertificateStatus.VALID:
        raise CertificateError(_l("Hanya sertifikat yang sah yang dapat dicabut."))
    cert.status = CertificateStatus.REVOKED
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason[:1000]
    cert.revoked_by_id = actor.id if actor else None
    db.session.flush()
    audit.record(
        "certificates.revoked",
        actor=actor,
        agency_id=cert.agency_id,
        target_type="certificate",
        target_id=cert.code,
        ip=ip,
        reason=reason[:1000],
        number=cert.number,
    )
    certificate_revoked.send(
        current_app._get_current_object(), certificate_id=cert.id, user_id=cert.user_id, program_id=cert.program_id
    )


def reissue(cert: Certificate, actor: User | None, ip: str | None = None) -> Certificate:
    """A new certificate from current data; the old one becomes superseded and links to it.
    ``certificate_issued`` is sent for the new one."""
    if cert.status == CertificateStatus.SUPERSEDED:
        raise CertificateError(_l("Sertifikat ini sudah diganti; terbitkan ulang yang terbaru."))
    latest = current_for(cert.user_id, cert.program_id)
    if latest is None or latest.id != cert.id:
        raise CertificateError(_l("Sertifikat ini sudah diganti; terbitkan ulang yang terbaru."))
    user = db.session.get(User, cert.user_id)
    program = db.session.get(Program, cert.program_id)
    assert user is not None and program is not None
    try:
        with db.session.begin_nested():
            new = _new_row(user, program, cert.generation + 1)
    except IntegrityError:
        raise CertificateError(_l("Sertifikat ini baru saja diterbitkan ulang.")) from None
    cert.status = CertificateStatus.SUPERSEDED
    cert.superseded_by_id = new.id
    db.session.flush()
    audit.record(
        "certificates.reissued",
        actor=actor,
        agency_id=cert.agency_id,
        target_type="certificate",
        target_id=cert.code,
        ip=ip,
        new_code=new.code,
        new_number=new.number,
    )
    _produce(new, user, program)
    return new


def public_facts(cert: Certificate) -> dict[str, Any]:
    """What anyone may know about a certificate (never NIP, e-mail or birth date)."""
    s = cert.snapshot or {}
    successor = cert.superseded_by
    election = s.get("election")  # snapshots before elections stored only the program's period
    until = valid_until(cert)
    return {
        "code": cert.code,
        "status": cert.public_status(),
        "name": s.get("name"),
        "agency": s.get("agency"),
        "program": (s.get("program") or {}).get("title"),
        "period": election["name"] if election else (s.get("program") or {}).get("period"),
        "election": dict(election) if election else None,
        "number": cert.number,
        "jp_hours": s.get("jp_hours"),
        "issued_at": cert.issued_at.isoformat(),
        "expires_at": cert.expires_at.isoformat() if cert.expires_at else None,
        "valid_until": until.isoformat() if until else None,
        "revoked_at": cert.revoked_at.isoformat() if cert.revoked_at else None,
        "revoked_reason": cert.revoked_reason,
        "superseded_by": successor.code if successor else None,
        "pdf_sha256": cert.pdf_sha256,
    }


def admin_query(
    agency_id: int,
    program_id: int | None = None,
    unit_id: int | None = None,
    status: str | None = None,
    name: str | None = None,
) -> Select[tuple[Certificate]]:
    stmt = select(Certificate).join(User, User.id == Certificate.user_id).where(Certificate.agency_id == agency_id)
    if program_id:
        stmt = stmt.where(Certificate.program_id == program_id)
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    now = utcnow()
    if status == "expired":
        stmt = stmt.where(Certificate.status == CertificateStatus.VALID, Certificate.expires_at <= now)
    elif status == "valid":
        stmt = stmt.where(
            Certificate.status == CertificateStatus.VALID,
            or_(Certificate.expires_at.is_(None), Certificate.expires_at > now),
        )
    elif status in ("revoked", "superseded"):
        stmt = stmt.where(Certificate.status == status)
    if name:
        stmt = stmt.where(func.lower(User.name).contains(name.lower().strip()))
    return stmt.options(joinedload(Certificate.user).joinedload(User.unit)).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc()
    )
