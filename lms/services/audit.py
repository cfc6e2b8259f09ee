from __future__ import annotations

from typing import Any

from lms.db import db
from lms.models import AuditLog, User


def record(
    action: str,
    *,
    actor: User | None,
    agency_id: int | None = None,
    target_type: str | None = None,
    target_id: Any = None,
    ip: str | None = None,
    **details: Any,
) -> AuditLog:
    """Write one audit entry in the current transaction: who did what, to what, from where."""
    entry = AuditLog(
        action=action,
        actor_id=actor.id if actor else None,
        agency_id=agency_id if agency_id is not None else (actor.agency_id if actor else None),
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        details=details,
        ip=ip,
    )
    db.session.add(entry)
    return entry
