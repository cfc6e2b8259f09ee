"""Agency admins: who administers an agency, and which units each is limited to.

Only a whole-agency admin of the agency (or the platform admin) manages them (the views check it
through ``lms.scoping``); nobody changes their own rights. Every change is audited.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.db import db
from lms.identity import normalise
from lms.models import Agency, Role, Unit, User
from lms.services import ServiceError, audit


class AdminError(ServiceError):
    pass


def agency_admins(agency: Agency) -> list[User]:
    """The agency's admins with the units they are limited to (none: the whole agency)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.agency_id == agency.id, User.role == Role.AGENCY_ADMIN)
            .options(selectinload(User.admin_units))
            .order_by(User.name, User.id)
        )
    )


def find_staff(agency: Agency, identifier: str) -> User | None:
    """A person of this agency by NIP or e-mail."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    match = func.lower(User.email) == identifier.lower() if "@" in identifier else User.nip == normalise(identifier)
    return db.session.scalar(select(User).where(User.agency_id == agency.id, match))


def _units(agency: Agency, unit_ids: list[int]) -> list[Unit]:
    wanted = sorted(set(unit_ids))
    if not wanted:
        return []
    units = list(
        db.session.scalars(select(Unit).where(Unit.agency_id == agency.id, Unit.id.in_(wanted)).order_by(Unit.id))
    )
    if len(units) != len(wanted):
        raise AdminError(_l("Unit tidak dikenal di instansi ini."), "unit_ids")
    return units


def _not_self(person: User, actor: User) -> None:
    if person.id == actor.id:
        raise AdminError(_l("Anda tidak dapat mengubah hak admin Anda sendiri."))


def grant(agency: Agency, person: User | None, unit_ids: list[int], actor: User, ip: str | None = None) -> User:
    """Make a staff member of ``agency`` its admin, limited to ``unit_ids`` (none: whole agency)."""
    if person is None or person.agency_id != agency.id:
        raise AdminError(_l("Tidak ada pegawai instansi ini dengan NIP atau e-mail itu."), "identifier")
    _not_self(person, actor)
    if person.role != Role.LEARNER:
        raise AdminError(_l("%(name)s sudah admin.", name=person.name), "identifier")
    if not person.active:
        raise AdminError(_l("Akun %(name)s nonaktif.", name=person.name), "identifier")
    units = _units(agency, unit_ids)
    person.role = Role.AGENCY_ADMIN
    person.admin_units = units
    db.session.flush()
    audit.record(
        "admin.granted",
        actor=actor,
        agency_id=agency.id,
        target_type="user",
        target_id=person.id,
        ip=ip,
        unit_ids=[u.id for u in units],
    )
    return person


def _admin_of(agency: Agency, person: User) -> None:
    if person.agency_id != agency.id or person.role != Role.AGENCY_ADMIN:
        raise AdminError(_l("Orang ini bukan admin instansi ini."))


def set_units(agency: Agency, person: User, unit_ids: list[int], actor: User, ip: str | None = None) -> None:
    """Limit an admin to ``unit_ids``; an empty list lifts the limit (whole agency)."""
    _admin_of(agency, person)
    _not_self(person, actor)
    units = _units(agency, unit_ids)
    old = sorted(u.id for u in person.admin_units)
    person.admin_units = units
    db.session.flush()
    audit.record(
        "admin.units_changed",
        actor=actor,
        agency_id=agency.id,
        target_type="user",
        target_id=person.id,
        ip=ip,
        old_unit_ids=old,
        unit_ids=[u.id for u in units],
    )


def revoke(agency: Agency, person: User, actor: User, ip: str | None = None) -> None:
    """Take an agency admin's rights away: they stay a staff member (a learner)."""
    _admin_of(agency, person)
    _not_self(person, actor)
    old = sorted(u.id for u in person.admin_units)
    person.admin_units = []
    person.role = Role.LEARNER
    db.session.flush()
    audit.record(
        "admin.revoked",
        actor=actor,
        agency_id=agency.id,
        target_type="user",
        target_id=person.id,
        ip=ip,
        old_unit_ids=old,
    )
