"""Every rule of the pledges plugin: template versions, signing with evidence, the hash-chained
ledger, its verification and signed checkpoints, receipts. Functions flush and send signals; they
never commit and never touch ``request`` (the view passes IP and user agent in)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from lms import keys
from lms.db import db, utcnow
from lms.models import Agency, Program, ProgramRequirement, ProgramStatus, User
from lms.pdf import render_pdf
from lms.security import verify_password
from lms.services import ServiceError, audit
from lms.services import programs as program_service
from lms.signals import requirement_met
from pledges.content import DEFAULT_KEY, DEFAULT_TEMPLATE
from pledges.models import Checkpoint, LedgerEntry, LedgerHead, PledgeSignature, PledgeTemplate
from pledges.signals import pledge_signed

GENESIS_HASH = "0" * 64
# Key of the PostgreSQL transaction-level advisory lock that serialises ledger appends.
LEDGER_LOCK_KEY = 0x1C4A_2026
# First key of the two-key advisory locks that serialise one learner's signings (PostgreSQL keeps
# the one-key and two-key lock spaces apart).
SIGNING_LOCK_NAMESPACE = 0x1C4B
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RECORD_VERSION = 1


class PledgeError(ServiceError):
    """A mistake a person can fix; ``field`` names the form field."""


# --- encoding helpers -----------------------------------------------------------------------------

def canonical_json(obj: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(seq: int, prev_hash: str, record_hash: str) -> str:
    return sha256_hex(f"{seq}|{prev_hash}|{record_hash}")


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: list[bytes]) -> str:
    """RFC 9162 Merkle Tree Hash: leaf = H(0x00 || d), node = H(0x01 || left || right)."""

    def mth(items: list[bytes]) -> bytes:
        n = len(items)
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n == 1:
            return _leaf(items[0])
        k = 1 << ((n - 1).bit_length() - 1)  # largest power of two smaller than n
        return _node(mth(items[:k]), mth(items[k:]))

    return mth(leaves).hex()


class MerkleAccumulator:
    """The same root as ``merkle_root`` computed incrementally: one perfect subtree per set bit of
    the size, so memory is O(log n) however long the ledger grows."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (subtree size, hash), largest first

    def add(self, data: bytes) -> None:
        self.size += 1
        self._stack.append((1, _leaf(data)))
        while len(self._stack) > 1 and self._stack[-1][0] == self._stack[-2][0]:
            (n, right), (_n, left) = self._stack.pop(), self._stack.pop()
            self._stack.append((2 * n, _node(left, right)))

    def root(self) -> str:
        if not self._stack:
            return hashlib.sha256(b"").hexdigest()
        acc = self._stack[-1][1]
        for _n, left in reversed(self._stack[:-1]):
            acc = _node(left, acc)
        return acc.hex()


# --- templates ------------------------------------------------------------------------------------

def canonical_text(fields: dict[str, Any]) -> str:
    """The exact text of a template version (both languages), placeholders left unfilled."""
    lines = [fields["title_id"], "", fields["preamble_id"], ""]
    lines += [f"{i}. {c['text_id']}" for i, c in enumerate(fields["commitments"], 1)]
    if fields.get("closing_id"):
        lines += ["", fields["closing_id"]]
    lines += ["", "---", "English translation:", "", fields["title_en"], "",
              fields["preamble_en"], ""]
    lines += [f"{i}. {c['text_en']}" for i, c in enumerate(fields["commitments"], 1)]
    if fields.get("closing_en"):
        lines += ["", fields["closing_en"]]
    if fields.get("signer_name") or fields.get("signer_title"):
        lines += ["", "Mengetahui / Acknowledged by:",
                  " ".join(x for x in (fields.get("signer_title"), fields.get("signer_name")) if x)]
    return "\n".join(lines)


