"""Elections, platform-wide: the platform admin records them; programs, pacts and certificates take
their wording and dates from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select

from lms.db import db
from lms.models import AuditLog, Election, ElectionKind, Program, User
from lms.services import EARLIEST_DATE, LATEST_DATE, ServiceError, audit

# The guidance lists an election can carry (shape: SHARED-FORMATS §3), in the order of the form.
GUIDANCE_LISTS = ("photo_poses", "safe_poses")
REGIONAL = (ElectionKind.PILKADA_SERENTAK, ElectionKind.PILKADA_ULANG)
KIND_LABELS = {
    ElectionKind.PEMILU: _l("Pemilu (nasional)"),
    ElectionKind.PILKADA_SERENTAK: _l("Pilkada serentak"),
    ElectionKind.PILKADA_ULANG: _l("Pilkada ulang / pemungutan suara ulang"),
}


class ElectionError(ServiceError):
    pass


@dataclass
class GuidanceInput:
    caption_id: str | None = None
    caption_en: str | None = None
    items: str | None = None  # one item a line: "Indonesian | English"


@dataclass
class ElectionInput:
    kind: ElectionKind
    name: str
    voting_day: dt.date
    name_en: str | None = None
    campaign_starts_on: dt.date | None = None
    campaign_ends_on: dt.date | None = None
    region: str | None = None
    guidance: dict[str, GuidanceInput] = field(default_factory=dict)


def kind_label(kind: ElectionKind) -> str:
    return str(KIND_LABELS[kind])


def ordered(today: dt.date | None = None) -> Select[tuple[Election]]:
    """Elections, the coming ones first (nearest voting day first), then past ones (latest first)."""
    today = today or dt.date.today()
    past = case((Election.voting_day < today, 1), else_=0)
    return select(Election).order_by(
        past,
        case((Election.voting_day >= today, Election.voting_day), else_=None),
        Election.voting_day.desc(),
        Election.id,
    )


def coming_first(today: dt.date | None = None) -> list[Election]:
    return list(db.session.scalars(ordered(today)))


def with_program_counts(today: dt.date | None = None) -> list[tuple[Election, int]]:
    counts = dict(
        db.session.execute(select(Program.election_id, func.count(Program.id)).group_by(Program.election_id)).all()
    )
    return [(e, counts.get(e.id, 0)) for e in coming_first(today)]


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _sane(day: dt.date | None, name: str) -> None:
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ElectionError(
            _l("Isi tanggal antara tahun %(first)s dan %(last)s.", first=EARLIEST_DATE.year, last=LATEST_DATE.year),
            name,
        )


def parse_items(text: str | None, list_name: str) -> list[dict[str, str]]:
    """Lines "Indonesian | English" into §3 items; blank lines are skipped."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 2 or not all(parts):
            raise ElectionError(
                _l(
                    'Baris %(n)d: tulis satu butir per baris sebagai "teks Indonesia | English text", '
                    "dengan tepat satu tanda |.",
                    n=number,
                ),
                f"{list_name}_items",
            )
        items.append({"id": parts[0], "en": parts[1]})
    return items


def format_items(items: list[dict[str, str]]) -> str:
    """The form's text for stored items (the inverse of ``parse_items``)."""
    return "\n".join(f"{item.get('id', '')} | {item.get('en', '')}" for item in items)


def _guidance(data: dict[str, GuidanceInput]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for name in GUIDANCE_LISTS:
        given = data.get(name) or GuidanceInput()
        caption_id, caption_en = _clean(given.caption_id), _clean(given.caption_en)
        items = parse_items(given.items, name)
        if not items:
            if caption_id or caption_en:
                raise ElectionError(_l("Tulis butir daftar ini, atau kosongkan keterangannya."), f"{name}_items")
            continue
        if not caption_id:
            raise ElectionError(_l("Tulis keterangan daftar ini dalam bahasa Indonesia."), f"{name}_caption_id")
        if not caption_en:
            raise ElectionError(_l("Tulis keterangan daftar ini dalam bahasa Inggris."), f"{name}_caption_en")
        out[name] = {"caption": {"id": caption_id, "en": caption_en}, "items": items}
    return out or None


def _validate(data: ElectionInput) -> None:
    if not data.name.strip():
        raise ElectionError(_l("Nama pemilihan wajib diisi."), "name")
    if data.voting_day is None:
        raise ElectionError(_l("Isi hari pemungutan suara."), "voting_day")
    for day, name in (
        (data.voting_day, "voting_day"),
        (data.campaign_starts_on, "campaign_starts_on"),
        (data.campaign_ends_on, "campaign_ends_on"),
    ):
        _sane(day, name)
    starts, ends = data.campaign_starts_on, data.campaign_ends_on
    if (starts is None) != (ends is None):
        missing = "campaign_ends_on" if ends is None else "campaign_starts_on"
        raise ElectionError(_l("Isi awal dan akhir masa kampanye, atau kosongkan keduanya."), missing)
    if starts is not None and ends is not None:
        if ends < starts:
            raise ElectionError(_l("Akhir masa kampanye tidak boleh sebelum awalnya."), "campaign_ends_on")
        if ends >= data.voting_day:
            raise ElectionError(
                _l("Masa kampanye harus berakhir sebelum hari pemungutan suara (ada masa tenang)."),
                "campaign_ends_on",
            )
    region = _clean(data.region)
    if data.kind in REGIONAL and not region:
        raise ElectionError(
            _l("Pilkada berlangsung di wilayah tertentu: tulis wilayahnya, mis. Kabupaten Bangka."), "region"
        )
    if data.kind == ElectionKind.PEMILU and region:
        raise ElectionError(_l("Pemilu berlaku nasional: kosongkan wilayah."), "region")


def save_election(
    data: ElectionInput, actor: User, election: Election | None = None, ip: str | None = None
) -> Election:
    """Create or update an election. An election with programs stays editable (it is never deleted)."""
    _validate(data)
    guidance = _guidance(data.guidance)
    if election is not None:
        latest = db.session.scalar(select(func.max(Program.deadline)).where(Program.election_id == election.id))
        if latest is not None and latest > data.voting_day:
            raise ElectionError(
                _l(
                    "Sebuah program pemilihan ini berbatas waktu %(day)s: hari pemungutan suara tidak boleh sebelum "
                    "itu. Majukan dulu batas waktu programnya.",
                    day=latest.strftime("%d-%m-%Y"),
                ),
                "voting_day",
            )
    creating = election is None
    if election is None:
        election = Election()
        db.session.add(election)
    election.kind = data.kind
    election.name = " ".join(data.name.split())
    election.name_en = _clean(data.name_en)
    election.voting_day = data.voting_day
    election.campaign_starts_on, election.campaign_ends_on = data.campaign_starts_on, data.campaign_ends_on
    election.region = _clean(data.region)
    election.guidance = guidance
    db.session.flush()
    audit.record(
        "election.created" if creating else "election.updated",
        actor=actor,
        agency_id=None,
        target_type="election",
        target_id=election.id,
        ip=ip,
        name=election.name,
        voting_day=election.voting_day.isoformat(),
    )
    return election


def history(election: Election, limit: int = 20) -> list[AuditLog]:
    """The latest audit entries about this election, newest first."""
    return list(
        db.session.scalars(
            select(AuditLog)
            .where(AuditLog.target_type == "election", AuditLog.target_id == str(election.id))
            .order_by(AuditLog.id.desc())
            .limit(limit)
        )
    )
