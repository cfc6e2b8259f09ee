"""Rules of the pledges plugin: signing with evidence, receipts and the agency's view. Pledge
texts (immutable versions) are in ``pledges.texts`` and their wording and filling in
``pledges.wording`` (both re-exported here). The ledger is in ``pledges.ledger``, the signature image and the
form token in ``pledges.evidence``. Functions flush and send signals; they never commit and never
touch ``request`` (the view passes IP and user agent in)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select, text
from sqlalchemy.exc import IntegrityError

from lms.db import db, utcnow
from lms.models import Agency, Program, ProgramRequirement, ProgramStatus, Unit, User
from lms.pdf import render_pdf
from lms.scoping import scope
from lms.security import sha256_hex, verify_password
from lms.services import audit
from lms.services import programs as program_service
from lms.signals import requirement_met
from lms.timezones import use_zone
from pledges import evidence, ledger
from pledges.content import DEFAULT_KEY
from pledges.evidence import PledgeError, PledgeErrors, PledgeTextChanged
from pledges.models import PledgeSignature, PledgeText
from pledges.names import names_match
from pledges.signals import pledge_signed
from pledges.texts import (
    TextInput,
    agency_text_outdated,
    agency_texts,
    create_agency_version,
    ensure_default_text,
    latest_platform_text,
    parse_clauses,
    signature_counts,
    text_for,
    text_form_defaults,
    text_keys,
    text_title,
)
from pledges.wording import (
    canonical_text,
    election_display_name,
    election_snapshot,
    fill,
    fill_values,
    number_label,
    placeholders,
    shown_text,
    signed_values,
)

__all__ = [
    "DEFAULT_KEY",
    "PledgeError",
    "PledgeErrors",
    "PledgeTextChanged",
    "TextInput",
    "agency_text_outdated",
    "agency_texts",
    "create_agency_version",
    "ensure_default_text",
    "latest_platform_text",
    "parse_clauses",
    "signature_counts",
    "text_for",
    "text_form_defaults",
    "text_keys",
    "text_title",
    "canonical_text",
    "election_display_name",
    "election_snapshot",
    "number_label",
    "fill",
    "fill_values",
    "placeholders",
    "shown_text",
    "signed_values",
]

# First key of the two-key advisory locks that serialise one learner's signings (PostgreSQL keeps
# the one-key and two-key lock spaces apart).
SIGNING_LOCK_NAMESPACE = 0x1C4B


# --- signing --------------------------------------------------------------------------------------


def find_signature(user_id: int, program_id: int, key: str) -> PledgeSignature | None:
    return db.session.scalar(
        select(PledgeSignature)
        .where(
            PledgeSignature.user_id == user_id,
            PledgeSignature.program_id == program_id,
            PledgeSignature.text_key == key,
        )
        .order_by(PledgeSignature.id)
        .limit(1)
    )


def program_requires(program: Program, key: str) -> bool:
    return any(r.kind == "pledge" and r.ref == key for r in program.requirements)


def can_sign(user: User, program: Program, key: str) -> bool:
    return (
        program.status == ProgramStatus.OPEN
        and program_requires(program, key)
        and program_service.is_member(program, user)
    )


def form_token_for(user: User, program: Program, pledge_text: PledgeText) -> str:
    """The signing form's token: who, which program, which version, and the SHA-256 of the exact
    text the form shows now."""
    return evidence.issue_form_token(
        user.id, program.id, pledge_text.id, sha256_hex(shown_text(pledge_text, program, user))
    )


def identity_snapshot(user: User) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "name": user.name,
        "nip": user.nip,
        "employment_type": user.employment_type.value,
        "position": user.position,
        "unit": user.unit.name if user.unit else None,
        "unit_id": user.unit_id,
        "agency": user.agency.name if user.agency else None,
        "agency_id": user.agency_id,
        # Was the password in use set through a link an admin issued (and may have seen), rather
        # than chosen by the person since? Records sealed before this key existed lack it.
        "password_set_via_admin_link": user.password_set_via_admin_link_at is not None,
        "password_admin_link": None
        if user.password_set_via_admin_link_at is None
        else {
            "set_at": ledger.iso(user.password_set_via_admin_link_at),
            "issued_by_user_id": user.password_set_via_admin_link_by_id,
        },
    }


def signing_lock(user_id: int) -> None:
    """PostgreSQL: serialise the signings of one learner (a transaction-level advisory lock in its
    own key space, so other learners sign in parallel and nothing else waits on the user row).
    Two keys of 32 bits: a shared key for two ids only makes them wait for each other."""
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), CAST(:k AS integer))"),
        {"ns": SIGNING_LOCK_NAMESPACE, "k": user_id & 0x7FFF_FFFF},
    )


@dataclass
class SignInput:
    form_token: str
    ticked: list[str]
    password: str
    signature_data_url: str | None
    typed_name: str | None
    ip: str | None
    user_agent: str | None


def sign_pledge(user: User, program: Program, pledge_text: PledgeText, data: SignInput) -> tuple[PledgeSignature, bool]:
    """Record one signature with its evidence and ledger entry. Returns (signature, created);
    a repeated submit returns the existing signature and writes nothing. Every check runs before
    anything is written; when the text to be stored differs from the text the form showed (the
    program or the pledge text changed meanwhile) it raises ``PledgeTextChanged``."""
    token = evidence.read_form_token(data.form_token, user.id, program.id, pledge_text.id)
    existing = find_signature(user.id, program.id, pledge_text.key)
    if existing is not None:
        return existing, False
    body = shown_text(pledge_text, program, user)
    if sha256_hex(body) != token.text_sha256:
        raise evidence.text_changed()
    wanted = [str(c["id"]) for c in pledge_text.commitments]
    ticked = [c for c in wanted if c in set(data.ticked)]
    errors: list[PledgeError] = []  # every field is checked in one pass, so every error shows at once
    if ticked != wanted or len(set(data.ticked)) != len(wanted):
        errors.append(
            PledgeError(_l("Centang setiap butir komitmen untuk menyatakan Anda menyetujuinya."), "commitments")
        )
    if not data.password or not verify_password(user.password_hash, data.password):
        errors.append(
            PledgeError(
                _l(
                    "Kata sandi salah. Masukkan kata sandi akun Anda untuk memastikan "
                    "bahwa Anda sendiri yang menandatangani."
                ),
                "password",
            )
        )
    reauth_at = utcnow()
    png: bytes | None = None
    typed = (data.typed_name or "").strip() or None
    if data.signature_data_url:
        try:
            png = evidence.decode_signature_image(data.signature_data_url.strip())
        except PledgeError as exc:
            errors.append(exc)
    if typed is not None and not names_match(typed, user.name):
        errors.append(
            PledgeError(
                _l(
                    "Nama yang diketik harus sama dengan nama akun Anda: %(name)s (gelar boleh ditulis atau tidak).",
                    name=user.name,
                ),
                "typed_name",
            )
        )
    if png is None and typed is None and not data.signature_data_url:
        errors.append(
            PledgeError(
                _l(
                    "Tanda tangan masih kosong. Buat tanda tangan Anda di bidang yang "
                    "tersedia, atau ketik nama lengkap Anda."
                ),
                "signature",
            )
        )
    if errors:
        raise PledgeErrors(errors)

    # Lock before the existence check, so the check and the insert are one step for this learner:
    # the UNIQUE constraint is per text version and cannot stop a second signature of a newer
    # version published meanwhile. SQLite has one writer at a time anyway: its write lock is taken
    # first, before reading, so the transaction never has to upgrade a stale read. PostgreSQL
    # locks this learner's signing here and the ledger only to append.
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if sqlite:
        ledger.append_lock()
    else:
        signing_lock(user.id)
    existing = find_signature(user.id, program.id, pledge_text.key)
    if existing is not None:
        return existing, False
    sig = PledgeSignature(
        user_id=user.id,
        program_id=program.id,
        agency_id=user.agency_id,
        unit_id=user.unit_id,
        text_id=pledge_text.id,
        text_key=pledge_text.key,
        text_version=pledge_text.version,
        shown_text=body,
        text_sha256=sha256_hex(body),
        # The program's title and its election as the signer saw them, sealed with the record
        # (receipts show them).
        identity={
            **identity_snapshot(user),
            "program_title": program.title,
            "election": election_snapshot(program.election),
        },
        signature_png=png,
        signature_png_sha256=sha256_hex(png) if png is not None else None,
        typed_name=typed,
        commitments_ticked=ticked,
        reauth_method="password",
        reauth_at=reauth_at,
        opened_at=token.opened_at,
        signed_at=utcnow(),
        client_ip=(data.ip or None) and data.ip[:45],
        user_agent=(data.user_agent or None) and data.user_agent[:400],
    )
    ledger.seal_record(sig, pledge_text)
    try:
        with db.session.begin_nested():  # a concurrent submit of the same learner loses here
            db.session.add(sig)
    except IntegrityError:
        return find_signature(user.id, program.id, pledge_text.key), False
    app = current_app._get_current_object()
    # Completing the program (which may render a certificate) happens before the ledger append,
    # so the global append lock is held only for the append and the commit, not for the render.
    requirement_met.send(app, user_id=user.id, kind="pledge", ref=pledge_text.key)
    if not sqlite:
        ledger.append_lock()
    entry = ledger.append_entry(sig.record_sha256, sig.id, sig.signed_at)
    audit.record(
        "pledge.signed",
        actor=user,
        agency_id=user.agency_id,
        target_type="pledge_signature",
        target_id=sig.id,
        ip=data.ip,
        program_id=program.id,
        ledger_seq=entry.seq,
    )
    pledge_signed.send(
        app, signature_id=sig.id, user_id=user.id, program_id=program.id, text_key=pledge_text.key, ledger_seq=entry.seq
    )
    return sig, True


# --- receipts and evidence ------------------------------------------------------------------------


def png_data_uri(sig: PledgeSignature) -> str | None:
    if sig.signature_png is None:
        return None
    return "data:image/png;base64," + base64.b64encode(sig.signature_png).decode()


# Dates day first in both languages (never the US month-first order).
DATE_PATTERN = "d MMMM y"
SHORT_DATE_PATTERN = "d MMM y"


def voting_day(election: dict[str, Any] | None) -> dt.date | None:
    """The voting day of an election snapshot (stored as an ISO date)."""
    raw = (election or {}).get("voting_day")
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def show_times_in_zone_of(sig: PledgeSignature) -> None:
    """Show this request's (or app context's, e.g. a PDF rendered by a command) times in the zone
    of the signer's agency, named (WIB/WITA/WIT)."""
    agency = db.session.get(Agency, sig.agency_id) if sig.agency_id else None
    zone = agency.timezone if agency is not None else None
    use_zone(zone)


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str