def _new_template(fields: dict[str, Any], agency_id: int | None, version: int,
                  actor: User | None = None) -> PledgeTemplate:
    body = canonical_text(fields)
    template = PledgeTemplate(
        agency_id=agency_id, key=fields["key"], version=version,
        title_id=fields["title_id"], title_en=fields["title_en"],
        preamble_id=fields["preamble_id"], preamble_en=fields["preamble_en"],
        commitments=fields["commitments"], closing_id=fields.get("closing_id") or "",
        closing_en=fields.get("closing_en") or "", signer_name=fields.get("signer_name"),
        signer_title=fields.get("signer_title"), canonical_text=body, text_sha256=sha256_hex(body),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(template)
    db.session.flush()
    return template


def ensure_default_template() -> PledgeTemplate:
    """The platform default (agency NULL), created once."""
    existing = latest_platform_template(DEFAULT_KEY)
    if existing is not None:
        return existing
    return _new_template(dict(DEFAULT_TEMPLATE), None, 1)


def latest_platform_template(key: str) -> PledgeTemplate | None:
    return db.session.scalar(
        select(PledgeTemplate).where(PledgeTemplate.agency_id.is_(None), PledgeTemplate.key == key)
        .order_by(PledgeTemplate.version.desc()).limit(1))


def template_for(key: str, agency_id: int) -> PledgeTemplate | None:
    """The version an agency's learners sign: its own latest version of ``key``, else the
    platform's latest."""
    own = db.session.scalar(
        select(PledgeTemplate).where(PledgeTemplate.agency_id == agency_id,
                                     PledgeTemplate.key == key)
        .order_by(PledgeTemplate.version.desc()).limit(1))
    return own or latest_platform_template(key)


def template_keys(agency_id: int | None) -> list[str]:
    cond = PledgeTemplate.agency_id.is_(None)
    if agency_id is not None:
        cond = cond | (PledgeTemplate.agency_id == agency_id)
    return list(db.session.scalars(
        select(PledgeTemplate.key).where(cond).distinct().order_by(PledgeTemplate.key)))


def agency_templates(agency_id: int) -> list[PledgeTemplate]:
    return list(db.session.scalars(
        select(PledgeTemplate).where(PledgeTemplate.agency_id == agency_id)
        .order_by(PledgeTemplate.key, PledgeTemplate.version.desc())))


def signature_counts(template_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(PledgeSignature.template_id, func.count()).where(
            PledgeSignature.template_id.in_(template_ids or [-1]))
        .group_by(PledgeSignature.template_id))
    return {tid: n for tid, n in rows}


KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}$")


@dataclass
class TemplateInput:
    key: str
    title_id: str
    title_en: str
    preamble_id: str
    preamble_en: str
    extra_clauses: list[tuple[str, str]] = field(default_factory=list)  # (id, en)
    signer_name: str | None = None
    signer_title: str | None = None


