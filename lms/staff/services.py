"""Staff management: add, edit, deactivate and search an agency's staff, and list them a page at
a time. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lms.db import db
from lms.identity import IdentityNumberError, normalise, parse_identity_number
from lms.models import Agency, EmploymentType, Role, Unit, User
from lms.scoping import scope
from lms.services import audit
from lms.services.accounts import AccountError, end_all_sessions
from lms.signals import user_renamed

PAGE_SIZE = 50


@dataclass
class StaffData:
    name: str
    employment_type: EmploymentType
    nip: str | None
    email: str | None
    position: str | None
    unit_id: int | None
    role: Role = Role.LEARNER


def validate_staff(agency: Agency, data: StaffData, existing: User | None = None) -> StaffData:
    """Normalise and check staff fields; raise ``AccountError`` naming the field."""
    name = (data.name or "").strip()
    if not name:
        raise AccountError(_l("Nama wajib diisi."), "name")
    nip = normalise(data.nip or "") or None
    if data.employment_type != EmploymentType.NON_ASN:
        if not nip:
            raise AccountError(_l("NIP / NI PPPK wajib diisi untuk ASN."), "nip")
        try:
            parse_identity_number(nip, data.employment_type)
        except IdentityNumberError as exc:
            raise AccountError(exc.message, "nip") from None
    email = (data.email or "").strip().lower() or None
    if nip:
        other = db.session.scalar(select(User).where(User.nip == nip))
        if other is not None and other is not existing:
            raise AccountError(_l("NIP ini sudah terdaftar."), "nip")
    if email:
        other = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if other is not None and other is not existing:
            raise AccountError(_l("Alamat e-mail ini sudah dipakai akun lain."), "email")
    if data.unit_id is not None:
        unit = db.session.get(Unit, data.unit_id)
        if unit is None or unit.agency_id != agency.id:
            raise AccountError(_l("Unit kerja tidak ditemukan di instansi ini."), "unit_id")
    if nip is None and email is None:
        raise AccountError(_l("Isi NIP atau e-mail agar orang ini dapat masuk."), "email")
    return StaffData(
        name, data.employment_type, nip, email, (data.position or "").strip() or None, data.unit_id, data.role
    )


def create_staff(agency: Agency, data: StaffData, actor: User, ip: str | None = None) -> User:
    clean = validate_staff(agency, data)
    user = User(
        agency_id=agency.id,
        name=clean.name,
        employment_type=clean.employment_type,
        nip=clean.nip,
        email=clean.email,
        position=clean.position,
        unit_id=clean.unit_id,
        role=clean.role,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("staff.created", actor=actor, agency_id=agency.id, target_type="user", target_id=user.id, ip=ip)
    return user


def update_staff(user: User, data: StaffData, actor: User, ip: str | None = None) -> User:
    agency = db.session.get(Agency, user.agency_id)
    assert agency is not None
    clean = validate_staff(agency, data, existing=user)
    old_name = user.name
    changed = {k: v for k, v in vars(clean).items() if k != "role" and getattr(user, k) != v}
    for key, value in changed.items():
        setattr(user, key, value)
    db.session.flush()
    if "name" in changed:
        user_renamed.send(current_app._get_current_object(), user_id=user.id, old=old_name, new=user.name)
    audit.record(
        "staff.updated",
        actor=actor,
        agency_id=user.agency_id,
        target_type="user",
        target_id=user.id,
        ip=ip,
        fields=sorted(changed),
    )
    return user


def set_active(user: User, active: bool, actor: User, ip: str | None = None) -> None:
    user.active = active
    if not active:
        end_all_sessions(user)
    audit.record(
        "staff.activated" if active else "staff.deactivated",
        actor=actor,
        agency_id=user.agency_id,
        target_type="user",
        target_id=user.id,
        ip=ip,
    )


def _like_contains(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere: ``%``, ``_`` and the escape character
    typed in a search are not wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_staff_filter(q: str):
    like = _like_contains(q.strip().lower())
    clauses = [func.lower(User.name).like(like, escape="\\"), func.lower(User.email).like(like, escape="\\")]
    nip = normalise(q)
    if nip:  # "-" or "." alone would otherwise match every NIP
        clauses.append(User.nip.like(_like_contains(nip), escape="\\"))
    return or_(*clauses)


def staff_page(agency: Agency, viewer: User, q: str, page: int) -> Any:
    """One page (``db.paginate``) of the agency's staff the viewer may see, by name, matching the
    search ``q`` if given."""
    stmt = scope(select(User), viewer, User.agency_id, User.unit_id).where(
        User.agency_id == agency.id, User.role != Role.PLATFORM_ADMIN
    )
    if q.strip():
        stmt = stmt.where(search_staff_filter(q))
    return db.paginate(stmt.order_by(User.name, User.id), page=page, per_page=PAGE_SIZE, error_out=False)
