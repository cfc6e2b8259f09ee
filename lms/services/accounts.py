"""Accounts: login, sessions, passwords, and the one-time links that set one (activation and
reset links). Managing an agency's staff is ``lms.staff.services``."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from lms.db import db, utcnow
from lms.identity import normalise
from lms.models import AuthSession, OneTimeLink, User
from lms.security import (
    MIN_PASSWORD_LENGTH,
    LinkError,
    hash_password,
    load_link_payload,
    needs_rehash,
    sha256_hex,
    sign_link_payload,
    verify_password,
)
from lms.services import ServiceError, audit

ACTIVATION = "activate"
RESET = "reset"


class AccountError(ServiceError):
    pass


def find_login(identifier: str) -> User | None:
    """Look a person up by NIP / NI PPPK (spaces allowed) or e-mail."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        return db.session.scalar(select(User).where(func.lower(User.email) == identifier.lower()))
    return db.session.scalar(select(User).where(User.nip == normalise(identifier)))


def authenticate(identifier: str, password: str) -> User | None:
    """The user if the password is right and the account active; constant-time for unknown users."""
    user = find_login(identifier)
    ok = verify_password(user.password_hash if user else None, password)
    if not (user and ok and user.active):
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(user: User, ip: str | None, user_agent: str | None) -> str:
    """Create a server-side session and return the token to keep in the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthSession(
            id=sha256_hex(token), user_id=user.id, ip=ip, user_agent=(user_agent or "")[:300], last_seen_at=utcnow()
        )
    )
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, target_type="user", target_id=user.id, ip=ip)
    return token


def session_user(user_id: int, token: str | None) -> User | None:
    if not token:
        return None
    row = db.session.get(AuthSession, sha256_hex(token))
    if row is None or row.user_id != user_id:
        return None
    now = utcnow()
    last = _aware(row.last_seen_at or row.created_at)
    idle = (now - last).total_seconds()
    if idle > int(current_app.config["SESSION_IDLE_TIMEOUT"]):
        _outside_request_transaction(delete(AuthSession).where(AuthSession.id == row.id))
        return None
    if idle > int(current_app.config["SESSION_TOUCH_INTERVAL"]):
        _outside_request_transaction(update(AuthSession).where(AuthSession.id == row.id).values(last_seen_at=now))
    user = db.session.get(User, user_id)
    return user if user and user.active else None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _outside_request_transaction(stmt) -> None:
    """Write session bookkeeping on its own connection and commit it at once: loading the user
    happens inside a request whose own transaction must commit only the request's changes (and a
    GET commits nothing). A failure here only delays the bookkeeping."""
    try:
        with db.engine.begin() as conn:
            conn.execute(stmt)
    except Exception:  # noqa: BLE001 - never fail the request over a last-seen time
        current_app.logger.warning("could not update the login session's last use")


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(AuthSession).where(AuthSession.id == sha256_hex(token)))


def end_all_sessions(user: User, keep_token: str | None = None) -> None:
    stmt = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_token:
        stmt = stmt.where(AuthSession.id != sha256_hex(keep_token))
    db.session.execute(stmt)


def check_password_strength(password: str, user: User | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH), "password")
    if user and user.nip and user.nip in password:
        raise AccountError(_l("Kata sandi tidak boleh memuat NIP Anda."), "password")


def change_password(user: User, current: str, new: str, keep_token: str | None, ip: str | None) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError(_l("Kata sandi saat ini salah."), "current_password")
    check_password_strength(new, user)
    user.password_hash = hash_password(new)
    _password_chosen_by_owner(user)
    revoke_links(user)
    end_all_sessions(user, keep_token=keep_token)
    audit.record("auth.password_changed", actor=user, target_type="user", target_id=user.id, ip=ip)


def _password_chosen_by_owner(user: User) -> None:
    user.password_set_via_admin_link_at = None
    user.password_set_via_admin_link_by_id = None


# --- one-time links -----------------------------------------------------------------------------


def revoke_links(user: User, purpose: str | None = None) -> None:
    """Revoke the person's unused links (of one purpose, or all of them)."""
    db.session.flush()
    stmt = update(OneTimeLink).where(
        OneTimeLink.user_id == user.id, OneTimeLink.used_at.is_(None), OneTimeLink.revoked_at.is_(None)
    )
    if purpose is not None:
        stmt = stmt.where(OneTimeLink.purpose == purpose)
    db.session.execute(stmt.values(revoked_at=utcnow()).execution_options(synchronize_session=False))