def parse_clauses(raw: str) -> list[tuple[str, str]]:
    """One clause per line: ``Indonesian text | English text``."""
    out = []
    for n, line in enumerate((raw or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 2 or not all(parts):
            raise PledgeError(_l("Baris %(n)d: tulis teks Indonesia | teks Inggris.", n=n),
                              "extra_clauses")
        out.append((parts[0], parts[1]))
    return out


def create_agency_version(agency: Agency, data: TemplateInput, actor: User,
                          ip: str | None = None) -> PledgeTemplate:
    """A new version of ``data.key`` for ``agency``: the platform's commitments plus the agency's
    extra clauses. Existing versions are never edited (signed text must stay as it was)."""
    key = data.key.strip().lower()
    if not KEY_RE.match(key):
        raise PledgeError(_l("Kunci hanya boleh huruf kecil, angka dan tanda hubung."), "key")
    for name in ("title_id", "title_en", "preamble_id", "preamble_en"):
        if not getattr(data, name).strip():
            raise PledgeError(_l("Wajib diisi."), name)
    base = template_for(key, agency.id) or ensure_default_template()
    platform = latest_platform_template(key) or ensure_default_template()
    commitments = [dict(c) for c in platform.commitments]
    for i, (text_id, text_en) in enumerate(data.extra_clauses, len(commitments) + 1):
        commitments.append({"id": str(i), "text_id": text_id, "text_en": text_en})
    version = (db.session.scalar(
        select(func.max(PledgeTemplate.version)).where(PledgeTemplate.agency_id == agency.id,
                                                       PledgeTemplate.key == key)) or 0) + 1
    fields = {
        "key": key, "title_id": data.title_id.strip(), "title_en": data.title_en.strip(),
        "preamble_id": data.preamble_id.strip(), "preamble_en": data.preamble_en.strip(),
        "commitments": commitments, "closing_id": base.closing_id, "closing_en": base.closing_en,
        "signer_name": (data.signer_name or "").strip() or None,
        "signer_title": (data.signer_title or "").strip() or None,
    }
    template = _new_template(fields, agency.id, version, actor)
    audit.record("pledge.template_version", actor=actor, agency_id=agency.id,
                 target_type="pledge_template", target_id=template.id, ip=ip, key=key,
                 version=version)
    return template


PLACEHOLDER_RE = re.compile(r"\{(agency|election|year)\}")


def placeholders(program: Program) -> dict[str, str]:
    return {"{agency}": program.agency.name, "{election}": program.period or program.title,
            "{year}": str(program.deadline.year)}


def fill_values(text_: str | None, values: dict[str, str]) -> str:
    """``text_`` with each placeholder replaced by its value, in one pass (a value that happens to
    contain a placeholder is never filled again)."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(0), m.group(0)), text_ or "")


def fill(text_: str | None, program: Program) -> str:
    """Fill with the program's live values: only for the text about to be signed."""
    return fill_values(text_, placeholders(program))


def shown_text(template: PledgeTemplate, program: Program) -> str:
    return fill(template.canonical_text, program)


def signed_values(sig: PledgeSignature, template: PledgeTemplate) -> dict[str, str] | None:
    """The placeholder values the signer saw, read back from the stored signed text (never from
    the program as it is now). ``None`` when the stored text cannot be split along its template;
    it is then shown as it is. Filling the template with the values found must give the stored
    text back character for character, so every filled part shown is a part of what was signed."""
    pattern: list[str] = []
    seen: set[str] = set()
    for i, part in enumerate(PLACEHOLDER_RE.split(template.canonical_text)):
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
    if fill_values(template.canonical_text, values) != sig.shown_text:
        return None
    return values


# --- the form token (when the page was opened) ----------------------------------------------------

def _form_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="ikrar-pledge-form")


def issue_form_token(user_id: int, program_id: int, template_id: int) -> str:
    return _form_serializer().dumps({"u": user_id, "p": program_id, "t": template_id})


def read_form_token(token: str, user_id: int, program_id: int, template_id: int) -> dt.datetime:
    """The time the form was shown; an expired, forged or foreign token is an error."""
    max_age = int(current_app.config["PLEDGE_FORM_MAX_AGE"])
    try:
        payload, opened = _form_serializer().loads(token or "", max_age=max_age,
                                                    return_timestamp=True)
    except SignatureExpired:
        raise PledgeError(_l("Formulir sudah kedaluwarsa. Muat ulang halaman, baca kembali "
                             "pakta, lalu tanda tangani lagi."), "form_token") from None
    except BadSignature:
        raise PledgeError(_l("Formulir tidak sah. Muat ulang halaman lalu coba lagi."),
                          "form_token") from None
    if payload != {"u": user_id, "p": program_id, "t": template_id}:
        raise PledgeError(_l("Formulir tidak sah. Muat ulang halaman lalu coba lagi."),
                          "form_token")
    return opened.astimezone(dt.UTC)


# --- input checks ---------------------------------------------------------------------------------

def decode_signature_image(data_url: str) -> bytes:
    """A drawn signature: a ``data:image/png;base64,`` URL holding a real, sane PNG."""
    from PIL import Image, UnidentifiedImageError

    cfg = current_app.config
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise PledgeError(_l("Tanda tangan harus berupa gambar PNG."), "signature")
    raw_b64 = data_url[len(prefix):]
    if len(raw_b64) > cfg["PLEDGE_MAX_IMAGE_BYTES"] * 4 // 3 + 8:
        raise PledgeError(_l("Gambar tanda tangan terlalu besar. Hapus lalu tanda tangani lagi."),
                          "signature")
    try:
        png = base64.b64decode(raw_b64, validate=True)
    except (binascii.Error, ValueError):
        raise PledgeError(_l("Gambar tanda tangan rusak. Hapus lalu tanda tangani lagi."),
                          "signature") from None
    if len(png) > cfg["PLEDGE_MAX_IMAGE_BYTES"]:
        raise PledgeError(_l("Gambar tanda tangan terlalu besar. Hapus lalu tanda tangani lagi."),
                          "signature")
    if not png.startswith(PNG_MAGIC):
        raise PledgeError(_l("Tanda tangan harus berupa gambar PNG."), "signature")
    (min_w, max_w), (min_h, max_h) = cfg["PLEDGE_IMAGE_WIDTH"], cfg["PLEDGE_IMAGE_HEIGHT"]
    wrong_size = PledgeError(_l("Ukuran gambar tanda tangan tidak sesuai (lebar %(w)s, tinggi "
                                "%(h)s piksel). Gunakan bidang tanda tangan di halaman ini.",
                                w=f"{min_w}–{max_w}", h=f"{min_h}–{max_h}"), "signature")
    # The size the header declares, checked before anything is decoded: a small file can declare
    # 20000 × 20000 pixels and would take gigabytes to decode (a decompression bomb).
    if len(png) < 24 or png[12:16] != b"IHDR":
        raise PledgeError(_l("Gambar tanda tangan rusak. Hapus lalu tanda tangani lagi."),
                          "signature")
    w, h = struct.unpack(">II", png[16:24])
    if not (min_w <= w <= max_w and min_h <= h <= max_h):
        raise wrong_size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(png)).verify()
            image = Image.open(io.BytesIO(png))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PledgeError(_l("Gambar tanda tangan rusak. Hapus lalu tanda tangani lagi."),
                          "signature") from None
    if image.format != "PNG" or image.size != (w, h):
        raise wrong_size
    alpha = image.convert("RGBA").getchannel("A")
    gray = image.convert("L")
    if alpha.getbbox() is None or (alpha.getextrema() == (255, 255) and
                                   gray.point(lambda v: 255 if v < 200 else 0).getbbox() is None):
        raise PledgeError(_l("Tanda tangan masih kosong. Buat tanda tangan Anda di bidang yang "
                             "tersedia, atau ketik nama lengkap Anda."), "signature")
    return png


