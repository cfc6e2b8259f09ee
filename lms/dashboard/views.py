"""Dashboard pages. Every lookup goes through ``lms.scoping``: another agency's data is a 404."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.access import admin_required
from lms.dashboard import exports, jobs, services
from lms.dashboard import reminders as reminder_service
from lms.dashboard.forms import ConfirmImportForm, InviteForm, RemindForm, UploadForm
from lms.dashboard.importer import ImportFileError
from lms.db import db
from lms.extensions import client_ip
from lms.mail import link_delivery, mail_enabled, send_mail
from lms.models import Agency, Program, Role, Unit, User
from lms.scoping import get_scoped_or_404, is_whole_agency_admin, scope
from lms.services import accounts
from lms.urls import external_url
from lms.views import int_arg, page_arg

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/admin",
    static_folder="static",
    static_url_path="/dashboard-static",
    template_folder="templates",
)
PAGE_SIZE = 50
INVITE_BATCH = 1000


def _program(program_id: int) -> Program:
    return get_scoped_or_404(Program, program_id, current_user)


def _agency(agency_id: int) -> Agency:
    return get_scoped_or_404(Agency, agency_id, current_user)


def _whole_agency_admin(agency_id: int) -> Agency:
    """Import changes staff anywhere in the agency: unit-limited admins may not."""
    agency = _agency(agency_id)
    if not is_whole_agency_admin(current_user, agency.id):
        abort(404)
    return agency


def _unit_filter() -> int | None:
    """``?unit=<id>``, or 0 for staff without a unit; None (every unit) otherwise."""
    return 0 if request.args.get("unit") == "0" else int_arg("unit")


def _check_unit(unit_id: int | None, program: Program) -> Unit | None:
    if not unit_id:
        return None
    unit = get_scoped_or_404(Unit, unit_id, current_user)
    if unit.agency_id != program.agency_id:
        abort(404)
    return unit


EXPORTS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(data: bytes, filename: str, fmt: str) -> Response:
    response = send_file(
        io.BytesIO(data), mimetype=EXPORTS[fmt], as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- figures --------------------------------------------------------------------------------------


@bp.get("/national")
@admin_required
def national():  # type: ignore[no-untyped-def]
    if not current_user.is_platform_admin:
        abort(404)
    return render_template("dashboard/national.html", rows=services.national_table(current_user))


@bp.get("/agencies/<int:agency_id>/dashboard")
@admin_required
def agency(agency_id: int):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    return render_template(
        "dashboard/agency.html",
        agency=agency,
        programs=services.agency_programs(agency, current_user),
    )


@bp.get("/programs/<int:program_id>")
@admin_required
def program(program_id: int):  # type: ignore[no-untyped-def]
    program = _program(program_id)
    figures = services.program_figures(program, current_user)
    return render_template(
        "dashboard/program.html",
        program=program,
        agency=program.agency,
        f=figures,
        chart=_chart(figures.per_day),
    )


def _chart(per_day: list) -> dict[str, Any]:  # type: ignore[type-arg]
    """Bar geometry for the server-side SVG (no script)."""
    width, height, pad = 640, 180, 24
    peak = max([n for _d, n in per_day] or [0]) or 1
    step = (width - 2 * pad) / max(len(per_day), 1)
    bars = []
    for i, (day, n) in enumerate(per_day):
        h = (height - 2 * pad) * n / peak
        bars.append(
            {
                "x": round(pad + i * step + step * 0.1, 1),
                "w": round(max(step * 0.8, 1), 1),
                "y": round(height - pad - h, 1),
                "h": round(h, 1),
                "day": day,
                "n": n,
            }
        )
    return {"width": width, "height": height, "pad": pad, "peak": peak, "bars": bars}


@bp.get("/programs/<int:program_id>/staff")
@admin_required
def staff(program_id: int):  # type: ignore[no-untyped-def]
    """The program's staff with their status per requirement, by unit, one page at a time."""
    program = _program(program_id)
    unit_id = _unit_filter()
    unit = _check_unit(unit_id, program)
    incomplete = request.args.get("incomplete") == "1"
    columns, pagination = services.staff_page(
        program, current_user, unit_id, incomplete, page_arg(), PAGE_SIZE
    )
    return render_template(
        "dashboard/staff.html",
        program=program,
        agency=program.agency,
        unit=unit,
        unit_id=unit_id,
        incomplete=incomplete,
        columns=columns,
        pagination=pagination,
    )


