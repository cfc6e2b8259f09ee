"""Agencies (instansi) and their unit tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms import uploads
from lms.db import db
from lms.models import Agency, EmploymentType, Role, Unit, User
from lms.services import ServiceError, accounts, audit
from lms.staff import invitations
from lms.staff import services as staff
from lms.timezones import ABBREVIATIONS, DEFAULT_ZONE

MAX_LOGO_BYTES = 512 * 1024


class AgencyError(ServiceError):
    pass


@dataclass
class AgencyInput:
    code: str
    name: str
    head_name: str | None = None
    head_title: str | None = None
    logo_file: Any = None  # a werkzeug FileStorage or None
    timezone: str = DEFAULT_ZONE  # IANA name, one of lms.timezones.CHOICES (WIB, WITA, WIT)


def validate_timezone(zone: str | None) -> str:
    if zone not in ABBREVIATIONS:
        raise AgencyError(_l("Pilih zona waktu WIB, WITA, atau WIT."), "timezone")
    return zone


def validate_logo(data: bytes, filename: str) -> str:
    """MIME type of a real PNG or a safe SVG (see ``lms.uploads``)."""
    try:
        return uploads.validate_logo(data, filename, "logo", MAX_LOGO_BYTES)
    except uploads.ImageError as exc:
        raise AgencyError(exc.message, "logo") from None


def create_agency(data: AgencyInput, actor: User | None, ip: str | None = None) -> Agency:
    code = data.code.strip().upper()
    zone = validate_timezone(data.timezone)
    if db.session.scalar(select(Agency).where(func.upper(Agency.code) == code)):
        raise AgencyError(_l("Kode instansi sudah dipakai."), "code")
    agency = Agency(
        code=code,
        name=data.name.strip(),
        head_name=data.head_name or None,
        head_title=data.head_title or None,
        timezone=zone,
    )
    if data.logo_file is not None and getattr(data.logo_file, "filename", ""):
        raw = data.logo_file.read()
        agency.logo_mime = validate_logo(raw, data.logo_file.filename)
        agency.logo = raw
    db.session.add(agency)
    db.session.flush()
    audit.record("agency.created", actor=actor, agency_id=agency.id, target_type="agency", target_id=agency.id, ip=ip)
    return agency


def update_agency(agency: Agency, data: AgencyInput, actor: User, ip: str | None = None) -> Agency:
    """The platform admin edits an agency's name, head, time zone and logo (the code stays)."""
    if not data.name.strip():
        raise AgencyError(_l("Nama instansi wajib diisi."), "name")
    agency.timezone = validate_timezone(data.timezone)
    agency.name = data.name.strip()
    agency.head_name, agency.head_title = data.head_name or None, data.head_title or None
    if data.logo_file is not None and getattr(data.logo_file, "filename", ""):
        raw = data.logo_file.read()
        agency.logo_mime = validate_logo(raw, data.logo_file.filename)
        agency.logo = raw
    db.session.flush()
    audit.record("agency.updated", actor=actor, agency_id=agency.id, target_type="agency", target_id=agency.id, ip=ip)
    return agency


def create_agency_with_admin(
    data: AgencyInput, admin_name: str | None, admin_email: str | None, actor: User, ip: str | None
) -> tuple[Agency, User | None, str | None]:
    """Create the agency and, if named, its first admin with an activation link (sent as an
    invitation by the caller, after commit)."""
    agency = create_agency(data, actor, ip)
    if not (admin_name and admin_email):
        return agency, None, None
    try:
        admin = staff.create_staff(
            agency,
            staff.StaffData(
                name=admin_name,
                employment_type=EmploymentType.NON_ASN,
                nip=None,
                email=admin_email,
                position=None,
                unit_id=None,
                role=Role.AGENCY_ADMIN,
            ),
            actor,
            ip,
        )
    except accounts.AccountError as exc:
        raise AgencyError(exc.message, "admin_email") from None
    return agency, admin, invitations.activation_link(admin, actor, ip)


def create_unit(agency: Agency, name: str, parent_id: int | None, actor: User | None, ip: str | None = None) -> Unit:
    name = name.strip()
    if not name:
        raise AgencyError(_l("Nama unit wajib diisi."), "name")
    if db.session.scalar(select(Unit).where(Unit.agency_id == agency.id, func.lower(Unit.name) == name.lower())):
        raise AgencyError(_l("Unit dengan nama ini sudah ada."), "name")
    if parent_id is not None:
        parent = db.session.get(Unit, parent_id)
        if parent is None or parent.agency_id != agency.id:
            raise AgencyError(_l("Induk unit tidak dikenal."), "parent_id")
    unit = Unit(agency_id=agency.id, name=name, parent_id=parent_id)
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.created", actor=actor, agency_id=agency.id, target_type="unit", target_id=unit.id, ip=ip)
    return unit


def unit_tree(agency: Agency) -> list[tuple[Unit, str]]:
    """Units in tree order with an indented label ("Dinas X › Bidang Y")."""
    units = list(db.session.scalars(select(Unit).where(Unit.agency_id == agency.id).order_by(Unit.name)))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    out: list[tuple[Unit, str]] = []

    def walk(parent: int | None, prefix: str) -> None:
        for unit in children.get(parent, []):
            label = f"{prefix}{unit.name}"
            out.append((unit, label))
            walk(unit.id, f"{label} › ")

    walk(None, "")
    seen = {u.id for u, _ in out}
    out.extend((u, u.name) for u in units if u.id not in seen)  # orphans, never hidden
    return out
