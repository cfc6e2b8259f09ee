"""Dashboard pages. Every lookup goes through ``lms.scoping``: another agency's data is a 404."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.access import admin_required
from lms.dashboard import exports, services
from lms.dashboard import reminders as reminder_service
from lms.dashboard.forms import RemindForm
from lms.db import db
from lms.extensions import client_ip
from lms.mail import mail_enabled
from lms.models import Agency, Program, Unit
from lms.scoping import get_scoped_or_404
from lms.timezones import use_zone
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


def _program(program_id: int) -> Program:
    program = get_scoped_or_404(Program, program_id, current_user)
    use_zone(program.agency.timezone)  # a platform admin reads the agency's own times
    return program


def _agency(agency_id: int) -> Agency:
    agency = get_scoped_or_404(Agency, agency_id, current_user)
    use_zone(agency.timezone)
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
    response = send_file(io.BytesIO(data), mimetype=EXPORTS[fmt], as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- figures --------------------------------------------------------------------------------------


@bp.get("/national")
@admin_required
def national():
    if not current_user.is_platform_admin:
        abort(404)
    return render_template("dashboard/national.html", rows=services.national_table(current_user))


@bp.get("/agencies/<int:agency_id>/dashboard")
@admin_required
def agency(agency_id: int):
    agency = _agency(agency_id)
    return render_template(
        "dashboard/agency.html",
        agency=agency,
        programs=services.agency_programs(agency, current_user),
    )


@bp.get("/programs/<int:program_id>")
@admin_required
def program(program_id: int):
    program = _program(program_id)
    figures = services.program_figures(program, current_user)
    return render_template(
        "dashboard/program.html",
        program=program,
        agency=program.agency,
        f=figures,
        chart=_chart(figures.per_day),
    )


def _chart(per_day: list) -> dict[str, Any]:
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
def staff(program_id: int):
    """The program's staff with their status per requirement, by unit, one page at a time."""
    program = _program(program_id)
    unit_id = _unit_filter()
    unit = _check_unit(unit_id, program)
    incomplete = request.args.get("incomplete") == "1"
    columns, pagination = services.staff_page(program, current_user, unit_id, incomplete, page_arg(), PAGE_SIZE)
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
def export_units(program_id: int, fmt: str):
    program = _program(program_id)
    if fmt not in EXPORTS:
        abort(404)
    figures = services.unit_table(program, current_user)
    header, rows = exports.unit_table_rows(figures)
    name = exports.safe_filename(program.agency.code, program.title, "unit", ext=fmt)
    if fmt == "csv":
        return _download(exports.to_csv(header, rows, request.args.get("sep", "comma")), name, fmt)
    return _download(exports.to_xlsx(_("Per unit"), header, rows), name, fmt)


@bp.get("/programs/<int:program_id>/export/staff.<fmt>")
@admin_required
def export_staff(program_id: int, fmt: str):
    program = _program(program_id)
    if fmt not in EXPORTS:
        abort(404)
    unit_id = _unit_filter()
    _check_unit(unit_id, program)
    columns, staff_iter = services.iter_staff(program, current_user, unit_id, request.args.get("incomplete") == "1")
    header, rows = exports.staff_rows(columns, staff_iter, program.agency.timezone)
    name = exports.safe_filename(program.agency.code, program.title, "pegawai", ext=fmt)
    if fmt == "csv":
        return _download(exports.to_csv(header, rows, request.args.get("sep", "comma")), name, fmt)
    return _download(exports.to_xlsx(_("Pegawai"), header, rows), name, fmt)


# --- reminders ------------------------------------------------------------------------------------


@bp.route("/programs/<int:program_id>/remind", methods=["GET", "POST"])
@admin_required
def remind(program_id: int):
    program = _program(program_id)
    form = RemindForm()
    if form.validate_on_submit():
        if not mail_enabled():
            flash(_("Pengiriman e-mail belum diatur di server ini. Hubungi pengelola platform."), "error")
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
    run = reminder_service.dry_run(program, current_user)
    return render_template(
        "dashboard/remind.html",
        program=program,
        agency=program.agency,
        form=form,
        run=run,
        preview=run.reminders,
        languages=reminder_service.LANGUAGE_NAMES,
        mail=mail_enabled(),
    )


@bp.get("/programs/<int:program_id>/remind/no-email")
@admin_required
def remind_print(program_id: int):
    """Printable list of members not finished who have no e-mail address."""
    program = _program(program_id)
    return render_template(
        "dashboard/remind_print.html",
        program=program,
        agency=program.agency,
        people=reminder_service.without_email(program, current_user),
    )
