"""Invitations: the activation (or reset) link a staff member gets, by e-mail in their own
language or on a printed sheet. One e-mail text serves a new staff member, the link an admin
sends from the staff page, an agency's first admin and the invitations page."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.db import db
from lms.mail import link_delivery, mail_enabled, send_mail
from lms.models import Agency, Role, User
from lms.scoping import scope
from lms.services import accounts
from lms.urls import external_url

INVITE_BATCH = 1000  # people given an activation link at once from the invitations page
_ENDPOINTS = {accounts.ACTIVATION: "auth.activate", accounts.RESET: "auth.reset"}


def activation_link(user: User, actor: User | None, ip: str | None = None) -> str:
    """Issue an activation link for ``user`` (audited with ``actor``); the full URL."""
    return _link(user, accounts.ACTIVATION, actor, ip)


def access_link(user: User, actor: User | None, ip: str | None = None) -> str:
    """An activation link for someone who never activated the account, else a reset link."""
    purpose = accounts.ACTIVATION if user.activated_at is None else accounts.RESET
    return _link(user, purpose, actor, ip)


def _link(user: User, purpose: str, actor: User | None, ip: str | None) -> str:
    token = accounts.issue_link(user, purpose, actor, link_delivery(user.email), ip)
    return external_url(_ENDPOINTS[purpose], token=token)


def recipient_locale(user: User) -> str:
    """The language the person chose, else the deployment's default (Indonesian)."""
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def invitation_mail(user: User, link: str) -> tuple[str, str]:
    """Subject and body of the invitation e-mail, in the recipient's language (not the admin's)."""
    with force_locale(recipient_locale(user)):
        subject = _("Akun Ikrar Anda")
        body = _(
            "Yth. %(name)s,\n\nBuka tautan berikut untuk mengatur kata sandi Anda:\n\n"
            "%(link)s\n\nTautan hanya dapat dipakai sekali.",
            name=user.name,
            link=link,
        )
    return subject, body


def send_invitation(user: User, link: str) -> bool:
    """E-mail the link when mail is set up and the person has an address (call after commit);
    False when it must be handed over another way (shown to the admin, or printed)."""
    if not (user.email and mail_enabled()):
        return False
    send_mail(user.email, *invitation_mail(user, link))
    return True


def pending_staff(agency: Agency, viewer: User, unit_id: int = 0) -> Any:
    """Staff the viewer may see who never activated their account (of one unit if given)."""
    stmt = scope(select(User), viewer, User.agency_id, User.unit_id).where(
        User.agency_id == agency.id,
        User.role == Role.LEARNER,
        User.active.is_(True),
        User.password_hash.is_(None),
        User.activated_at.is_(None),
    )
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    return stmt


def count_pending(agency: Agency, viewer: User) -> int:
    stmt = pending_staff(agency, viewer)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def invite(agency: Agency, viewer: User, unit_id: int, ip: str | None) -> list[tuple[User, str]]:
    """Issue an activation link to at most ``INVITE_BATCH`` staff not yet activated (older links
    of theirs stop working); the caller commits, then sends or prints them."""
    people = db.session.scalars(
        pending_staff(agency, viewer, unit_id).order_by(User.unit_id, User.name).limit(INVITE_BATCH)
    ).all()
    return [(person, activation_link(person, viewer, ip)) for person in people]