# --- exports --------------------------------------------------------------------------------------


@bp.get("/programs/<int:program_id>/export/units.<fmt>")
@admin_required
def export_units(program_id: int, fmt: str):  # type: ignore[no-untyped-def]
    program = _program(program_id)
    if fmt not in EXPORTS:
        abort(404)
    figures = services.unit_table(program, current_user)
    header, rows = exports.unit_table_rows(figures)
    name = exports.safe_filename(program.agency.code, program.title, "unit", ext=fmt)
    if fmt == "csv":
        return _download(exports.to_csv(header, rows), name, fmt)
    percent_col = len(header) - 2
    return _download(exports.to_xlsx(_("Per unit"), header, rows, (percent_col,)), name, fmt)


@bp.get("/programs/<int:program_id>/export/staff.<fmt>")
@admin_required
def export_staff(program_id: int, fmt: str):  # type: ignore[no-untyped-def]
    program = _program(program_id)
    if fmt not in EXPORTS:
        abort(404)
    unit_id = _unit_filter()
    _check_unit(unit_id, program)
    columns, staff_iter = services.iter_staff(
        program, current_user, unit_id, request.args.get("incomplete") == "1"
    )
    header, rows = exports.staff_rows(columns, staff_iter)
    name = exports.safe_filename(program.agency.code, program.title, "pegawai", ext=fmt)
    if fmt == "csv":
        return _download(exports.to_csv(header, rows), name, fmt)
    return _download(exports.to_xlsx(_("Pegawai"), header, rows), name, fmt)


# --- reminders ------------------------------------------------------------------------------------


@bp.route("/programs/<int:program_id>/remind", methods=["GET", "POST"])
@admin_required
def remind(program_id: int):  # type: ignore[no-untyped-def]
    program = _program(program_id)
    form = RemindForm()
    if form.validate_on_submit():
        if not mail_enabled():
            flash(_("Pengiriman e-mail belum diatur (MAIL_SERVER)."), "error")
            return redirect(url_for("dashboard.remind", program_id=program.id))
        try:
            queued = reminder_service.queue_reminders(program, current_user, client_ip())
            db.session.commit()
        except IntegrityError:  # another admin sent the same reminders a moment ago
            db.session.rollback()
            flash(_("Pengingat hari ini sedang atau sudah dikirim."), "info")
            return redirect(url_for("dashboard.program", program_id=program.id))
        sent, failed = reminder_service.deliver(queued)
        flash(_("%(n)s pengingat dikirim.", n=sent), "success")
        if failed:
            flash(_("Gagal dikirim ke: %(list)s", list=", ".join(failed)), "error")
        return redirect(url_for("dashboard.program", program_id=program.id))
    preview = reminder_service.preview_reminders(program, current_user)
    return render_template(
        "dashboard/remind.html",
        program=program,
        agency=program.agency,
        form=form,
        preview=preview,
        mail=mail_enabled(),
    )


# --- staff import ---------------------------------------------------------------------------------