def _norm_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


# --- signing --------------------------------------------------------------------------------------

def find_signature(user_id: int, program_id: int, key: str) -> PledgeSignature | None:
    return db.session.scalar(
        select(PledgeSignature).where(PledgeSignature.user_id == user_id,
                                      PledgeSignature.program_id == program_id,
                                      PledgeSignature.template_key == key)
        .order_by(PledgeSignature.id).limit(1))


def program_requires(program: Program, key: str) -> bool:
    return any(r.kind == "pledge" and r.ref == key for r in program.requirements)


def can_sign(user: User, program: Program, key: str) -> bool:
    return (program.status == ProgramStatus.OPEN and program_requires(program, key)
            and program_service.is_member(program, user))


def identity_snapshot(user: User) -> dict[str, Any]:
    return {
        "user_id": user.id, "name": user.name, "nip": user.nip,
        "employment_type": user.employment_type.value, "position": user.position,
        "unit": user.unit.name if user.unit else None, "unit_id": user.unit_id,
        "agency": user.agency.name if user.agency else None, "agency_id": user.agency_id,
        # Was the password in use set through a link an admin issued (and may have seen), rather
        # than chosen by the person since? Records sealed before this key existed lack it.
        "password_set_via_admin_link": user.password_set_via_admin_link_at is not None,
        "password_admin_link": None if user.password_set_via_admin_link_at is None else {
            "set_at": iso(user.password_set_via_admin_link_at),
            "issued_by_user_id": user.password_set_via_admin_link_by_id,
        },
    }


