"""Staff pages under ``/admin/agencies/<id>/staff``: the list, a staff member's record and
access, the staff import, and the invitations page (activation links by e-mail or printed).

Every lookup goes through ``lms.scoping``: another agency's data is a 404.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
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
from sqlalchemy import select

from lms.access import admin_required
from lms.db import db
from lms.extensions import client_ip
from lms.forms import PostForm, StaffForm, show_service_error
from lms.mail import mail_enabled
from lms.models import Agency, EmploymentType, Unit, User
from lms.scoping import get_scoped_or_404, is_whole_agency_admin, limited_unit_ids, scope
from lms.services import accounts, agencies
from lms.staff import invitations, jobs, samples
from lms.staff import services as staff_service
from lms.staff.forms import ConfirmImportForm, InviteForm, UploadForm
from lms.staff.importer import SAMPLE_ROWS, ImportFileError
from lms.views import page_arg

bp = Blueprint(
    "staff",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/staff-static",
)
BASE = "/agencies/<int:agency_id>/staff"


def _agency(agency_id: int) -> Agency:
    return get_scoped_or_404(Agency, agency_id, current_user)


def _whole_agency_admin(agency_id: int) -> Agency:
    """Import changes staff anywhere in the agency: unit-limited admins may not."""
    agency = _agency(agency_id)
    if not is_whole_agency_admin(current_user, agency.id):
        abort(404)
    return agency


def _person(agency: Agency, user_id: int) -> User:
    person = get_scoped_or_404(User, user_id, current_user)
    if person.agency_id != agency.id:
        abort(404)
    return person


def hand_over(user: User, link: str) -> None:
    """Send the invitation e-mail, or show the link to the admin when it cannot be mailed."""
    if invitations.send_invitation(user, link):
        flash(_("Tautan dikirim ke %(email)s.", email=user.email), "success")
    else:
        flash(_("Berikan tautan sekali pakai ini kepada %(name)s: %(link)s", name=user.name, link=link), "info")


# --- the staff list and a staff member's record ---------------------------------------------------


def _unit_choices(agency: Agency) -> list[tuple[int, str]]:
    allowed = limited_unit_ids(current_user)
    return [(0, _("— pilih unit —"))] + [
        (u.id, label) for u, label in agencies.unit_tree(agency) if allowed is None or u.id in allowed
    ]


def _staff_data(form: StaffForm) -> staff_service.StaffData:
    return staff_service.StaffData(
        name=form.name.data,
        employment_type=EmploymentType(form.employment_type.data),
        nip=form.nip.data,
        email=form.email.data,
        position=form.position.data,
        unit_id=form.unit_id.data or None,
    )


@bp.get(BASE)
@admin_required
def index(agency_id: int):
    agency = _agency(agency_id)
    q = request.args.get("q", "")[:100]
    pagination = staff_service.staff_page(agency, current_user, q, page_arg())
    return render_template(
        "staff/list.html",
        agency=agency,
        pagination=pagination,
        q=q,
        can_import=is_whole_agency_admin(current_user, agency.id),
        post_form=PostForm(),
    )


@bp.route(f"{BASE}/new", methods=["GET", "POST"])
@admin_required
def new(agency_id: int):
    agency = _agency(agency_id)
    form = StaffForm()
    form.unit_id.choices = _unit_choices(agency)
    if form.validate_on_submit():
        try:
            user = staff_service.create_staff(agency, _staff_data(form), current_user, client_ip())
            link = invitations.activation_link(user, current_user, client_ip())
        except accounts.AccountError as exc:
            show_service_error(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Pegawai %(name)s ditambahkan.", name=user.name), "success")
            hand_over(user, link)
            return redirect(url_for("staff.index", agency_id=agency.id))
    return render_template("staff/form.html", agency=agency, form=form, person=None), (400 if form.errors else 200)


@bp.route(f"{BASE}/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit(agency_id: int, user_id: int):
    agency = _agency(agency_id)
    person = _person(agency, user_id)
    form = StaffForm(obj=person if request.method == "GET" else None)
    if request.method == "GET":
        form.employment_type.data = person.employment_type.value
        form.unit_id.data = person.unit_id or 0
    form.unit_id.choices = _unit_choices(agency)
    if form.validate_on_submit():
        try:
            staff_service.update_staff(person, _staff_data(form), current_user, client_ip())
        except accounts.AccountError as exc:
            show_service_error(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Data pegawai disimpan."), "success")
            return redirect(url_for("staff.index", agency_id=agency.id))
    return render_template("staff/form.html", agency=agency, form=form, person=person, post_form=PostForm()), (
        400 if form.errors else 200
    )


@bp.post(f"{BASE}/<int:user_id>/active")
@admin_required
def toggle_active(agency_id: int, user_id: int):
    agency = _agency(agency_id)
    person = _person(agency, user_id)
    if PostForm().validate_on_submit():
        if person.id == current_user.id:
            flash(_("Anda tidak dapat menonaktifkan akun Anda sendiri."), "error")
        else:
            staff_service.set_active(person, not person.active, current_user, client_ip())
            db.session.commit()
            flash(_("Status akun %(name)s diubah.", name=person.name), "success")
    return redirect(url_for("staff.index", agency_id=agency.id))


@bp.post(f"{BASE}/<int:user_id>/link")
@admin_required
def link(agency_id: int, user_id: int):
    """Send (or show) a one-time link: an activation link if never activated, else a reset
    link."""
    agency = _agency(agency_id)
    person = _person(agency, user_id)
    if PostForm().validate_on_submit():
        url = invitations.access_link(person, current_user, client_ip())
        db.session.commit()
        hand_over(person, url)
    return redirect(url_for("staff.edit", agency_id=agency.id, user_id=person.id))


# --- staff import ---------------------------------------------------------------------------------


@bp.route(f"{BASE}/import", methods=["GET", "POST"])
@admin_required
def import_upload(agency_id: int):
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
        return redirect(url_for("staff.import_preview", agency_id=agency.id, token=job.token))
    return render_template("staff/import_upload.html", agency=agency, form=form), (400 if form.errors else 200)


@bp.get(f"{BASE}/import/contoh.<fmt>")
@admin_required
def import_sample(agency_id: int, fmt: str):
    """A sample file to fill in: CSV (``;``, for Excel with Indonesian settings) or XLSX."""
    _whole_agency_admin(agency_id)
    if fmt == "csv":
        data, mimetype = samples.sample_csv(), "text/csv"
    elif fmt == "xlsx":
        data, mimetype = samples.sample_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"contoh-pegawai.{fmt}")


@bp.route(f"{BASE}/import/<token>", methods=["GET", "POST"])
@admin_required
def import_preview(agency_id: int, token: str):
    agency = _whole_agency_admin(agency_id)
    job = jobs.get_upload(agency, token) or abort(404)
    if job.status in ("running", "done"):
        return redirect(url_for("staff.import_status", agency_id=agency.id, token=job.token))
    form = ConfirmImportForm()
    if request.method == "GET":
        form.create_units.data = job.create_units
    if form.validate_on_submit():
        if bool(form.create_units.data) != job.create_units:  # re-check with the new choice
            job.create_units = bool(form.create_units.data)
            jobs.preview_upload(job, agency)
            db.session.commit()
            return redirect(url_for("staff.import_preview", agency_id=agency.id, token=job.token))
        if job.total > current_app.config["STAFF_IMPORT_BACKGROUND_ROWS"]:
            job.status, job.done = "running", 0
            db.session.commit()
            jobs.start_import(current_app._get_current_object(), job.id, current_user.id, client_ip())
        else:
            try:
                jobs.run_import(job, current_user, client_ip())
            except ImportFileError as exc:
                job.status, job.error = "failed", str(exc)
            db.session.commit()
        return redirect(url_for("staff.import_status", agency_id=agency.id, token=job.token))
    status = 400 if job.status == "invalid" or form.errors else 200
    return render_template(
        "staff/import_preview.html",
        agency=agency,
        job=job,
        form=form,
        result=job.result or {},
        employment_label=samples.employment_label,
        sample_size=SAMPLE_ROWS,
    ), status


@bp.get(f"{BASE}/import/<token>/status")
@admin_required
def import_status(agency_id: int, token: str):
    agency = _whole_agency_admin(agency_id)
    job = jobs.get_upload(agency, token) or abort(404)
    percent = int(100 * job.done / job.total) if job.total else 0
    return render_template(
        "staff/import_status.html",
        agency=agency,
        job=job,
        result=job.result or {},
        percent=percent,
    )


# --- invitations ----------------------------------------------------------------------------------


@bp.route(f"{BASE}/invitations", methods=["GET", "POST"], endpoint="invitations")
@admin_required
def invitations_page(agency_id: int):
    """Activation links for every staff member not yet activated: e-mailed where possible, the
    rest on a sheet to print."""
    agency = _agency(agency_id)
    form = InviteForm()
    units = (
        scope(select(Unit.id, Unit.name), current_user, Unit.agency_id, Unit.id)
        .where(Unit.agency_id == agency.id)
        .order_by(Unit.name)
    )
    form.unit_id.choices = [(0, _("Semua unit"))] + [(u, n) for u, n in db.session.execute(units)]
    if form.validate_on_submit():
        links = invitations.invite(agency, current_user, form.unit_id.data, client_ip())
        db.session.commit()
        printable = [(person, url) for person, url in links if not invitations.send_invitation(person, url)]
        unit_names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == agency.id)).all())
        html = render_template(
            "staff/invitations_print.html",
            agency=agency,
            links=printable,
            emailed=len(links) - len(printable),
            unit_names=unit_names,
        )
        return html, 200, {"Cache-Control": "no-store"}
    return render_template(
        "staff/invitations.html",
        agency=agency,
        form=form,
        pending=invitations.count_pending(agency, current_user),
        batch=invitations.INVITE_BATCH,
        mail=mail_enabled(),
    )
