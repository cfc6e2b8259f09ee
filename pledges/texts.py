"""Pledge texts: immutable versions of the platform default and of each agency's own wording, and
the admin form that writes a new version. Functions flush; they never commit."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.db import db
from lms.models import Agency, User
from lms.security import sha256_hex
from lms.services import audit
from pledges.content import DEFAULT_KEY, DEFAULT_TEXT, PREVIOUS_PREAMBLES
from pledges.evidence import PledgeError
from pledges.models import PledgeSignature, PledgeText
from pledges.wording import canonical_text


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
        employment_wording=fields.get("employment_wording") or None,
        canonical_text=body,
        text_sha256=sha256_hex(body),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(pledge_text)
    db.session.flush()
    return pledge_text


def ensure_default_text() -> PledgeText:
    """The platform default (agency NULL) as shipped in ``pledges.content``: stored as version 1
    the first time, and as a new version whenever the shipped wording differs from the latest
    stored one (older versions and their signatures stay as they are). It writes: call it where a
    write is expected (``lms demo``, ``lms pledges publish-default``, a POST), never on a page view."""
    existing = latest_platform_text(DEFAULT_KEY)
    if existing is not None and existing.text_sha256 == sha256_hex(canonical_text(DEFAULT_TEXT)):
        return existing
    return _new_text(copy.deepcopy(DEFAULT_TEXT), None, existing.version + 1 if existing else 1)


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


def text_title(key: str, lang: str) -> str | None:
    """The title of the latest stored text with ``key`` (the platform's first, else the oldest
    agency's), in ``lang`` ("id" or "en"); None when none is stored. Reads only."""
    pledge_text = db.session.scalar(
        select(PledgeText)
        .where(PledgeText.key == key)
        .order_by(PledgeText.agency_id.is_not(None), PledgeText.agency_id, PledgeText.version.desc())
        .limit(1)
    )
    if pledge_text is None:
        return None
    return pledge_text.title_en if lang == "en" else pledge_text.title_id


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


def agency_text_outdated(agency_id: int) -> bool:
    """Does the agency's latest version of the default pact lack the per-type wording the
    platform's latest version has (a version written before it was shipped)? Reads only."""
    own = db.session.scalar(
        select(PledgeText)
        .where(PledgeText.agency_id == agency_id, PledgeText.key == DEFAULT_KEY)
        .order_by(PledgeText.version.desc())
        .limit(1)
    )
    platform = latest_platform_text(DEFAULT_KEY)
    return bool(own and platform and platform.employment_wording and not own.employment_wording)


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
    for name, previous in PREVIOUS_PREAMBLES.items():
        if values.get(name) in previous:  # the wording shipped before: offer the current one
            values[name] = DEFAULT_TEXT[name]
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
        "employment_wording": platform.employment_wording,
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
