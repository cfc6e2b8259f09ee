"""The one place that decides which agency data an admin may see.

Every query returning agency data goes through this module; an admin of agency A asking for
anything of agency B gets 404 (not 403: existence is not revealed). An agency admin may be limited
to some units (``admin_units``): they then see only the people of those units and what belongs to
them.

- ``scope(stmt, user, agency_column, unit_column)``: rows that carry an agency (and a unit).
- ``scope_by_person(stmt, user, person_id_column)``: rows tied to a person (a certificate, a
  signature, a quiz attempt): visible when the person is.
- ``visible_user_ids(user)``: the people an admin may see, as a ``select(User.id)``.
- ``get_scoped_or_404(model, ident, user)``: one row; a row with a ``user_id`` (or the column
  named by ``person=``) is checked against the admin's units too.
- ``register_person_target(app, target_type, key_column, person_column)``: a plugin tells the
  core which person an audit entry about one of its rows concerns, so the audit log of a
  unit-limited admin shows only their people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app
from sqlalchemy import ColumnElement, Select, String, and_, cast, false, or_, select

from lms.db import db
from lms.models import Agency, AuditLog, Role, Unit, User, admin_units

T = TypeVar("T")
_PERSON_TARGETS = "lms.scoping.person_targets"
_DEFAULT = object()


def visible_agency_ids(user: User) -> list[int] | None:
    """None means every agency (platform admin); otherwise the list the user may administer."""
    if user.role == Role.PLATFORM_ADMIN:
        return None
    if user.role == Role.AGENCY_ADMIN and user.agency_id is not None:
        return [user.agency_id]
    return []


def limited_unit_ids(user: User) -> list[int] | None:
    """Units an agency admin is limited to, or None when they see the whole agency."""
    if user.role != Role.AGENCY_ADMIN:
        return None
    ids = list(db.session.scalars(select(admin_units.c.unit_id).where(admin_units.c.user_id == user.id)))
    return ids or None


def is_whole_agency_admin(user: User, agency_id: int | None) -> bool:
    """The platform admin, or an admin of this agency who is not limited to units."""
    if user.role == Role.PLATFORM_ADMIN:
        return True
    return (
        user.role == Role.AGENCY_ADMIN
        and agency_id is not None
        and user.agency_id == agency_id
        and limited_unit_ids(user) is None
    )


def scope(stmt: Select[Any], user: User, agency_column: Any, unit_column: Any = None) -> Select[Any]:
    """Restrict ``stmt`` to the agencies (and units, if limited) that ``user`` administers.

    Rows with an agency but no unit column (programs, templates) stay visible to a unit-limited
    admin of that agency; anything naming people must pass ``unit_column`` or use
    ``scope_by_person``."""
    agencies = visible_agency_ids(user)
    if agencies is None:
        return stmt
    if not agencies:
        return stmt.where(false())
    stmt = stmt.where(agency_column.in_(agencies))
    units = limited_unit_ids(user) if unit_column is not None else None
    if units is not None:
        stmt = stmt.where(unit_column.in_(units))
    return stmt


def visible_user_ids(user: User) -> Select[Any]:
    """``select(User.id)`` of the people ``user`` may see as an admin (nobody for a learner)."""
    return scope(select(User.id), user, User.agency_id, User.unit_id)


def scope_by_person(stmt: Select[Any], user: User, person_id_column: Any) -> Select[Any]:
    """Restrict ``stmt`` to rows whose person (``person_id_column``, a users.id) ``user`` may see."""
    if visible_agency_ids(user) is None:
        return stmt
    return stmt.where(person_id_column.in_(visible_user_ids(user)))


def can_see_agency(user: User, agency_id: int | None) -> bool:
    agencies = visible_agency_ids(user)
    return agency_id is not None and (agencies is None or agency_id in agencies)


def can_see_person(user: User, person: User | int | None) -> bool:
    """True when ``user`` (an admin) may see this person: same agency, and in their units."""
    if person is None:
        return False
    if isinstance(person, int):
        found = db.session.get(User, person)
        if found is None:
            return False
        person = found
    if not can_see_agency(user, person.agency_id):
        return False
    units = limited_unit_ids(user)
    return units is None or person.unit_id in units


def visible_among(user: User, person_ids: list[int]) -> set[int]:
    """The ids among ``person_ids`` of people ``user`` may see."""
    if not person_ids:
        return set()
    return set(db.session.scalars(visible_user_ids(user).where(User.id.in_(person_ids))))


def get_scoped_or_404(model: type[T], ident: Any, user: User, *, person: Any = _DEFAULT) -> T:
    """Load ``model`` by primary key if ``user`` may see it, else 404.

    The row's agency must be one ``user`` administers. For a unit-limited admin, a unit must be one
    of theirs, a user must be a learner in one of them (or themselves), and a row tied to a person
    must be tied to a person in one of them: the person is the row's ``user_id`` unless ``person``
    names another attribute (a string) or gives the person's id directly (an int);
    ``person=None`` skips the check."""
    if isinstance(ident, int) and not -(2**63) <= ident < 2**63:
        abort(404)  # no such row, and PostgreSQL would refuse the parameter
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    agency_id = obj.id if isinstance(obj, Agency) else getattr(obj, "agency_id", None)
    if not can_see_agency(user, agency_id):
        abort(404)
    units = limited_unit_ids(user)
    if units is None:
        return obj
    if isinstance(obj, User) and (obj.unit_id not in units or (obj.role != Role.LEARNER and obj.id != user.id)):
        abort(404)  # nor another admin, even of their unit: they could take over wider rights
    if isinstance(obj, Unit) and obj.id not in units:
        abort(404)
    if person is _DEFAULT:
        check = hasattr(obj, "user_id") and not isinstance(obj, User)
        person_id = getattr(obj, "user_id", None)
    elif isinstance(person, str):
        person_id, check = getattr(obj, person), True
    else:
        person_id, check = person, person is not None
    if check and not can_see_person(user, person_id):
        abort(404)
    return obj


def agency_for_admin_or_404(user: User, agency_id: int) -> Agency:
    return get_scoped_or_404(Agency, agency_id, user)


# --- audit entries about people -------------------------------------------------------------------


@dataclass(frozen=True)
class PersonTarget:
    """Audit entries with ``target_type`` name a row by ``key_column``; ``person_column`` is its
    person (users.id)."""

    key_column: Any
    person_column: Any


def register_person_target(app: Flask, target_type: str, key_column: Any, person_column: Any) -> None:
    """Tell the core which person an audit entry about ``target_type`` concerns, e.g. a plugin's
    ``register_person_target(app, "certificate", Certificate.code, Certificate.user_id)``."""
    app.extensions.setdefault(_PERSON_TARGETS, {})[target_type] = PersonTarget(key_column, person_column)


def _person_targets() -> dict[str, PersonTarget]:
    targets = {"user": PersonTarget(User.id, User.id)}
    targets.update(current_app.extensions.get(_PERSON_TARGETS, {}))
    return targets


def scope_audit(stmt: Select[Any], user: User) -> Select[Any]:
    """Audit entries ``user`` may read: the agency's entries, and for a unit-limited admin only
    their own actions and entries about a person in their units."""
    stmt = scope(stmt, user, AuditLog.agency_id)
    if limited_unit_ids(user) is None:
        return stmt
    people = visible_user_ids(user)
    about_people: list[ColumnElement[bool]] = [
        and_(
            AuditLog.target_type == kind,
            AuditLog.target_id.in_(select(cast(target.key_column, String)).where(target.person_column.in_(people))),
        )
        for kind, target in _person_targets().items()
    ]
    return stmt.where(or_(AuditLog.actor_id == user.id, *about_people))