@bp.route("/agencies/<int:agency_id>/import", methods=["GET", "POST"])
@admin_required
def import_upload(agency_id: int):  # type: ignore[no-untyped-def]
    agency = _whole_agency_admin(agency_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        job = jobs.store_upload(
            agency,
            current_user,
            upload.filename or "staff.csv",
            upload.read(),
            form.create_units.data,
        )
        jobs.preview_upload(job, agency)
        db.session.commit()
        return redirect(url_for("dashboard.import_preview", agency_id=agency.id, token=job.token))
    return render_template("dashboard/import_upload.html", agency=agency, form=form), (
        400 if form.errors else 200
    )


@bp.route("/agencies/<int:agency_id>/import/<token>", methods=["GET", "POST"])
@admin_required
def import_preview(agency_id: int, token: str):  # type: ignore[no-untyped-def]
    agency = _whole_agency_admin(agency_id)
    job = jobs.get_upload(agency, token) or abort(404)
    if job.status in ("running", "done"):
        return redirect(url_for("dashboard.import_status", agency_id=agency.id, token=job.token))
    form = ConfirmImportForm()
    if request.method == "GET":
        form.create_units.data = job.create_units
    if form.validate_on_submit():
        if bool(form.create_units.data) != job.create_units:  # re-check with the new choice
            job.create_units = bool(form.create_units.data)
            jobs.preview_upload(job, agency)
            db.session.commit()
            return redirect(
                url_for("dashboard.import_preview", agency_id=agency.id, token=job.token)
            )
        if job.total > current_app.config["DASHBOARD_IMPORT_BACKGROUND_ROWS"]:
            job.status, job.done = "running", 0
            db.session.commit()
            jobs.start_import(
                current_app._get_current_object(), job.id, current_user.id, client_ip()
            )
        else:
            try:
                jobs.run_import(job, current_user, client_ip())
            except ImportFileError as exc:
                job.status, job.error = "failed", str(exc)
            db.session.commit()
        return redirect(url_for("dashboard.import_status", agency_id=agency.id, token=job.token))
    status = 400 if job.status == "invalid" or form.errors else 200
    return render_template(
        "dashboard/import_preview.html", agency=agency, job=job, form=form, result=job.result or {}
    ), status


@bp.get("/agencies/<int:agency_id>/import/<token>/status")
@admin_required
def import_status(agency_id: int, token: str):  # type: ignore[no-untyped-def]
    agency = _whole_agency_admin(agency_id)
    job = jobs.get_upload(agency, token) or abort(404)
    percent = int(100 * job.done / job.total) if job.total else 0
    return render_template(
        "dashboard/import_status.html",
        agency=agency,
        job=job,
        result=job.result or {},
        percent=percent,
    )


# --- invitations (activation links) ---------------------------------------------------------------


def _pending_staff(agency: Agency, unit_id: int) -> Any:
    stmt = scope(select(User), current_user, User.agency_id, User.unit_id).where(
        User.agency_id == agency.id,
        User.role == Role.LEARNER,
        User.active.is_(True),
        User.password_hash.is_(None),
        User.activated_at.is_(None),
    )
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    return stmt


@bp.route("/agencies/<int:agency_id>/invitations", methods=["GET", "POST"])
@admin_required
def invitations(agency_id: int):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    form = InviteForm()
    units = (
        scope(select(Unit.id, Unit.name), current_user, Unit.agency_id, Unit.id)
        .where(Unit.agency_id == agency.id)
        .order_by(Unit.name)
    )
    form.unit_id.choices = [(0, _("Semua unit"))] + [(u, n) for u, n in db.session.execute(units)]
    if form.validate_on_submit():
        people = db.session.scalars(
            _pending_staff(agency, form.unit_id.data)
            .order_by(User.unit_id, User.name)
            .limit(INVITE_BATCH)
        ).all()
        links = [
            (
                p,
                external_url(
                    "auth.activate",
                    token=accounts.issue_link_token(
                        p, accounts.ACTIVATION, current_user, link_delivery(p.email), client_ip()
                    ),
                ),
            )
            for p in people
        ]
        db.session.commit()
        emailed = 0
        printable = links
        if mail_enabled():
            printable = []
            for person, link in links:
                if person.email:
                    send_mail(
                        person.email,
                        _("Akun Ikrar Anda"),
                        _(
                            "Yth. %(name)s,\n\nBuka tautan berikut untuk mengatur kata sandi "
                            "Anda:\n\n"
                            "%(link)s\n\nTautan hanya dapat dipakai sekali.",
                            name=person.name,
                            link=link,
                        ),
                    )
                    emailed += 1
                else:
                    printable.append((person, link))
        unit_names = dict(
            db.session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == agency.id)).all()
        )
        resp = Response(
            render_template(
                "dashboard/invitations_print.html",
                agency=agency,
                links=printable,
                emailed=emailed,
                unit_names=unit_names,
            )
        )
        resp.headers["Cache-Control"] = "no-store"
        return resp
    pending = (
        db.session.scalar(select(func.count()).select_from(_pending_staff(agency, 0).subquery()))
        or 0
    )
    return render_template(
        "dashboard/invitations.html",
        agency=agency,
        form=form,
        pending=pending,
        batch=INVITE_BATCH,
        mail=mail_enabled(),
    )
