"""Public verification, learner download and agency administration of certificates.

Public paths are stable contracts (printed in QR codes): ``/v/<code>``, ``/verify``,
``/api/v1/certificates/<code>``.
"""

from __future__ import annotations

import hashlib
import math

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from lms.db import db
from lms.extensions import client_ip, limiter
from lms.menus import MenuItem, register_menu
from lms.models import Agency, Program, Unit, User
from lms.requirements import ProgramOutcome
from lms.scoping import (
    can_see_agency,
    can_see_person,
    get_scoped_or_404,
    register_person_target,
    scope,
    scope_by_person,
)
from lms.views import int_arg, page_arg
from lms.views.admin import admin_required

from . import jobs, services
from .forms import (
    CodeForm,
    FilterForm,
    NipCheckForm,
    PdfCheckForm,
    PostForm,
    RevokeForm,
    TemplateForm,
)
from .models import Certificate, Job

bp = Blueprint("certificates", __name__, template_folder="templates", static_folder="static",
               static_url_path="/certificates/static")
PAGE_SIZE = 50


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


def _nip_limit() -> str:
    return current_app.config["CERTIFICATES_RATELIMIT_NIP"]


def _public_headers(response: Response, cacheable: bool = False) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if cacheable:
        # small max-age: a revocation must show almost at once
        response.headers["Cache-Control"] = "public, max-age=15"
    else:
        # the page carries a per-visitor CSRF token: browsers revalidate, shared caches skip it
        response.headers["Cache-Control"] = "private, no-cache"
    return response


STATUS_VIEW = {
    "valid": ("valid", "SAH", "VALID", "✓"),
    "revoked": ("revoked", "DICABUT", "REVOKED", "✗"),
    "superseded": ("superseded", "DIGANTI", "SUPERSEDED", "↻"),
    "expired": ("expired", "KEDALUWARSA", "EXPIRED", "!"),
}


def _not_found():  # type: ignore[no-untyped-def]
    body = render_template("certificates/verify.html", cert=None, code_form=CodeForm(),
                           public_page=True)
    return _public_headers(Response(body, status=404))


def _verify_page(cert: Certificate | None):  # type: ignore[no-untyped-def]
    """The page the QR code opens. It carries no form, so it sets no cookie and can be revalidated
    cheaply by browsers and caches (ETag); the status is read fresh on every request."""
    if cert is None:
        return _not_found()
    facts = services.public_facts(cert)
    body = render_template(
        "certificates/verify.html", cert=cert, facts=facts, view=STATUS_VIEW[facts["status"]],
        max_upload=current_app.config["CERTIFICATES_MAX_UPLOAD"], public_page=True)
    response = Response(body)
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.add_etag()
    return response.make_conditional(request)


def _check_page(cert: Certificate, status: int = 200, **extra: object):  # type: ignore[no-untyped-def]
    """Server-side checks (uploaded PDF, NIP match): forms with CSRF, so a separate page."""
    facts = services.public_facts(cert)
    body = render_template(
        "certificates/verify_check.html", cert=cert, facts=facts, view=STATUS_VIEW[facts["status"]],
        pdf_form=extra.pop("pdf_form", None) or PdfCheckForm(),
        nip_form=extra.pop("nip_form", None) or NipCheckForm(), **extra)
    return _public_headers(Response(body, status=status))


@bp.get("/v/<code>")
@limiter.limit(_public_limit)
def verify(code: str):  # type: ignore[no-untyped-def]
    return _verify_page(services.public_lookup(code))


@bp.get("/V/<code>")
@limiter.limit(_public_limit)
def verify_upper(code: str):  # type: ignore[no-untyped-def]
    """The all-uppercase form printed in QR codes (smaller alphanumeric QR)."""
    return _verify_page(services.public_lookup(code))


@bp.get("/v/<code>/check")
@limiter.limit(_public_limit)
def check_page(code: str):  # type: ignore[no-untyped-def]
    cert = services.by_code(code)
    return _not_found() if cert is None else _check_page(cert)


@bp.post("/v/<code>/pdf")
@limiter.limit(_public_limit)
def check_pdf(code: str):  # type: ignore[no-untyped-def]
    cert = services.by_code(code)
    if cert is None:
        return _not_found()
    form = PdfCheckForm()
    if not form.validate_on_submit():
        return _check_page(cert, 400, pdf_form=form)
    data = form.pdf.data.read(current_app.config["CERTIFICATES_MAX_UPLOAD"] + 1)
    if len(data) > current_app.config["CERTIFICATES_MAX_UPLOAD"]:
        form.pdf.errors.append(_("Berkas terlalu besar."))
        return _check_page(cert, 413, pdf_form=form)
    return _check_page(cert, pdf_result=services.pdf_matches(cert, data),
                       pdf_hash=hashlib.sha256(data).hexdigest())