def next_step(user: User, program: Program) -> NextStep:
    """Where the receipt leads on: the learner's next unmet step of the program, else what the
    program gives (e.g. the certificate, from whichever plugin provides it), else My programs."""
    for step in program_service.requirement_steps(user, program):
        if not step.met and step.url:
            return NextStep(str(_l("Lanjutkan: %(step)s", step=step.label)), step.url)
    receipts = {  # this plugin's own outcomes: the receipt does not lead to itself
        url_for("pledges.receipt", signature_id=sig.id)
        for key in program_pledge_keys(program)
        if (sig := find_signature(user.id, program.id, key)) is not None
    }
    for outcome in program_service.outcomes(user, program):
        if outcome.ready and outcome.url and outcome.url not in receipts:
            return NextStep(str(_l("Buka %(outcome)s", outcome=outcome.label)), outcome.url)
    return NextStep(str(_l("Ke Program saya")), url_for("learner.home"))


def receipt_context(sig: PledgeSignature) -> dict[str, Any]:
    pledge_text = db.session.get(PledgeText, sig.text_id)
    program = db.session.get(Program, sig.program_id)
    assert pledge_text is not None and program is not None
    values = signed_values(sig, pledge_text)
    return {
        "sig": sig,
        "pledge_text": pledge_text,
        "program": program,
        "entry": ledger.entry_for(sig),
        # Signatures from before the title was recorded fall back to the current title.
        "program_title": sig.identity.get("program_title") or program.title,
        # Recorded since elections are records; older signatures show none.
        "election": sig.identity.get("election"),
        "election_name": election_display_name(sig.identity.get("election")),
        "voting_day": voting_day(sig.identity.get("election")),
        "date_pattern": DATE_PATTERN,
        "short_date_pattern": SHORT_DATE_PATTERN,
        "number_label": number_label(sig.identity.get("employment_type")),
        "image": png_data_uri(sig),
        "ticked": set(sig.commitments_ticked),
        # What was signed, from the stored text: ``fill`` splits it along the pledge text;
        # when it is None the templates print ``sig.shown_text`` as it is.
        "fill": None if values is None else (lambda s: fill_values(s, values)),
    }


