"""The one place that decides which agency data an admin may see.

Every query returning agency data goes through ``scope`` or ``get_scoped_or_404``; an admin of
agency A asking for anything of agency B gets 404 (not 403: existence is not revealed).
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from sqlalchemy import Select, false, select

from lms.db import db
from lms.models import Agency, Role, Unit, User, admin_units

T = TypeVar("T")


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


def scope(stmt: Select[Any], user: User, agency_column: Any, unit_column: Any = None) -> Select[Any]:
    """Restrict ``stmt`` to the agencies (and units, if limited) that ``user`` administers."""
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


def can_see_agency(user: User, agency_id: int | None) -> bool:
    agencies = visible_agency_ids(user)
    return agency_id is not None and (agencies is None or agency_id in agencies)


def get_scoped_or_404(model: type[T], ident: Any, user: User) -> T:
    """Load ``model`` by primary key if it belongs to an agency ``user`` administers, else 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    agency_id = obj.id if isinstance(obj, Agency) else getattr(obj, "agency_id", None)
    if not can_see_agency(user, agency_id):
        abort(404)
    units = limited_unit_ids(user)
    if units is not None:
        if isinstance(obj, User) and obj.unit_id not in units:
            abort(404)
        if isinstance(obj, Unit) and obj.id not in units:
            abort(404)
    return obj


def agency_for_admin_or_404(user: User, agency_id: int) -> Agency:
    return get_scoped_or_404(Agency, agency_id, user)