def record_dict(sig: PledgeSignature, template: PledgeTemplate) -> dict[str, Any]:
    """The sealed record, rebuilt from the stored columns (so any edited column shows)."""
    return {
        "type": "ikrar.pledge-signature", "v": RECORD_VERSION,
        "user_id": sig.user_id, "program_id": sig.program_id, "agency_id": sig.agency_id,
        "unit_id": sig.unit_id,
        "template": {"id": sig.template_id, "key": sig.template_key,
                     "version": sig.template_version, "text_sha256": template.text_sha256},
        "shown_text_sha256": sig.text_sha256,
        "identity": sig.identity,
        "signature_png_sha256": sig.signature_png_sha256,
        "typed_name": sig.typed_name,
        "commitments_ticked": sig.commitments_ticked,
        "reauth": {"method": sig.reauth_method, "at": iso(sig.reauth_at)},
        "opened_at": iso(sig.opened_at), "signed_at": iso(sig.signed_at),
        "client_ip": sig.client_ip, "user_agent": sig.user_agent,
    }


@dataclass
class SignInput:
    form_token: str
    ticked: list[str]
    password: str
    signature_data_url: str | None
    typed_name: str | None
    ip: str | None
    user_agent: str | None


def sign_pledge(user: User, program: Program, template: PledgeTemplate,
                data: SignInput) -> tuple[PledgeSignature, bool]:
    """Record one signature with its evidence and ledger entry. Returns (signature, created);
    a repeated submit returns the existing signature and writes nothing. Every check runs before
    anything is written."""
    opened_at = read_form_token(data.form_token, user.id, program.id, template.id)
    existing = find_signature(user.id, program.id, template.key)
    if existing is not None:
        return existing, False
    wanted = [str(c["id"]) for c in template.commitments]
    ticked = [c for c in wanted if c in set(data.ticked)]
    if ticked != wanted or len(set(data.ticked)) != len(wanted):
        raise PledgeError(_l("Centang setiap butir komitmen untuk menyatakan Anda menyetujuinya."),
                          "commitments")
    if not data.password or not verify_password(user.password_hash, data.password):
        raise PledgeError(_l("Kata sandi salah. Masukkan kata sandi akun Anda untuk memastikan "
                             "bahwa Anda sendiri yang menandatangani."), "password")
    reauth_at = utcnow()
    png: bytes | None = None
    typed = (data.typed_name or "").strip() or None
    if data.signature_data_url:
        png = decode_signature_image(data.signature_data_url.strip())
    if typed is not None and _norm_name(typed) != _norm_name(user.name):
        raise PledgeError(_l("Nama yang diketik harus sama dengan nama akun Anda: %(name)s.",
                             name=user.name), "typed_name")
    if png is None and typed is None:
        raise PledgeError(_l("Tanda tangan masih kosong. Buat tanda tangan Anda di bidang yang "
                             "tersedia, atau ketik nama lengkap Anda."), "signature")

    # Lock before the existence check, so the check and the insert are one step for this learner:
    # the UNIQUE constraint is per template version and cannot stop a second signature of a newer
    # version published meanwhile. SQLite has one writer at a time anyway: its write lock is taken
    # first, before reading, so the transaction never has to upgrade a stale read. PostgreSQL
    # locks this learner's signing here and the ledger only to append.
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if sqlite:
        append_lock()
    else:
        signing_lock(user.id)
    existing = find_signature(user.id, program.id, template.key)
    if existing is not None:
        return existing, False
    body = shown_text(template, program)
    sig = PledgeSignature(
        user_id=user.id, program_id=program.id, agency_id=user.agency_id, unit_id=user.unit_id,
        template_id=template.id, template_key=template.key, template_version=template.version,
        shown_text=body, text_sha256=sha256_hex(body),
        # The program's title as the signer saw it, sealed with the record (receipts show it).
        identity={**identity_snapshot(user), "program_title": program.title},
        signature_png=png, signature_png_sha256=sha256_hex(png) if png is not None else None,
        typed_name=typed, commitments_ticked=ticked, reauth_method="password",
        reauth_at=reauth_at, opened_at=opened_at, signed_at=utcnow(),
        client_ip=(data.ip or None) and data.ip[:45],
        user_agent=(data.user_agent or None) and data.user_agent[:400],
    )
    sig.canonical_record = canonical_json(record_dict(sig, template))
    sig.record_sha256 = sha256_hex(sig.canonical_record)
    seal = keys.sign(sig.canonical_record.encode())
    sig.seal_kid, sig.seal_signature = seal.kid, seal.value
    try:
        with db.session.begin_nested():  # a concurrent submit of the same learner loses here
            db.session.add(sig)
    except IntegrityError:
        return find_signature(user.id, program.id, template.key), False
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Completing the program (which may render a certificate) happens before the ledger append,
    # so the global append lock is held only for the append and the commit, not for the render.
    requirement_met.send(app, user_id=user.id, kind="pledge", ref=template.key)
    if not sqlite:
        append_lock()
    entry = append_entry(sig.record_sha256, sig.id, sig.signed_at)
    audit.record("pledge.signed", actor=user, agency_id=user.agency_id,
                 target_type="pledge_signature", target_id=sig.id, ip=data.ip,
                 program_id=program.id, ledger_seq=entry.seq)
    pledge_signed.send(app, signature_id=sig.id, user_id=user.id, program_id=program.id,
                       template_key=template.key, ledger_seq=entry.seq)
    return sig, True


