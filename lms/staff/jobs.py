"""Uploaded staff files and their import jobs (progress kept in the ``staff_imports`` row)."""

from __future__ import annotations

import datetime as dt
import secrets
import time

from flask import Flask, current_app
from sqlalchemy import delete, select, update

from lms import jobs
from lms.db import db, utcnow
from lms.models import Agency, User
from lms.staff.importer import ImportFileError, Progress, apply_import, build_preview
from lms.staff.models import StaffImport


def store_upload(agency: Agency, actor: User | None, filename: str, data: bytes, create_units: bool) -> StaffImport:
    """Keep the uploaded bytes server-side (the confirm step reads them again, never a re-posted
    preview); expired uploads are removed on the way."""
    now = utcnow()
    db.session.execute(delete(StaffImport).where(StaffImport.expires_at < now))
    row = StaffImport(
        token=secrets.token_urlsafe(32),
        agency_id=agency.id,
        created_by=actor.id if actor else None,
        filename=filename[:200],
        content=data,
        create_units=create_units,
        created_at=now,
        expires_at=now + dt.timedelta(hours=current_app.config["STAFF_UPLOAD_HOURS"]),
    )
    db.session.add(row)
    db.session.flush()
    return row


def get_upload(agency: Agency, token: str) -> StaffImport | None:
    """An upload of this agency that has not expired (else None: the view answers 404)."""
    return db.session.scalar(
        select(StaffImport).where(
            StaffImport.token == token,
            StaffImport.agency_id == agency.id,
            StaffImport.expires_at >= utcnow(),
        )
    )


def preview_upload(job: StaffImport, agency: Agency) -> dict:
    """Validate the stored file and keep the summary on the row for the preview page."""
    try:
        preview = build_preview(agency, job.filename, job.content, job.create_units)
    except ImportFileError as exc:
        job.status, job.error, job.result = "invalid", str(exc), {}
    else:
        job.status, job.error, job.result = "previewed", None, preview.summary()
        job.total = preview.total_rows
    db.session.flush()
    return job.result


def _progress_writer(job_id: int) -> Progress:
    """Write done/total through a separate connection, at most twice a second. On SQLite this is
    skipped while the import holds the write lock (it would wait for itself)."""
    last = [0.0]
    sqlite = db.engine.dialect.name == "sqlite"

    def report(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 or (sqlite and phase == "write"):
            return
        last[0] = now
        offset = 0 if phase == "validate" else total
        with db.engine.begin() as conn:
            conn.execute(
                update(StaffImport).where(StaffImport.id == job_id).values(done=offset + done, total=2 * total)
            )

    return report


def run_import(job: StaffImport, actor: User | None, ip: str | None = None, progress: Progress | None = None) -> dict:
    """Validate the stored file again and write it; the caller commits once. Raises on bad rows
    (nothing written) after marking the job failed (that mark is the caller's to commit or not)."""
    agency = db.session.get(Agency, job.agency_id)
    preview = build_preview(agency, job.filename, job.content, job.create_units, progress=progress)
    if preview.errors:
        job.status, job.result = "failed", preview.summary()
        job.error = "invalid rows"
        return job.result
    counts = apply_import(agency, preview, actor, ip, progress=progress)
    job.status, job.result, job.error = "done", {**preview.summary(), "counts": counts}, None
    job.content = b""  # the staff data now lives in users; keep no second copy
    job.done = job.total = max(job.total, 1)
    db.session.flush()
    return job.result


def _work(app: Flask, job_id: int, actor_id: int | None, ip: str | None) -> None:
    """Run one import job to the end in its own app context; any failure is recorded on the job
    row and nothing else is written."""
    with app.app_context():
        job = db.session.get(StaffImport, job_id)
        actor = db.session.get(User, actor_id) if actor_id else None
        try:
            run_import(job, actor, ip, progress=_progress_writer(job_id))
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - record any failure on the job, write nothing
            db.session.rollback()
            db.session.execute(
                update(StaffImport).where(StaffImport.id == job_id).values(status="failed", error=str(exc)[:500])
            )
            db.session.commit()
            app.logger.exception("staff import %s failed", job_id)
        finally:
            db.session.remove()


def start_import(app: Flask, job_id: int, actor_id: int | None, ip: str | None) -> None:
    """On the RQ queue when REDIS_URL is set (any instance's worker picks it up), otherwise in a
    thread of this process (see ``lms.jobs``)."""
    jobs.submit(app, _work, job_id, actor_id, ip, name=f"staff-import-{job_id}")
