"""Rules of the pledges plugin: pledge texts (immutable versions) and signing with evidence,
receipts and the agency's view. The ledger is in ``pledges.ledger``, the signature image and the
form token in ``pledges.evidence``. Functions flush and send signals; they never commit and never
touch ``request`` (the view passes IP and user agent in)."""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template
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
from pledges import evidence, ledger
from pledges.content import DEFAULT_KEY, DEFAULT_TEXT
from pledges.evidence import PledgeError, PledgeTextChanged
from pledges.models import PledgeSignature, PledgeText
from pledges.signals import pledge_signed

__all__ = ["DEFAULT_KEY", "PledgeError", "PledgeTextChanged"]

# First key of the two-key advisory locks that serialise one learner's signings (PostgreSQL keeps
# the one-key and two-key lock spaces apart).
SIGNING_LOCK_NAMESPACE = 0x1C4B


# --- pledge texts ---------------------------------------------------------------------------------


def canonical_text(fields: dict[str, Any]) -> str:
    """The exact wording of a pledge text version (both languages), placeholders left unfilled."""
    lines = [fields["title_id"], "", fields["preamble_id"], ""]
    lines += [f"{i}. {c['text_id']}" for i, c in enumerate(fields["commitments"], 1)]
    if fields.get("closing_id"):
        lines += ["", fields["closing_id"]]
    lines += ["", "---", "English translation:", "", fields["title_en"], "", fields["preamble_en"], ""]
    lines += [f"{i}. {c['text_en']}" for i, c in enumerate(fields["commitments"], 1)]
    if fields.get("closing_en"):
        lines += ["", fields["closing_en"]]
    if fields.get("signer_name") or fields.get("signer_title"):
        lines += [
            "",
            "Mengetahui / Acknowledged by:",
            " ".join(x for x in (fields.get("signer_title"), fields.get("signer_name")) if x),
        ]
    return "\n".join(lines)


def _new_text(fields: dict[str, Any], agency_id: int | None, version: int, actor: User | None = None) -> PledgeText:
    body = canonical_text(fields)
    pledge_text = PledgeText(
        agency_id=agency_id,
        key=fields["key"],
        version=version,
        title_id=fields["title_id"],
        title_en=fields["title_en"],
        preamble_id=fields["preamble_id"],
        preamble_en=fields["preamble_en"],
        commitments=fields["commitments"],
        closing_id=fields.get("closing_id") or "",
        closing_en=fields.get("closing_en") or "",
        signer_name=fields.get("signer_name"),
        signer_title=fields.get("signer_title"),
        canonical_text=body,
        text_sha256=sha256_hex(body),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(pledge_text)
    db.session.flush()
    return pledge_text


def ensure_default_text() -> PledgeText:
    """The platform default (agency NULL), created once. It writes: call it where a write is
    expected (``lms demo``, a POST), never on a page view."""
    existing = latest_platform_text(DEFAULT_KEY)
    if existing is not None:
        return existing
    return _new_text(dict(DEFAULT_TEXT), None, 1)


def latest_platform_text(key: str) -> PledgeText | None:
    return db.session.scalar(
        select(PledgeText)
        .where(PledgeText.agency_id.is_(None), PledgeText.key == key)
        .order_by(PledgeText.version.desc())
        .limit(1)
    )


def text_for(key: str, agency_id: int) -> PledgeText | None:
    """The version an agency's learners sign: its own latest version of ``key``, else the
    platform's latest."""
    own = db.session.scalar(
        select(PledgeText)
        .where(PledgeText.agency_id == agency_id, PledgeText.key == key)
        .order_by(PledgeText.version.desc())
        .limit(1)
    )
    return own or latest_platform_text(key)


def text_keys(agency_id: int | None) -> list[str]:
    cond = PledgeText.agency_id.is_(None)
    if agency_id is not None:
        cond = cond | (PledgeText.agency_id == agency_id)
    return list(db.session.scalars(select(PledgeText.key).where(cond).distinct().order_by(PledgeText.key)))


def agency_texts(agency_id: int) -> list[PledgeText]:
    return list(
        db.session.scalars(
            select(PledgeText)
            .where(PledgeText.agency_id == agency_id)
            .order_by(PledgeText.key, PledgeText.version.desc())
        )
    )


def signature_counts(text_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(PledgeSignature.text_id, func.count())
        .where(PledgeSignature.text_id.in_(text_ids or [-1]))
        .group_by(PledgeSignature.text_id)
    )
    return {tid: n for tid, n in rows}


KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}$")


@dataclass
class TextInput:
    key: str
    title_id: str
    title_en: str
    preamble_id: str
    preamble_en: str
    extra_clauses: list[tuple[str, str]] = field(default_factory=list)  # (id, en)
    signer_name: str | None = None
    signer_title: str | None = None


def text_form_defaults(agency: Agency) -> dict[str, Any]:
    """What the new-version form starts with: the agency's latest default pledge text, else the
    platform's (as stored, or as shipped when it is not stored yet). Reads only."""
    base: Any = text_for(DEFAULT_KEY, agency.id)
    values = (
        {
            name: getattr(base, name)
            for name in ("key", "title_id", "title_en", "preamble_id", "preamble_en", "signer_name", "signer_title")
        }
        if base is not None
        else {name: DEFAULT_TEXT.get(name) for name in ("key", "title_id", "title_en", "preamble_id", "preamble_en")}
    )
    values["signer_name"] = values.get("signer_name") or agency.head_name
    values["signer_title"] = values.get("signer_title") or agency.head_title
    return values


