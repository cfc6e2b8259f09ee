"""Reminder e-mails to program members not yet complete: at most one per person, program and
Jakarta calendar day (a unique constraint enforces it). ``queue_reminders`` records the log rows
and returns the messages; the caller commits, then calls ``deliver`` (no mail on rollback)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from lms.dashboard.models import ReminderLog
from lms.dashboard.services import completed_ids, jakarta_today, scoped_members
from lms.db import db, utcnow
from lms.mail import send_mail
from lms.models import Program, Unit, User
from lms.services import audit
from lms.urls import external_url


@dataclass(frozen=True)
class Reminder:
    user_id: int
    name: str
    email: str
    locale: str
    subject: str
    body: str


LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}  # each language by its own name


@dataclass(frozen=True)
class NoEmail:
    user_id: int
    name: str
    nip: str | None
    unit_name: str


@dataclass(frozen=True)
class DryRun:
    """What "send reminders" would do now: who has not finished, who gets an e-mail, who cannot."""

    not_finished: int
    reminded_today: int
    no_email: int
    reminders: list[Reminder]


def _not_finished(program: Program, viewer: User):
    return scoped_members(program, viewer).where(User.id.not_in(completed_ids(program)))


def _reminded_today(program: Program, today: dt.date):
    return select(ReminderLog.user_id).where(ReminderLog.program_id == program.id, ReminderLog.sent_on == today)


def dry_run(program: Program, viewer: User, today: dt.date | None = None) -> DryRun:
    today = today or jakarta_today()
    base = _not_finished(program, viewer)
    not_finished = db.session.scalar(base.with_only_columns(func.count())) or 0
    no_email = db.session.scalar(base.with_only_columns(func.count()).where(User.email.is_(None))) or 0
    reminded = (
        db.session.scalar(
            base.with_only_columns(func.count()).where(
                User.email.is_not(None), User.id.in_(_reminded_today(program, today))
            )
        )
        or 0
    )
    return DryRun(int(not_finished), int(reminded), int(no_email), preview_reminders(program, viewer, today))


def without_email(program: Program, viewer: User) -> list[NoEmail]:
    """Members not finished who have no e-mail address: they need a printed note instead."""
    stmt = (
        _not_finished(program, viewer)
        .with_only_columns(User.id, User.name, User.nip, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.email.is_(None))
        .order_by(Unit.name, User.name, User.id)
    )
    return [NoEmail(uid, name, nip, unit or "") for uid, name, nip, unit in db.session.execute(stmt)]


def candidates_query(program: Program, viewer: User, today: dt.date):
    """Members with an e-mail, not complete, not reminded today for this program."""
    already = _reminded_today(program, today)
    return (
        scoped_members(program, viewer)
        .with_only_columns(User.id, User.name, User.email, User.locale)
        .where(User.email.is_not(None), User.id.not_in(completed_ids(program)), User.id.not_in(already))
        .order_by(User.name, User.id)
    )


def _message(program: Program, name: str, locale: str, today: dt.date) -> tuple[str, str]:
    with force_locale(locale):
        subject = _("Pengingat: %(title)s", title=program.title)
        days = (program.deadline - today).days
        when = (
            _(
                "Batas waktunya %(date)s (%(n)s hari lagi).",
                date=format_date(program.deadline, "long"),
                n=days,
            )
            if days >= 0
            else _("Batas waktunya %(date)s sudah lewat.", date=format_date(program.deadline, "long"))
        )
        body = _(
            'Yth. %(name)s,\n\nAnda belum menyelesaikan program "%(title)s". %(when)s\n\n'
            "Masuk ke Ikrar untuk melanjutkan: %(url)s\n\nPesan ini dikirim otomatis; "
            "Anda menerima paling banyak satu pengingat sehari.",
            name=name,
            title=program.title,
            when=when,
            url=external_url("learner.home"),
        )
    return str(subject), str(body)


def preview_reminders(program: Program, viewer: User, today: dt.date | None = None) -> list[Reminder]:
    """Dry run: who would get a reminder now, and the text each would receive."""
    today = today or jakarta_today()
    out = []
    for uid, name, email, locale in db.session.execute(candidates_query(program, viewer, today)):
        loc = locale if locale in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
        subject, body = _message(program, name, loc, today)
        out.append(Reminder(uid, name, email, loc, subject, body))
    return out


def queue_reminders(
    program: Program, viewer: User, ip: str | None = None, today: dt.date | None = None
) -> list[Reminder]:
    """Record a log row for each reminder (flush, no commit) and return them for ``deliver``."""
    today = today or jakarta_today()
    reminders = preview_reminders(program, viewer, today)
    if reminders:
        now = utcnow()
        db.session.execute(
            insert(ReminderLog.__table__),
            [
                {
                    "program_id": program.id,
                    "user_id": r.user_id,
                    "sent_on": today,
                    "sent_at": now,
                    "email": r.email,
                    "actor_id": viewer.id if viewer else None,
                }
                for r in reminders
            ],
        )
    audit.record(
        "program.reminded",
        actor=viewer,
        agency_id=program.agency_id,
        target_type="program",
        target_id=program.id,
        ip=ip,
        count=len(reminders),
    )
    db.session.flush()
    return reminders


def deliver(reminders: list[Reminder]) -> tuple[int, list[str]]:
    """Send after commit. Returns (sent, failed addresses)."""
    sent, failed = 0, []
    for r in reminders:
        try:
            send_mail(r.email, r.subject, r.body)
        except OSError:
            failed.append(r.email)
        else:
            sent += 1
    return sent, failed
