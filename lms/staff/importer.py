"""Staff import from CSV or XLSX: read, validate into a preview, then write everything in one go.

Built for large files (100,000 rows): existing accounts are loaded with a few chunked queries,
rows are written with Core ``executemany`` in chunks (no ORM object per row), and password
hashes stay empty (staff activate their account through an activation link).
Services flush, never commit: the caller commits once, so a failure writes nothing.

A preview is built in two steps: ``validate_row`` checks each row on its own and against the
rows before it in the file; ``classify`` sorts the valid rows against the accounts that exist
(create, update, unchanged, or refused because the person belongs to another agency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from lms.db import db, utcnow
from lms.models import Agency, Role, Unit, User
from lms.services import audit
from lms.staff.reading import ImportFileError, read_rows
from lms.staff.validation import FileState, RowError, unit_key, validate_row

__all__ = [
    "ImportFileError",
    "ImportRefused",
    "Preview",
    "RowError",
    "apply_import",
    "build_preview",
    "classify",
    "read_rows",
    "validate_row",
]

CHUNK = 5000
STORED_ERRORS = 1000  # bad rows kept for the preview page; the count is always exact
SAMPLE_ROWS = 50  # rows to be created and to be updated listed on the preview page
Progress = Callable[[str, int, int], None]  # (phase, done, total)
FIELDS = ("name", "email", "unit_id", "position", "employment_type")


@dataclass
class Preview:
    total_rows: int = 0
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)  # unknown units (create_units off)
    new_units: list[str] = field(default_factory=list)  # units that will be created
    creates: list[dict[str, Any]] = field(default_factory=list, repr=False)
    updates: list[dict[str, Any]] = field(default_factory=list, repr=False)
    create_sample: list[dict[str, Any]] = field(default_factory=list)  # the first SAMPLE_ROWS, for people
    update_sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.total_rows > 0

    def summary(self) -> dict[str, Any]:
        return {
            "total_rows": self.total_rows,
            "to_create": self.to_create,
            "to_update": self.to_update,
            "unchanged": self.unchanged,
            "missing_units": self.missing_units,
            "new_units": self.new_units,
            "errors": [e.as_dict() for e in self.errors[:STORED_ERRORS]],
            "error_count": len(self.errors),
            "create_sample": self.create_sample,
            "update_sample": self.update_sample,
        }


# --- classifying against what exists --------------------------------------------------------


def _load_existing(nips: list[str], emails: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    cols = (
        User.id,
        User.agency_id,
        User.nip,
        User.email,
        User.name,
        User.unit_id,
        User.position,
        User.employment_type,
    )
    by_nip: dict[str, Any] = {}
    by_email: dict[str, Any] = {}
    pg = db.session.connection().dialect.name == "postgresql"
    for values, column, target in ((nips, User.nip, by_nip), (emails, User.email, by_email)):
        if pg:  # one query with an array parameter: = ANY(%s)
            condition = column == any_(bindparam("values", values, type_=ARRAY(String)))
            batches = [db.session.execute(select(*cols).where(condition))]
        else:  # SQLite: chunks of bound parameters
            batches = (
                db.session.execute(select(*cols).where(column.in_(values[i : i + CHUNK])))
                for i in range(0, len(values), CHUNK)
            )
        for batch in batches:
            for row in batch:
                target[row.nip if target is by_nip else row.email.lower()] = row
    return by_nip, by_email


def classify(agency: Agency, clean: list[tuple[int, dict[str, Any]]], state: FileState, preview: Preview) -> None:
    """Sort valid rows against the accounts that exist, by NIP (or e-mail when there is none):
    new, changed or unchanged; a person of another agency, or an e-mail another account uses,
    is an error."""
    by_nip, by_email = _load_existing(list(state.nips), list(state.emails))
    now = utcnow()
    unit_names = {uid: name for uid, name in state.units.values()}
    for line, row in clean:
        existing = by_nip.get(row["nip"]) if row["nip"] else by_email.get(row["email"])
        problem = _conflict(line, row, existing, by_email, agency)
        if problem is not None:
            preview.errors.append(problem)
            continue
        key = row.pop("unit_key")
        unit_id = state.units[key][0] if key in state.units else None
        if existing is None:
            row.update(
                agency_id=agency.id,
                unit_id=unit_id,
                _unit=key,
                role=Role.LEARNER,
                active=True,
                created_at=now,
                password_hash=None,
            )
            preview.creates.append(row)
            if len(preview.create_sample) < SAMPLE_ROWS:
                preview.create_sample.append(_shown_row(line, row, row.get("unit_id"), unit_names, key, state))
            continue
        new_unit = bool(key) and key not in state.units  # created by this import
        wanted = {
            "name": row["name"],
            "email": row["email"] or existing.email,
            "unit_id": None if new_unit else (unit_id if key else existing.unit_id),
            "position": row["position"] or existing.position,
            "employment_type": row["employment_type"],
        }
        current = {f: getattr(existing, f) for f in FIELDS}
        if wanted != current or new_unit:
            if len(preview.update_sample) < SAMPLE_ROWS:
                shown = _shown_row(
                    line, {**row, **wanted, "nip": existing.nip}, wanted["unit_id"], unit_names, key, state
                )
                shown["changed"] = [f for f in FIELDS if wanted[f] != current[f] or (f == "unit_id" and new_unit)]
                preview.update_sample.append(shown)
            wanted.update(b_id=existing.id, _unit=key if new_unit else None)
            preview.updates.append(wanted)
        else:
            preview.unchanged += 1


def _shown_row(
    line: int, row: dict[str, Any], unit_id: int | None, unit_names: dict[int, str], key: str | None, state: FileState
) -> dict[str, Any]:
    """A row as the preview shows it (JSON-safe): the unit by name, the employment type as its value."""
    unit = unit_names.get(unit_id) if unit_id else None
    if unit is None and key:
        unit = state.missing.get(key)
    etype = row.get("employment_type")
    return {
        "line": line,
        "nip": row.get("nip") or "",
        "name": row.get("name") or "",
        "email": row.get("email") or "",
        "unit": unit or "",
        "position": row.get("position") or "",
        "employment_type": etype.value if etype is not None else "",
    }


def _conflict(
    line: int, row: dict[str, Any], existing: Any, by_email: dict[str, Any], agency: Agency
) -> RowError | None:
    if existing is not None and existing.agency_id != agency.id:
        if row["nip"]:
            return RowError(line, "nip", _("NIP ini terdaftar di instansi lain."))
        return RowError(line, "email", _("E-mail ini dipakai akun di instansi lain."))
    if row["email"]:
        owner = by_email.get(row["email"])
        if owner is not None and (existing is None or owner.id != existing.id):
            return RowError(line, "email", _("E-mail ini sudah dipakai akun lain."))
    return None


# --- the preview ----------------------------------------------------------------------------


def build_preview(
    agency: Agency,
    filename: str,
    data: bytes,
    create_units: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Preview:
    """Validate every row and sort it into create / update / unchanged; collect every bad row.
    Outside a request (command line, worker thread) messages use the default language."""
    if has_request_context():
        return _build_preview(agency, filename, data, create_units, progress, today)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _build_preview(agency, filename, data, create_units, progress, today)


def _build_preview(
    agency: Agency, filename: str, data: bytes, create_units: bool, progress: Progress | None, today: dt.date | None
) -> Preview:
    rows = read_rows(filename, data)
    preview = Preview(total_rows=len(rows))
    units = {
        unit_key(name): (uid, name)
        for uid, name in db.session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == agency.id))
    }
    state = FileState(units=units, create_units=create_units, today=today or dt.date.today())
    clean: list[tuple[int, dict[str, Any]]] = []
    for n, (line, rec) in enumerate(rows, start=1):
        if progress and n % CHUNK == 0:
            progress("validate", n, len(rows))
        errors, row = validate_row(line, rec, state)
        preview.errors.extend(errors)
        if row is not None:
            clean.append((line, row))
    classify(agency, clean, state, preview)
    missing = sorted(state.missing.values(), key=str.casefold)
    if create_units:
        preview.new_units = missing
    else:
        preview.missing_units = missing
    preview.errors.sort(key=lambda e: e.line)
    preview.to_create, preview.to_update = len(preview.creates), len(preview.updates)
    if progress:
        progress("validate", len(rows), len(rows))
    return preview


# --- writing ----------------------------------------------------------------------------


COPY_COLUMNS = (
    "agency_id",
    "unit_id",
    "role",
    "employment_type",
    "nip",
    "email",
    "name",
    "position",
    "active",
    "created_at",
)


def _copy_users(rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY the new rows on the session's own connection (same transaction)."""
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY users ({', '.join(COPY_COLUMNS)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(tuple(row[c].value if c in ("role", "employment_type") else row[c] for c in COPY_COLUMNS))


class ImportRefused(ValueError):
    pass


def apply_import(
    agency: Agency,
    preview: Preview,
    actor: User | None,
    ip: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write a valid preview: units first, then new and changed staff. All or nothing: the caller
    commits once; any error leaves nothing written."""
    if preview.errors:
        raise ImportRefused(_l("Berkas masih memuat baris yang salah; tidak ada yang disimpan."))
    created_units = 0
    unit_ids: dict[str, int] = {}
    if preview.new_units:
        now = utcnow()
        db.session.execute(
            insert(Unit.__table__),
            [{"agency_id": agency.id, "name": name, "created_at": now} for name in preview.new_units],
        )
        created_units = len(preview.new_units)
        unit_ids = {
            unit_key(name): uid
            for uid, name in db.session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == agency.id))
        }
    table = User.__table__
    pg = db.session.connection().dialect.name == "postgresql"
    total = len(preview.creates) + len(preview.updates)
    done = 0
    for i in range(0, len(preview.creates), CHUNK):
        chunk = preview.creates[i : i + CHUNK]
        for row in chunk:
            key = row.pop("_unit", None)
            if key and row["unit_id"] is None:
                row["unit_id"] = unit_ids.get(key)
        if pg:
            _copy_users(chunk)
        else:
            db.session.execute(insert(table), chunk)
        done += len(chunk)
        if progress:
            progress("write", done, total)
    if preview.updates:
        stmt = update(table).where(table.c.id == bindparam("b_id")).values({f: bindparam(f) for f in FIELDS})
        for i in range(0, len(preview.updates), CHUNK):
            chunk = preview.updates[i : i + CHUNK]
            for row in chunk:
                key = row.pop("_unit", None)
                if key:
                    row["unit_id"] = unit_ids.get(key)
            db.session.connection().execute(stmt, chunk)
            done += len(chunk)
            if progress:
                progress("write", done, total)
    counts = {
        "created": preview.to_create,
        "updated": preview.to_update,
        "unchanged": preview.unchanged,
        "units_created": created_units,
    }
    audit.record(
        "staff.imported",
        actor=actor,
        agency_id=agency.id,
        target_type="agency",
        target_id=agency.id,
        ip=ip,
        **counts,
    )
    db.session.flush()
    return counts
