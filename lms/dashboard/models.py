"""Dashboard tables: sent reminders."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, intpk, timestamp


class ReminderLog(Base):
    """One reminder e-mail to one person for one program; at most one per Jakarta calendar day."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint("program_id", "user_id", "sent_on"),
        Index("ix_reminder_log_program_sent_on", "program_id", "sent_on"),
    )

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_on: Mapped[dt.date] = mapped_column(Date)  # Asia/Jakarta day
    sent_at: Mapped[timestamp]
    email: Mapped[str] = mapped_column(String(254))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