@bp.post("/v/<code>/nip")
@limiter.limit(_public_limit)
@limiter.limit(_nip_limit)
def check_nip(code: str):  # type: ignore[no-untyped-def]
    cert = services.by_code(code)
    if cert is None:
        return _not_found()
    form = NipCheckForm()
    if not form.validate_on_submit():
        return _check_page(cert, 400, nip_form=form)
    matched = services.nip_matches(cert, form.nip.data)
    form.nip.data = ""  # never echo the NIP back
    return _check_page(cert, nip_result=matched, nip_form=form)


@bp.get("/verify")
@limiter.limit(_public_limit)
def verify_form():  # type: ignore[no-untyped-def]
    form = CodeForm(request.args)
    if request.args.get("code") is not None and form.validate():
        code = services.normalize_code(form.code.data)
        if code:
            return redirect(url_for("certificates.verify", code=code))
    body = render_template("certificates/verify_form.html", form=form, public_page=True)
    return _public_headers(Response(body), cacheable=False)


@bp.get("/api/v1/certificates/<code>")
@limiter.limit(_public_limit)
def api_certificate(code: str):  # type: ignore[no-untyped-def]
    cert = services.public_lookup(code)
    if cert is None:
        response = jsonify(status="unknown", code=services.normalize_code(code))
        response.status_code = 404
        return _public_headers(response, cacheable=True)
    facts = services.public_facts(cert)
    return _public_headers(jsonify(facts), cacheable=True)


# --- learner / admin download --------------------------------------------------------------------

def _may_download(cert: Certificate) -> bool:
    if cert.user_id == current_user.id:
        return True
    return (current_user.is_admin and can_see_agency(current_user, cert.agency_id)
            and can_see_person(current_user, cert.user))


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):  # type: ignore[no-untyped-def]
    cert = services.by_code(code)
    if cert is None or cert.pdf is None or not _may_download(cert):
        abort(404)
    filename = f"sertifikat-{cert.number.replace('/', '-')}.pdf"
    response = Response(cert.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def outcome_for(user: User, program: Program) -> ProgramOutcome:
    cert = services.current_for(user.id, program.id)
    label = _("Sertifikat")
    if cert is None:
        return ProgramOutcome(label=label, ready=False,
                              description=_("Terbit otomatis setelah semua langkah selesai."))
    status = cert.public_status()
    url = url_for("certificates.download", code=cert.code)
    if status == "revoked":
        return ProgramOutcome(label=label, ready=False,
                              description=_("Dicabut: %(reason)s", reason=cert.revoked_reason))
    if status == "expired":
        return ProgramOutcome(label=label, ready=True, url=url,
                              description=_("Kedaluwarsa (nomor %(n)s)", n=cert.number))
    return ProgramOutcome(label=label, ready=True, url=url,
                          description=_("Nomor %(n)s", n=cert.number))


# --- agency administration -----------------------------------------------------------------------

def _agency(agency_id: int) -> Agency:
    return get_scoped_or_404(Agency, agency_id, current_user)


def _scoped_certificates(agency: Agency):  # type: ignore[no-untyped-def]
    stmt = scope(select(Certificate).where(Certificate.agency_id == agency.id), current_user,
                 Certificate.agency_id)
    return scope_by_person(stmt, current_user, Certificate.user_id)


def _certificate(agency: Agency, code: str) -> Certificate:
    code = services.normalize_code(code)
    cert = db.session.scalar(_scoped_certificates(agency).where(Certificate.code == code))
    if cert is None:
        abort(404)
    return cert


@bp.get("/admin/agencies/<int:agency_id>/certificates")
@admin_required
def admin_list(agency_id: int):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    form = FilterForm(request.args)
    programs = list(db.session.scalars(select(Program).where(Program.agency_id == agency.id)
                                       .order_by(Program.starts_on.desc())))
    units = list(db.session.scalars(scope(select(Unit).where(Unit.agency_id == agency.id),
                                          current_user, Unit.agency_id, Unit.id)
                                    .order_by(Unit.name)))
    form.program.choices = [("", _("Semua"))] + [(str(p.id), p.title) for p in programs]
    form.unit.choices = [("", _("Semua"))] + [(str(u.id), u.name) for u in units]
    form.validate()

    stmt = services.admin_query(agency.id, int_arg("program"), int_arg("unit"),
                                form.status.data or None, form.q.data or None)
    stmt = scope(stmt, current_user, Certificate.agency_id, User.unit_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = page_arg()
    rows = list(db.session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    program_id = int_arg("program")
    return render_template("certificates/admin_list.html", agency=agency, form=form, rows=rows,
                           total=total, page=page, pages=max(1, math.ceil(total / PAGE_SIZE)),
                           program_id=program_id, zip_form=PostForm(), view=STATUS_VIEW,
                           args={k: v for k, v in request.args.items() if k != "page"})


@bp.get("/admin/agencies/<int:agency_id>/certificates/<code>")
@admin_required
def admin_detail(agency_id: int, code: str):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    cert = _certificate(agency, code)
    return render_template("certificates/admin_detail.html", agency=agency, cert=cert,
                           facts=services.public_facts(cert), view=STATUS_VIEW,
                           revoke_form=RevokeForm(), reissue_form=PostForm())


@bp.post("/admin/agencies/<int:agency_id>/certificates/<code>/revoke")
@admin_required
def admin_revoke(agency_id: int, code: str):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    cert = _certificate(agency, code)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(cert, form.reason.data, current_user, ip=client_ip())
        except services.CertificateError as exc:
            form.reason.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Sertifikat %(n)s dicabut.", n=cert.number), "success")
            return redirect(url_for(".admin_detail", agency_id=agency.id, code=cert.code))
    return render_template("certificates/admin_detail.html", agency=agency, cert=cert,
                           facts=services.public_facts(cert), view=STATUS_VIEW,
                           revoke_form=form, reissue_form=PostForm()), 400


@bp.post("/admin/agencies/<int:agency_id>/certificates/<code>/reissue")
@admin_required
def admin_reissue(agency_id: int, code: str):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    cert = _certificate(agency, code)
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        new = services.reissue(cert, current_user, ip=client_ip())
    except services.CertificateError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".admin_detail", agency_id=agency.id, code=cert.code))
    db.session.commit()
    flash(_("Sertifikat baru %(n)s diterbitkan; yang lama ditandai diganti.", n=new.number),
          "success")
    return redirect(url_for(".admin_detail", agency_id=agency.id, code=new.code))


@bp.route("/admin/agencies/<int:agency_id>/certificates/template", methods=["GET", "POST"])
@admin_required
def admin_template(agency_id: int):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    tpl = services.template_for(agency.id)
    form = TemplateForm(obj=tpl)
    status = 200
    if form.validate_on_submit():
        logo = form.logo.data
        signature = form.signature.data
        data = services.TemplateInput(
            primary_color=form.primary_color.data, accent_color=form.accent_color.data,
            title_id=form.title_id.data, title_en=form.title_en.data,
            signer_name=form.signer_name.data, signer_title=form.signer_title.data,
            jp_hours=float(form.jp_hours.data) if form.jp_hours.data is not None else None,
            language=form.language.data,
            logo=(logo.read(services.MAX_IMAGE_BYTES + 1), logo.filename or "") if logo else None,
            signature=signature.read(services.MAX_IMAGE_BYTES + 1) if signature else None,
            remove_logo=form.remove_logo.data, remove_signature=form.remove_signature.data,
        )
        try:
            services.save_template(agency, data, current_user, ip=client_ip())
        except services.CertificateError as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "", None) or form.title_id
            target.errors = [*target.errors, str(exc)]
            status = 400
        else:
            db.session.commit()
            flash(_("Templat sertifikat disimpan. Sertifikat yang sudah terbit tidak berubah."),
                  "success")
            return redirect(url_for(".admin_template", agency_id=agency.id))
    elif request.method == "POST":
        status = 400
    return render_template("certificates/admin_template.html", agency=agency, form=form,
                           tpl=tpl), status


