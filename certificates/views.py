"""Signed-in certificate pages: the learner's (and their admins') PDF download, and the agency
administration (list, detail, revoke, reissue, certificate design, ZIP of a program's
certificates and its job). The public verification pages are ``certificates.public``.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.access import admin_required
from lms.db import db
from lms.extensions import client_ip
from lms.forms import show_service_error
from lms.models import Agency, Program, Unit, User
from lms.scoping import get_scoped_or_404, is_whole_agency_admin, scope, scope_by_person
from lms.timezones import use_zone
from lms.views import int_arg, page_arg

from . import jobs, services
from .forms import DesignForm, FilterForm, PostForm, RevokeForm
from .models import Certificate, Job
from .public import STATUS_VIEW

bp = Blueprint("certificates", __name__, template_folder="templates")
PAGE_SIZE = 50
FILTERS = ("program", "unit", "status", "q")  # kept on the list's page links


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str) -> Response:
    cert = services.by_code(code)
    if cert is None or cert.pdf is None or not services.may_download(cert, current_user):
        abort(404)
    return _download(cert.pdf, "application/pdf", f"sertifikat-{cert.number.replace('/', '-')}.pdf")


# --- agency administration -----------------------------------------------------------------------


def _agency(agency_id: int) -> Agency:
    agency = get_scoped_or_404(Agency, agency_id, current_user)
    use_zone(agency.timezone)  # a platform admin reads the agency's times as its staff do
    return agency


def _holder(cert: Certificate) -> dict[str, str]:
    """Who holds the certificate, enough to tell namesakes apart: name, unit, masked NIP."""
    user = cert.user
    return {
        "name": user.name,
        "unit": user.unit.name if user.unit else "—",
        "nip": services.masked_nip(user.nip),
    }


def _certificate(agency: Agency, code: str) -> Certificate:
    stmt = scope(
        select(Certificate).where(
            Certificate.agency_id == agency.id, Certificate.code == services.normalize_code(code)
        ),
        current_user,
        Certificate.agency_id,
    )
    cert = db.session.scalar(scope_by_person(stmt, current_user, Certificate.user_id))
    if cert is None:
        abort(404)
    return cert


@bp.get("/admin/agencies/<int:agency_id>/certificates")
@admin_required
def admin_list(agency_id: int):
    agency = _agency(agency_id)
    form = FilterForm(request.args)
    programs = db.session.scalars(
        select(Program).where(Program.agency_id == agency.id).order_by(Program.starts_on.desc())
    )
    units = db.session.scalars(
        scope(select(Unit).where(Unit.agency_id == agency.id), current_user, Unit.agency_id, Unit.id).order_by(
            Unit.name
        )
    )
    form.program.choices = [("", _("Semua"))] + [(str(p.id), p.title) for p in programs]
    form.unit.choices = [("", _("Semua"))] + [(str(u.id), u.name) for u in units]
    form.validate()

    program_id = int_arg("program")
    stmt = services.admin_query(agency.id, program_id, int_arg("unit"), form.status.data or None, form.q.data or None)
    stmt = scope(stmt, current_user, Certificate.agency_id, User.unit_id)
    rows = db.paginate(stmt, page=page_arg(), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "certificates/admin_list.html",
        agency=agency,
        form=form,
        rows=rows,
        program_id=program_id,
        zip_form=PostForm(),
        view=STATUS_VIEW,
        holder=_holder,
        may_edit_design=is_whole_agency_admin(current_user, agency.id),
        args={k: request.args[k] for k in FILTERS if request.args.get(k)},
    )


def _detail(agency: Agency, cert: Certificate, revoke_form: RevokeForm | None = None, status: int = 200):
    return render_template(
        "certificates/admin_detail.html",
        agency=agency,
        cert=cert,
        facts=services.public_facts(cert),
        view=STATUS_VIEW,
        holder=_holder(cert),
        revoke_form=revoke_form or RevokeForm(),
        reissue_form=PostForm(),
    ), status


@bp.get("/admin/agencies/<int:agency_id>/certificates/<code>")
@admin_required
def admin_detail(agency_id: int, code: str):
    agency = _agency(agency_id)
    return _detail(agency, _certificate(agency, code))


@bp.post("/admin/agencies/<int:agency_id>/certificates/<code>/revoke")
@admin_required
def admin_revoke(agency_id: int, code: str):
    agency = _agency(agency_id)
    cert = _certificate(agency, code)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(cert, form.reason.data, current_user, ip=client_ip())
        except services.CertificateError as exc:
            db.session.rollback()
            show_service_error(form, exc, "reason")
        else:
            db.session.commit()
            flash(_("Sertifikat %(n)s dicabut.", n=cert.number), "success")
            return redirect(url_for(".admin_detail", agency_id=agency.id, code=cert.code))
    return _detail(agency, cert, form, 400)


@bp.post("/admin/agencies/<int:agency_id>/certificates/<code>/reissue")
@admin_required
def admin_reissue(agency_id: int, code: str):
    agency = _agency(agency_id)
    cert = _certificate(agency, code)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        new = services.reissue(cert, current_user, ip=client_ip())
    except services.CertificateError as exc:
        db.session.rollback()
        flash(str(exc), "error")  # a button, no field to put it on
        return redirect(url_for(".admin_detail", agency_id=agency.id, code=cert.code))
    db.session.commit()
    flash(_("Sertifikat baru %(n)s diterbitkan; yang lama ditandai diganti.", n=new.number), "success")
    return redirect(url_for(".admin_detail", agency_id=agency.id, code=new.code))


def _design_input(form: DesignForm) -> services.DesignInput:
    logo, signature = form.logo.data, form.signature.data
    return services.DesignInput(
        primary_color=form.primary_color.data,
        accent_color=form.accent_color.data,
        title_id=form.title_id.data,
        title_en=form.title_en.data,
        signer_name=form.signer_name.data,
        signer_title=form.signer_title.data,
        jp_hours=float(form.jp_hours.data) if form.jp_hours.data is not None else None,
        language=form.language.data,
        logo=(logo.read(services.MAX_IMAGE_BYTES + 1), logo.filename or "") if logo else None,
        signature=signature.read(services.MAX_IMAGE_BYTES + 1) if signature else None,
        remove_logo=form.remove_logo.data,
        remove_signature=form.remove_signature.data,
    )


@bp.route("/admin/agencies/<int:agency_id>/certificates/design", methods=["GET", "POST"])
@admin_required
def admin_design(agency_id: int):
    """The agency's certificate design: an agency-wide setting, so not for unit-limited admins."""
    agency = _agency(agency_id)
    if not is_whole_agency_admin(current_user, agency.id):
        abort(404)
    design = services.design_for(agency.id)
    form = DesignForm(obj=design)
    if form.validate_on_submit():
        try:
            services.save_design(agency, _design_input(form), current_user, ip=client_ip())
        except services.CertificateError as exc:
            db.session.rollback()
            show_service_error(form, exc, "title_id")
        else:
            db.session.commit()
            flash(_("Desain sertifikat disimpan. Sertifikat yang sudah terbit tidak berubah."), "success")
            return redirect(url_for(".admin_design", agency_id=agency.id))
    status = 400 if request.method == "POST" else 200
    return render_template("certificates/admin_design.html", agency=agency, form=form, design=design), status


