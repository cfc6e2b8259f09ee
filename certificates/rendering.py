"""The certificate as a document: the frozen snapshot of what is printed, the QR code, and the
sealed PDF. Nothing here writes to the database; ``services`` decides when to produce.

The snapshot keeps the agency's certificate design under its ``template`` key: issued
certificates store it that way, so the key stays. Version 2 adds ``election`` (name, name_en,
kind, voting_day) in place of the program's ``period``; version-1 snapshots still render, with
the period they stored.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from lms.db import db
from lms.models import Agency, Program, ProgramCompletion, User
from lms.pdf import render_pdf
from lms.requirements import RequirementKind
from lms.security import sha256_hex
from lms.urls import external_url

from . import sealing
from .models import Certificate, CertificateDesign

QR_MASK = 0  # fixed: choosing the best of 8 masks is pure Python, ~80 % of the QR's time


def verify_url(code: str) -> str:
    """The URL in the QR code. With no path in BASE_URL it is all uppercase, so the QR code uses
    alphanumeric mode (smaller); scheme and host are case-insensitive and ``/V/`` is routed."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if urlsplit(base).path in ("", "/"):
        return f"{base}/V/{code}".upper()
    return f"{base}/v/{code}"


def _data_uri(data: bytes | None, mime: str | None) -> str | None:
    if not data or not mime:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def item_label(kind: RequirementKind, ref: str) -> str:
    """The requirement's learner-facing name as printed; a trailing ``(ref)`` (a slug) is dropped."""
    label = str(kind.label(ref)).strip()
    suffix = f"({ref})"
    if ref and label.endswith(suffix):
        label = label.removesuffix(suffix).rstrip(" :-–—")
    return label


def build_snapshot(
    cert: Certificate, user: User, program: Program, agency: Agency, design: CertificateDesign
) -> dict[str, Any]:
    """Everything printed on the certificate, frozen at issue time."""
    registry = current_app.extensions["lms.requirements"]
    items: list[dict[str, Any]] = []
    with force_locale(design.language):
        for req in program.requirements:
            kind = registry.get(req.kind)
            if kind is None:
                continue
            items.append(
                {"kind": req.kind, "label": item_label(kind, req.ref), "jp_hours": float(kind.jp_hours(req.ref) or 0)}
            )
    total = design.jp_hours if design.jp_hours is not None else sum(i["jp_hours"] for i in items)
    completion = db.session.scalar(
        select(ProgramCompletion.completed_at).where(
            ProgramCompletion.program_id == program.id, ProgramCompletion.user_id == user.id
        )
    )
    election = program.election
    return {
        "version": 2,
        "language": design.language,
        "code": cert.code,
        "number": cert.number,
        "verify_url": verify_url(cert.code),
        "verify_page": external_url("certificates_public.verify_form"),
        "name": user.name,
        "position": user.position,
        "agency": agency.name,
        "agency_code": agency.code,
        "program": {
            "title": program.title,
            "starts_on": _iso(program.starts_on),
            "deadline": _iso(program.deadline),
        },
        "election": {
            "name": election.name,
            "name_en": election.name_en or None,
            "kind": election.kind.value,
            "voting_day": _iso(election.voting_day),
        },
        "items": items,
        "jp_hours": round(float(total), 2),
        "completed_at": _iso(completion or cert.issued_at),
        "issued_at": _iso(cert.issued_at),
        "expires_at": _iso(cert.expires_at),
        "signer": {
            "name": design.signer_name or agency.head_name or "",
            "title": design.signer_title or agency.head_title or "",
            "signature": _data_uri(design.signature, "image/png"),
        },
        "template": {  # the design, under the snapshot's version-1 key
            "title": design.title_en if design.language == "en" else design.title_id,
            "primary_color": design.primary_color,
            "accent_color": design.accent_color,
            "logo": (_data_uri(design.logo, design.logo_mime) or _data_uri(agency.logo, agency.logo_mime)),
        },
    }


def qr_svg(url: str) -> str:
    qr = segno.make(url, error="q", micro=False, boost_error=False, mask=QR_MASK)
    return qr.svg_inline(border=4, omitsize=True, dark="#000", light="#fff")


ELECTION_WORDS = ("pemilu", "pilkada", "pemilihan", "pilpres", "pileg", "election")


def title_names_election(title: str, election: dict[str, Any] | None) -> bool:
    """Whether a program title already names its election (its full name, or a word for an
    election with its year, as in "Sosialisasi Netralitas ASN — Pemilu 2029"): the certificate
    then does not print the election a second time."""
    if not election:
        return False
    title = (title or "").lower()
    if any(name and name.lower() in title for name in (election.get("name"), election.get("name_en"))):
        return True
    year = (election.get("voting_day") or "")[:4]
    return bool(year) and year in title and any(word in title for word in ELECTION_WORDS)


def certificate_html(snapshot: dict[str, Any]) -> str:
    """The HTML of a snapshot's certificate, in the design's language."""
    with force_locale(snapshot.get("language", "id")):
        return render_template(
            "certificates/pdf/certificate.html",
            s=snapshot,
            election_in_title=title_names_election(
                (snapshot.get("program") or {}).get("title", ""), snapshot.get("election")
            ),
            qr=Markup(qr_svg(snapshot["verify_url"])),  # noqa: S704 - segno SVG
            dates={
                k: dt.datetime.fromisoformat(snapshot[k])
                for k in ("issued_at", "completed_at", "expires_at")
                if snapshot.get(k)
            },
        )


def render_certificate(snapshot: dict[str, Any]) -> bytes:
    """The unsealed PDF of a snapshot: A4 landscape, every asset inline."""
    return render_pdf(certificate_html(snapshot))


def produce(cert: Certificate, user: User, program: Program, agency: Agency, design: CertificateDesign) -> None:
    """Freeze the snapshot, render and seal the PDF, record its SHA-256 (on ``cert``)."""
    cert.snapshot = build_snapshot(cert, user, program, agency, design)
    pdf = render_certificate(cert.snapshot)
    with force_locale(cert.snapshot["language"]):
        reason = str(_l("Sertifikat %(n)s", n=cert.number))
    cert.pdf = sealing.seal_pdf(pdf, agency, reason)
    cert.pdf_sha256 = sha256_hex(cert.pdf)