@bp.post("/admin/agencies/<int:agency_id>/programs/<int:program_id>/certificates.zip")
@admin_required
def admin_zip(agency_id: int, program_id: int):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    program = get_scoped_or_404(Program, program_id, current_user)
    if program.agency_id != agency.id:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    job = jobs.create_zip_job(program, current_user, ip=client_ip())
    db.session.commit()
    jobs.dispatch(job.id)
    return redirect(url_for(".admin_job", agency_id=agency.id, job_id=job.id))


def _job(agency: Agency, job_id: int) -> Job:
    job = get_scoped_or_404(Job, job_id, current_user)
    if job.agency_id != agency.id or not jobs.may_open(job, current_user):
        abort(404)
    return job


@bp.get("/admin/agencies/<int:agency_id>/certificates/jobs/<int:job_id>")
@admin_required
def admin_job(agency_id: int, job_id: int):  # type: ignore[no-untyped-def]
    agency = _agency(agency_id)
    job = _job(agency, job_id)
    return render_template("certificates/admin_job.html", agency=agency, job=job)


@bp.get("/admin/agencies/<int:agency_id>/certificates/jobs/<int:job_id>.json")
@admin_required
def admin_job_json(agency_id: int, job_id: int):  # type: ignore[no-untyped-def]
    job = _job(_agency(agency_id), job_id)
    return jsonify(status=job.status.value, done=job.done, total=job.total,
                   download=url_for(".admin_job_download", agency_id=agency_id, job_id=job.id)
                   if job.status == "done" else None)


@bp.get("/admin/agencies/<int:agency_id>/certificates/jobs/<int:job_id>/download")
@admin_required
def admin_job_download(agency_id: int, job_id: int):  # type: ignore[no-untyped-def]
    job = _job(_agency(agency_id), job_id)
    if job.result is None:
        abort(404)
    response = Response(job.result, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="sertifikat-program-{job.program_id}.zip"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_person_target(app, "certificate", Certificate.code, Certificate.user_id)
    register_menu(app, "agency", lambda agency: [
        MenuItem(_("Sertifikat"), url_for("certificates.admin_list", agency_id=agency.id))])
    register_menu(app, "program", lambda program: [
        MenuItem(_("Sertifikat"), url_for("certificates.admin_list", agency_id=program.agency_id,
                                          program=program.id))])