def issue_link(
    user: User, purpose: str, issued_by: User | None = None, delivery: str | None = None, ip: str | None = None
) -> str:
    """A one-time link's signed part (the end of ``/activate/…`` or ``/reset/…``), naming the user
    and a fresh id; the id is recorded so the link works once.

    Older unused links of the same purpose stop working. A link issued by someone else (an admin)
    is audited with that admin as the actor and how it reached the person: ``delivery`` is
    ``"email"`` or ``"shown"`` (on the admin's screen or printed)."""
    if purpose == ACTIVATION and user.activated_at is not None:
        raise AccountError(_l("Akun ini sudah aktif."), "name")
    revoke_links(user, purpose)
    jti = secrets.token_hex(16)
    by = issued_by.id if issued_by is not None and issued_by.id != user.id else None
    db.session.add(OneTimeLink(jti=jti, user_id=user.id, purpose=purpose, issued_by_id=by))
    db.session.flush()
    if by is not None:
        audit.record(
            "auth.link_issued",
            actor=issued_by,
            agency_id=user.agency_id,
            target_type="user",
            target_id=user.id,
            ip=ip,
            purpose=purpose,
            delivery=delivery or "shown",
            link_id=jti[:8],
        )
    return sign_link_payload(purpose, {"uid": user.id, "jti": jti})


def _max_age(purpose: str) -> int:
    key = "ACTIVATION_TOKEN_MAX_AGE" if purpose == ACTIVATION else "RESET_TOKEN_MAX_AGE"
    return int(current_app.config[key])


def check_link(purpose: str, token: str) -> tuple[User, OneTimeLink]:
    """Check a link without using it up (to show the form); raises ``LinkError``."""
    data = load_link_payload(purpose, token, _max_age(purpose))
    row = db.session.get(OneTimeLink, str(data.get("jti", "")))
    if row is None or row.purpose != purpose or row.user_id != data.get("uid"):
        raise LinkError("invalid")
    if row.used_at is not None:
        raise LinkError("used")
    if row.revoked_at is not None:
        raise LinkError("revoked")
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        raise LinkError("invalid")
    if purpose == ACTIVATION and user.activated_at is not None:
        raise LinkError("active")
    return user, row


def redeem_link(purpose: str, token: str, new_password: str, ip: str | None) -> User:
    user, row = check_link(purpose, token)
    check_password_strength(new_password, user)
    now = utcnow()
    row.used_at = now
    user.password_hash = hash_password(new_password)
    if purpose == ACTIVATION and user.activated_at is None:
        user.activated_at = now
    if row.issued_by_id is not None:  # the admin who issued the link may have seen it
        user.password_set_via_admin_link_at = now
        user.password_set_via_admin_link_by_id = row.issued_by_id
    else:
        _password_chosen_by_owner(user)
    revoke_links(user)  # every other outstanding link, of any purpose
    end_all_sessions(user)
    audit.record(
        f"auth.{purpose}", actor=user, target_type="user", target_id=user.id, ip=ip, link_issued_by=row.issued_by_id
    )
    return user


def login_counter_key(identifier: str) -> str:
    """The account part of the failed-login counters' key: the identifier as typed (normalised)
    and a short digest of the account's password hash, so that setting a new password (through a
    reset or activation link) leaves the old counters behind and the owner can always get in."""
    ident = normalise_identifier(identifier)
    user = find_login(identifier)
    generation = sha256_hex(user.password_hash)[:12] if user and user.password_hash else "-"
    return f"{ident}:{generation}"


def normalise_identifier(identifier: str) -> str:
    identifier = (identifier or "").strip().lower()
    return identifier if "@" in identifier else normalise(identifier)