def parse_clauses(raw: str) -> list[tuple[str, str]]:
    """One clause per line: ``Indonesian text | English text``."""
    out = []
    for n, line in enumerate((raw or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 2 or not all(parts):
            raise PledgeError(_l("Baris %(n)d: tulis teks Indonesia | teks Inggris.", n=n), "extra_clauses")
        out.append((parts[0], parts[1]))
    return out


def create_agency_version(agency: Agency, data: TextInput, actor: User, ip: str | None = None) -> PledgeText:
    """A new version of ``data.key`` for ``agency``: the platform's commitments plus the agency's
    extra clauses. Existing versions are never edited (signed text must stay as it was). Creates
    the platform default first when it is not stored yet."""
    key = data.key.strip().lower()
    if not KEY_RE.match(key):
        raise PledgeError(_l("Kunci hanya boleh huruf kecil, angka dan tanda hubung."), "key")
    for name in ("title_id", "title_en", "preamble_id", "preamble_en"):
        if not getattr(data, name).strip():
            raise PledgeError(_l("Wajib diisi."), name)
    default = ensure_default_text()
    base = text_for(key, agency.id) or default
    platform = latest_platform_text(key) or default
    commitments = [dict(c) for c in platform.commitments]
    for i, (text_id, text_en) in enumerate(data.extra_clauses, len(commitments) + 1):
        commitments.append({"id": str(i), "text_id": text_id, "text_en": text_en})
    version = (
        db.session.scalar(
            select(func.max(PledgeText.version)).where(PledgeText.agency_id == agency.id, PledgeText.key == key)
        )
        or 0
    ) + 1
    fields = {
        "key": key,
        "title_id": data.title_id.strip(),
        "title_en": data.title_en.strip(),
        "preamble_id": data.preamble_id.strip(),
        "preamble_en": data.preamble_en.strip(),
        "commitments": commitments,
        "closing_id": base.closing_id,
        "closing_en": base.closing_en,
        "signer_name": (data.signer_name or "").strip() or None,
        "signer_title": (data.signer_title or "").strip() or None,
    }
    pledge_text = _new_text(fields, agency.id, version, actor)
    audit.record(
        "pledge.text_version",
        actor=actor,
        agency_id=agency.id,
        target_type="pledge_text",
        target_id=pledge_text.id,
        ip=ip,
        key=key,
        version=version,
    )
    return pledge_text


PLACEHOLDER_RE = re.compile(r"\{(agency|election|year)\}")


def placeholders(program: Program) -> dict[str, str]:
    return {
        "{agency}": program.agency.name,
        "{election}": program.period or program.title,
        "{year}": str(program.deadline.year),
    }


def fill_values(text_: str | None, values: dict[str, str]) -> str:
    """``text_`` with each placeholder replaced by its value, in one pass (a value that happens to
    contain a placeholder is never filled again)."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(0), m.group(0)), text_ or "")


def fill(text_: str | None, program: Program) -> str:
    """Fill with the program's live values: only for the text about to be signed."""
    return fill_values(text_, placeholders(program))


def shown_text(pledge_text: PledgeText, program: Program) -> str:
    """The exact text the signing form shows and a signature stores."""
    return fill(pledge_text.canonical_text, program)


def signed_values(sig: PledgeSignature, pledge_text: PledgeText) -> dict[str, str] | None:
    """The placeholder values the signer saw, read back from the stored signed text (never from
    the program as it is now). ``None`` when the stored text cannot be split along its pledge
    text; it is then shown as it is. Filling the pledge text with the values found must give the
    stored text back character for character, so every filled part shown is a part of what was
    signed."""
    pattern: list[str] = []
    seen: set[str] = set()
    for i, part in enumerate(PLACEHOLDER_RE.split(pledge_text.canonical_text)):
        if i % 2 == 0:
            pattern.append(re.escape(part))
        elif part in seen:
            pattern.append(f"(?P={part})")
        else:
            seen.add(part)
            pattern.append(f"(?P<{part}>[^\n]*?)")
    match = re.fullmatch("".join(pattern), sig.shown_text)
    if match is None:
        return None
    values = {f"{{{name}}}": value for name, value in match.groupdict().items()}
    if fill_values(pledge_text.canonical_text, values) != sig.shown_text:
        return None
    return values


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
    return evidence.issue_form_token(user.id, program.id, pledge_text.id, sha256_hex(shown_text(pledge_text, program)))


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


def _norm_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


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
    body = shown_text(pledge_text, program)
    if sha256_hex(body) != token.text_sha256:
        raise evidence.text_changed()
    wanted = [str(c["id"]) for c in pledge_text.commitments]
    ticked = [c for c in wanted if c in set(data.ticked)]
    if ticked != wanted or len(set(data.ticked)) != len(wanted):
        raise PledgeError(_l("Centang setiap butir komitmen untuk menyatakan Anda menyetujuinya."), "commitments")
    if not data.password or not verify_password(user.password_hash, data.password):
        raise PledgeError(
            _l(
                "Kata sandi salah. Masukkan kata sandi akun Anda untuk memastikan "
                "bahwa Anda sendiri yang menandatangani."
            ),
            "password",
        )
    reauth_at = utcnow()
    png: bytes | None = None
    typed = (data.typed_name or "").strip() or None
    if data.signature_data_url:
        png = evidence.decode_signature_image(data.signature_data_url.strip())
    if typed is not None and _norm_name(typed) != _norm_name(user.name):
        raise PledgeError(
            _l("Nama yang diketik harus sama dengan nama akun Anda: %(name)s.", name=user.name), "typed_name"
        )
    if png is None and typed is None:
        raise PledgeError(
            _l(
                "Tanda tangan masih kosong. Buat tanda tangan Anda di bidang yang "
                "tersedia, atau ketik nama lengkap Anda."
            ),
            "signature",
        )

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
        # The program's title as the signer saw it, sealed with the record (receipts show it).
        identity={**identity_snapshot(user), "program_title": program.title},
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