@bp.post("/admin/programs/<int:program_id>/certificates.zip")
@admin_required
def admin_zip(program_id: int):
    program = get_scoped_or_404(Program, program_id, current_user)
    if not PostForm().validate_on_submit():
        abort(400)
    job = jobs.create_zip_job(program, current_user, ip=client_ip())
    db.session.commit()
    jobs.dispatch(job.id)
    return redirect(url_for(".admin_job", agency_id=program.agency_id, job_id=job.id))


def _job(agency: Agency, job_id: int) -> Job:
    job = get_scoped_or_404(Job, job_id, current_user)
    if job.agency_id != agency.id or not jobs.may_open(job, current_user):
        abort(404)
    return job


@bp.get("/admin/agencies/<int:agency_id>/certificates/jobs/<int:job_id>")
@admin_required
def admin_job(agency_id: int, job_id: int):
    agency = _agency(agency_id)
    job = _job(agency, job_id)
    return render_template("certificates/admin_job.html", agency=agency, job=job)


@bp.get("/admin/agencies/<int:agency_id>/certificates/jobs/<int:job_id>.json")
@admin_required
def admin_job_json(agency_id: int, job_id: int):
    job = _job(_agency(agency_id), job_id)
    return jsonify(
        status=job.status.value,
        done=job.done,
        total=job.total,
        download=url_for(".admin_job_download", agency_id=agency_id, job_id=job.id) if job.status == "done" else None,
    )


@bp.get("/admin/agencies/<int:agency_id>/certificates/jobs/<int:job_id>/download")
@admin_required
def admin_job_download(agency_id: int, job_id: int) -> Response:
    job = _job(_agency(agency_id), job_id)
    if job.result is None:
        abort(404)
    return _download(job.result, "application/zip", f"sertifikat-program-{job.program_id}.zip")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
