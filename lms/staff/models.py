"""Staff tables: uploaded staff files, each doubling as its import job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, intpk, str40, timestamp


class StaffImport(Base):
    """An uploaded staff file, owned by one agency, kept until it expires; it doubles as the import
    job (``status``, ``done`` of ``total``) so a progress page can poll it from any instance."""

    __tablename__ = "staff_imports"

    id: Mapped[intpk]
    token: Mapped[str] = mapped_column(String(43), unique=True)  # opaque id used in URLs
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    create_units: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str40] = mapped_column(default="uploaded")  # uploaded|running|done|failed
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[timestamp]
    expires_at: Mapped[dt.datetime]