def evidence_problem(sig: PledgeSignature) -> str | None:
    """What the evidence page reports: None when the signature, its seal and its ledger entry
    hold."""
    entry = ledger.entry_for(sig)
    if entry is None:
        return str(_l("tidak ada di buku besar"))
    return ledger.signature_problem(sig, entry)


def receipt_pdf(sig: PledgeSignature) -> bytes:
    show_times_in_zone_of(sig)
    return render_pdf(render_template("pledges/receipt_pdf.html", **receipt_context(sig)))


# --- agency view ----------------------------------------------------------------------------------


def program_pledge_keys(program: Program) -> list[str]:
    return [r.ref for r in program.requirements if r.kind == "pledge"]


def signed_user_ids(program_id: int, key: str) -> Select[tuple[int]]:
    return select(PledgeSignature.user_id).where(
        PledgeSignature.program_id == program_id, PledgeSignature.text_key == key
    )


def program_signatures(
    program: Program, admin: User, key: str, unit_id: int | None, status: str | None
) -> tuple[list[Any], list[Any]]:
    """The signatures page of a program for one pledge ``key``, within the admin's scope: per
    unit (unit id, name, staff, signed; least signed first) and up to 500 staff members with their
    signature (or None), filtered by unit and by ``status`` ("signed", "unsigned" or None)."""
    members = program_service.member_ids(program)
    joined = and_(
        PledgeSignature.user_id == User.id, PledgeSignature.program_id == program.id, PledgeSignature.text_key == key
    )
    per_unit = list(
        db.session.execute(
            scope(
                select(Unit.id, Unit.name, func.count(User.id), func.count(PledgeSignature.id))
                .select_from(User)
                .outerjoin(Unit, User.unit_id == Unit.id)
                .outerjoin(PledgeSignature, joined)
                .where(User.id.in_(members))
                .group_by(Unit.id, Unit.name),
                admin,
                User.agency_id,
                User.unit_id,
            )
        ).all()
    )
    per_unit.sort(key=lambda r: (r[3] / r[2] if r[2] else 1, r[1] or ""))
    people_stmt = scope(
        select(User, PledgeSignature).outerjoin(PledgeSignature, joined).where(User.id.in_(members)),
        admin,
        User.agency_id,
        User.unit_id,
    )
    if unit_id:
        people_stmt = people_stmt.where(User.unit_id == unit_id)
    if status == "signed":
        people_stmt = people_stmt.where(PledgeSignature.id.is_not(None))
    elif status == "unsigned":
        people_stmt = people_stmt.where(PledgeSignature.id.is_(None))
    people = list(db.session.execute(people_stmt.order_by(User.name).limit(500)).all())
    return per_unit, people


def add_requirement(program: Program, key: str) -> bool:
    """Demo helper: make ``program`` require pledge ``key`` (idempotent)."""
    if program_requires(program, key):
        return False
    program.requirements.append(ProgramRequirement(kind="pledge", ref=key, position=len(program.requirements)))
    db.session.flush()
    return True