# --- the ledger -----------------------------------------------------------------------------------

def append_lock() -> None:
    """Serialise appends so the chain stays linear: an advisory transaction lock on PostgreSQL;
    on SQLite an UPDATE of the one-row head table, which takes the database write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LEDGER_LOCK_KEY})
        return
    result = db.session.execute(
        text("UPDATE pledges_ledger_head SET appends = appends + 1 WHERE id = 1"))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        db.session.add(LedgerHead(id=1, appends=1))
        db.session.flush()


def signing_lock(user_id: int) -> None:
    """PostgreSQL: serialise the signings of one learner (a transaction-level advisory lock in its
    own key space, so other learners sign in parallel and nothing else waits on the user row).
    Two keys of 32 bits: a shared key for two ids only makes them wait for each other."""
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), CAST(:k AS integer))"),
        {"ns": SIGNING_LOCK_NAMESPACE, "k": user_id & 0x7FFF_FFFF})


def ledger_head() -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1))


def append_entry(record_hash: str, signature_id: int | None, created_at: dt.datetime,
                 kind: str = "signature") -> LedgerEntry:
    """Append one entry; call ``append_lock()`` first in the same transaction. UNIQUE(seq) is the
    final guard against a fork."""
    head = ledger_head()
    seq = (head.seq + 1) if head else 1
    prev = head.entry_hash if head else GENESIS_HASH
    entry = LedgerEntry(seq=seq, kind=kind, signature_id=signature_id, record_hash=record_hash,
                        prev_hash=prev, entry_hash=entry_hash(seq, prev, record_hash),
                        created_at=created_at)
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class VerifyResult:
    entries: int = 0
    head_hash: str = GENESIS_HASH
    bad_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None


def signature_problem(sig: PledgeSignature, entry: LedgerEntry) -> str | None:
    template = db.session.get(PledgeTemplate, sig.template_id)
    if template is None:
        return "template of the signature is missing"
    if sha256_hex(template.canonical_text) != template.text_sha256:
        return f"template {template.id} text does not match its SHA-256"
    if sha256_hex(sig.canonical_record) != sig.record_sha256:
        return "stored canonical record does not match the signature's record hash"
    if sig.record_sha256 != entry.record_hash:
        return "ledger record hash differs from the signature's record hash"
    if canonical_json(record_dict(sig, template)) != sig.canonical_record:
        return "signature fields differ from the sealed canonical record"
    if sha256_hex(sig.shown_text) != sig.text_sha256:
        return "signed text does not match its SHA-256"
    png_hash = sha256_hex(sig.signature_png) if sig.signature_png is not None else None
    if png_hash != sig.signature_png_sha256:
        return "signature image does not match its SHA-256"
    if not keys.verify(sig.seal_kid, sig.canonical_record.encode(), sig.seal_signature):
        return "Ed25519 seal of the record is invalid"
    return None


def _entry_batches(batch: int = 1000):  # type: ignore[no-untyped-def]
    """Ledger entries in seq order, in keyset-paged batches with their signatures preloaded;
    the session is emptied between batches so memory stays flat on a long ledger."""
    last = None
    while True:
        stmt = select(LedgerEntry).order_by(LedgerEntry.seq).limit(batch)
        if last is not None:
            stmt = stmt.where(LedgerEntry.seq > last)
        entries = list(db.session.scalars(stmt))
        if not entries:
            return
        ids = [e.signature_id for e in entries if e.signature_id is not None]
        try:
            sigs = {s.id: s for s in db.session.scalars(
                select(PledgeSignature).where(PledgeSignature.id.in_(ids)))}
            error = None
        except Exception as exc:  # noqa: BLE001 - one forged value may not parse; check singly
            db.session.rollback()
            sigs, error = {}, exc
        yield entries, sigs, error
        last = entries[-1].seq
        db.session.expunge_all()


def _load_signature(entry: LedgerEntry, sigs: dict[int, PledgeSignature],
                    batch_error: Exception | None) -> PledgeSignature | None:
    if entry.signature_id is None:
        return None
    if batch_error is None:
        return sigs.get(entry.signature_id)
    return db.session.get(PledgeSignature, entry.signature_id)


def verify_ledger() -> VerifyResult:
    """Recompute every entry, its signature record and seal, the chain links and the sequence;
    then check that every signature is in the ledger and that every checkpoint still holds.
    Streams the ledger: memory does not grow with its length."""
    result = VerifyResult()
    checkpoints_ = [(cp.id, cp.size, cp.head_hash, cp.merkle_root) for cp in
                    db.session.scalars(select(Checkpoint).order_by(Checkpoint.size))]
    at_size: dict[int, tuple[str, str]] = {}  # size -> (head hash, Merkle root) there
    wanted_sizes = {size for _id, size, _h, _m in checkpoints_}
    tree = MerkleAccumulator()
    prev, expected = GENESIS_HASH, 1

    def bad(seq: int, problem: str) -> VerifyResult:
        result.bad_seq, result.problem = seq, problem
        return result

    for entries, sigs, batch_error in _entry_batches():
        for entry in entries:
            seq = entry.seq
            if seq != expected:
                return bad(expected, f"sequence broken: expected seq {expected}, found {seq} "
                                     "(entry deleted, inserted or reordered)")
            if entry.prev_hash != prev:
                return bad(seq, "prev_hash does not link to the previous entry")
            if entry_hash(seq, entry.prev_hash, entry.record_hash) != entry.entry_hash:
                return bad(seq, "entry_hash does not match seq|prev_hash|record_hash")
            if entry.kind != "signature":
                return bad(seq, f"unknown entry kind {entry.kind!r}")
            try:
                sig = _load_signature(entry, sigs, batch_error)
                problem = signature_problem(sig, entry) if sig is not None else None
            except Exception as exc:  # noqa: BLE001 - a forged value may not even parse
                db.session.rollback()
                return bad(seq, f"the signature record cannot be read ({exc.__class__.__name__}: "
                                f"{str(exc)[:120]})")
            if sig is None:
                return bad(seq, "the signature record of this entry is missing")
            if problem:
                return bad(seq, problem)
            if entry.created_at != sig.signed_at:
                return bad(seq, "entry time differs from the signed record's time")
            prev, expected = entry.entry_hash, expected + 1
            tree.add(bytes.fromhex(entry.record_hash))
            if tree.size in wanted_sizes:
                at_size[tree.size] = (prev, tree.root())
    result.entries, result.head_hash = tree.size, prev
    orphan = db.session.scalar(
        select(func.min(PledgeSignature.id)).where(PledgeSignature.id.notin_(
            select(LedgerEntry.signature_id).where(LedgerEntry.signature_id.is_not(None)))))
    if orphan is not None:
        return bad(tree.size + 1,
                   f"signature {orphan} is not in the ledger (an entry was removed from the end)")
    at_size[0] = (GENESIS_HASH, merkle_root([]))
    for cp in db.session.scalars(select(Checkpoint).order_by(Checkpoint.id)):
        result.checkpoints += 1
        problem = None
        if not keys.verify(cp.kid, cp.statement.encode(), cp.signature):
            problem = "its Ed25519 signature is invalid"
        elif cp.statement != canonical_json(checkpoint_statement(cp)):
            problem = "its fields differ from the signed statement"
        elif cp.size > tree.size:
            problem = f"it covers {cp.size} entries but the ledger has {tree.size}"
        elif at_size[cp.size][0] != cp.head_hash:
            problem = "the entry at its size no longer has its head hash"
        elif at_size[cp.size][1] != cp.merkle_root:
            problem = "the Merkle root of the first entries differs"
        if problem:
            return bad(min(cp.size, tree.size + 1) or 1, f"checkpoint {cp.id} fails: {problem}")
    return result


def checkpoint_statement(cp: Checkpoint) -> dict[str, Any]:
    return {"type": "ikrar.ledger-checkpoint", "size": cp.size, "head_hash": cp.head_hash,
            "merkle_root": cp.merkle_root, "time": iso(cp.created_at)}


def create_checkpoint() -> Checkpoint:
    """Sign the current size, head hash and Merkle root (under the append lock)."""
    append_lock()
    tree, head, last = MerkleAccumulator(), GENESIS_HASH, 0
    while True:  # keyset-paged, constant memory
        rows = db.session.execute(
            select(LedgerEntry.seq, LedgerEntry.entry_hash, LedgerEntry.record_hash)
            .where(LedgerEntry.seq > last).order_by(LedgerEntry.seq).limit(5000)).all()
        if not rows:
            break
        for seq, entry_hash_, record_hash in rows:
            tree.add(bytes.fromhex(record_hash))
            head, last = entry_hash_, seq
    cp = Checkpoint(size=tree.size, head_hash=head, merkle_root=tree.root(), created_at=utcnow())
    cp.statement = canonical_json(checkpoint_statement(cp))
    seal = keys.sign(cp.statement.encode())
    cp.kid, cp.signature = seal.kid, seal.value
    db.session.add(cp)
    db.session.flush()
    return cp


def checkpoint_json(cp: Checkpoint) -> dict[str, Any]:
    return {**checkpoint_statement(cp), "id": cp.id, "kid": cp.kid,
            "signature": base64.b64encode(cp.signature).decode()}


def checkpoints() -> list[Checkpoint]:
    return list(db.session.scalars(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(200)))


def entry_for(sig: PledgeSignature) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.signature_id == sig.id))


# --- receipts -------------------------------------------------------------------------------------

def png_data_uri(sig: PledgeSignature) -> str | None:
    if sig.signature_png is None:
        return None
    return "data:image/png;base64," + base64.b64encode(sig.signature_png).decode()


def receipt_context(sig: PledgeSignature) -> dict[str, Any]:
    template = db.session.get(PledgeTemplate, sig.template_id)
    program = db.session.get(Program, sig.program_id)
    assert template is not None and program is not None
    values = signed_values(sig, template)
    return {"sig": sig, "template": template, "program": program, "entry": entry_for(sig),
            # Signatures from before the title was recorded fall back to the current title.
            "program_title": sig.identity.get("program_title") or program.title,
            "image": png_data_uri(sig), "ticked": set(sig.commitments_ticked),
            # What was signed, from the stored text: ``fill`` splits it along the template;
            # when it is None the templates print ``sig.shown_text`` as it is.
            "fill": None if values is None else (lambda s: fill_values(s, values))}


def receipt_pdf(sig: PledgeSignature) -> bytes:
    return render_pdf(render_template("pledges/receipt_pdf.html", **receipt_context(sig)))


# --- agency view ----------------------------------------------------------------------------------

def program_pledge_keys(program: Program) -> list[str]:
    return [r.ref for r in program.requirements if r.kind == "pledge"]


def signed_user_ids(program_id: int, key: str):  # type: ignore[no-untyped-def]
    return select(PledgeSignature.user_id).where(PledgeSignature.program_id == program_id,
                                                 PledgeSignature.template_key == key)


def add_requirement(program: Program, key: str) -> bool:
    """Demo helper: make ``program`` require pledge ``key`` (idempotent)."""
    if program_requires(program, key):
        return False
    program.requirements.append(
        ProgramRequirement(kind="pledge", ref=key, position=len(program.requirements)))
    db.session.flush()
    return True
