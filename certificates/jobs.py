"""Background jobs: a ZIP of every valid certificate of a program, with progress in the database.

Jobs run through ``lms.jobs.submit``: on the RQ queue when ``REDIS_URL`` is set (start workers
with ``lms worker``), otherwise, or when Redis is down, in a thread of this process. Progress and the result
live in ``certificates_jobs``, so any instance can show them.
"""

from __future__ import annotations

import io
import re
import zipfile

from flask import Flask, current_app
from sqlalchemy import func, select

from lms import jobs
from lms.db import db, utcnow
from lms.models import Program, ProgramCompletion, User
from lms.scoping import can_see_agency, is_whole_agency_admin, limited_unit_ids
from lms.services import audit
from lms.services.programs import member_ids

from .models import Certificate, CertificateStatus, Job, JobStatus

BATCH = 50


def create_zip_job(program: Program, actor: User | None, ip: str | None = None) -> Job:
    """A ZIP of the program's valid certificates that ``actor`` may see: an admin limited to units
    gets those units' certificates only (the units are kept on the job)."""
    units = limited_unit_ids(actor) if actor is not None else None
    job = Job(
        kind="zip",
        agency_id=program.agency_id,
        program_id=program.id,
        requested_by_id=actor.id if actor else None,
        status=JobStatus.QUEUED,
        unit_ids=sorted(units) if units is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        "certificates.zip_requested",
        actor=actor,
        agency_id=program.agency_id,
        target_type="program",
        target_id=program.id,
        ip=ip,
        job_id=job.id,
        unit_ids=job.unit_ids,
    )
    return job


def may_open(job: Job, user: User) -> bool:
    """A job (its progress and its ZIP) is for the admin who asked for it, while they still see
    everything in it, and for whole-agency admins of its agency (and the platform admin)."""
    if is_whole_agency_admin(user, job.agency_id):
        return True
    if job.requested_by_id != user.id or not user.is_admin or not can_see_agency(user, job.agency_id):
        return False
    units = limited_unit_ids(user)
    return units is None or (job.unit_ids is not None and set(job.unit_ids) <= set(units))


def dispatch(job_id: int) -> None:
    """Start a committed job: on the RQ queue when Redis is configured, else in a thread."""
    app = current_app._get_current_object()
    jobs.submit(app, _run_with_app, job_id, name=f"certificates-job-{job_id}")


def _run_with_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        except Exception as exc:  # noqa: BLE001 - record the failure for the progress page
            db.session.rollback()
            app.logger.exception("certificates job %s failed", job_id)
            job = db.session.get(Job, job_id)
            if job is not None:
                job.status, job.error, job.finished_at = JobStatus.FAILED, str(exc)[:500], utcnow()
                db.session.commit()
        finally:
            db.session.remove()


def _filename(cert: Certificate) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", (cert.snapshot or {}).get("name", "")).strip("-")
    return f"{cert.number.replace('/', '-')}_{name[:60] or cert.code}.pdf"


def _counted(program_id: int) -> list:
    """The certificates the dashboard counts as "certified": valid, held by a member of the program
    who has completed it, so the ZIP and the figures name the same people."""
    program = db.session.get(Program, program_id)
    completed = select(ProgramCompletion.user_id).where(ProgramCompletion.program_id == program_id)
    return [
        Certificate.program_id == program_id,
        Certificate.status == CertificateStatus.VALID,
        Certificate.user_id.in_(member_ids(program)),
        Certificate.user_id.in_(completed),
    ]


def run_job(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return
    where = _counted(job.program_id)
    if job.unit_ids is not None:  # the requester was limited to these units
        where.append(
            Certificate.user_id.in_(
                select(User.id).where(User.agency_id == job.agency_id, User.unit_id.in_(job.unit_ids))
            )
        )
    ids = list(db.session.scalars(select(Certificate.id).where(*where).order_by(Certificate.id)))
    job.status, job.total, job.done = JobStatus.RUNNING, len(ids), 0
    db.session.commit()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            for cert in db.session.scalars(
                select(Certificate).where(Certificate.id.in_(chunk)).order_by(Certificate.id)
            ):
                if cert.pdf:
                    archive.writestr(_filename(cert), cert.pdf)
            job.done = start + len(chunk)
            db.session.commit()
            db.session.expunge_all()
            job = db.session.get(Job, job_id)
            assert job is not None
    job.result, job.status, job.finished_at = buffer.getvalue(), JobStatus.DONE, utcnow()
    job.done = job.total
    db.session.commit()


def count_valid(program_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate).where(*_counted(program_id))) or 0
