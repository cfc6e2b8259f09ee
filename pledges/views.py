"""Pledge pages: signing and receipts (learner), evidence and templates (agency admin), and the
public list of signed ledger checkpoints."""

from __future__ import annotations

import base64

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
from sqlalchemy import and_, func, select

from lms.access import admin_required
from lms.db import db
from lms.extensions import client_ip, limiter
from lms.menus import MenuItem, register_menu
from lms.models import Agency, Program, Unit, User
from lms.scoping import get_scoped_or_404, register_person_target, scope
from lms.services import programs as program_service
from lms.views import int_arg
from pledges import services
from pledges.forms import SignForm, TemplateForm
from pledges.models import PledgeSignature

bp = Blueprint("pledges", __name__, url_prefix="/pledges", template_folder="templates",
               static_folder="static")


def _user() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]




# --- learner --------------------------------------------------------------------------------------

@bp.route("/programs/<int:program_id>/<key>/sign", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_PLEDGE_SIGN"], methods=["POST"],
               key_func=lambda: f"pledge-sign:{current_user.get_id()}")
def sign(program_id: int, key: str):  # type: ignore[no-untyped-def]
    user = _user()
    program = db.session.get(Program, program_id)
    if program is None or not services.can_sign(user, program, key):
        abort(404)
    template = services.template_for(key, program.agency_id)
    if template is None:
        abort(404)
    existing = services.find_signature(user.id, program.id, key)
    if existing is not None and request.method == "GET":
        return redirect(url_for("pledges.receipt", signature_id=existing.id))
    form = SignForm()
    form.commitments.choices = [(str(c["id"]), str(c["id"])) for c in template.commitments]
    status, top_error = 200, None
    if request.method == "POST":
        if form.validate():
            data = services.SignInput(
                form_token=form.form_token.data or "", ticked=form.commitments.data or [],
                password=form.password.data or "", signature_data_url=form.signature.data or None,
                typed_name=form.typed_name.data or None, ip=client_ip(),
                user_agent=request.headers.get("User-Agent"))
            try:
                sig, created = services.sign_pledge(user, program, template, data)
            except services.PledgeError as exc:
                db.session.rollback()
                status = 400
                if exc.field in ("commitments", "password", "signature", "typed_name"):
                    form[exc.field].errors = [str(exc)]
                top_error = str(exc)
                if exc.field == "form_token":
                    form.form_token.data = None
            else:
                db.session.commit()
                if created:
                    flash(_("Pakta Integritas Anda sudah ditandatangani dan dicatat."), "success")
                return redirect(url_for("pledges.receipt", signature_id=sig.id))
        else:
            status, top_error = 400, _("Periksa kembali isian Anda.")
        form.password.data = ""
        form.signature.data = ""  # never echo the image back; the pad starts empty again
    if not form.form_token.data:
        form.form_token.data = services.issue_form_token(user.id, program.id, template.id)
    return render_template("pledges/sign.html", form=form, program=program, template=template,
                           fill=lambda s: services.fill(s, program), top_error=top_error,
                           ticked=set(form.commitments.data or []), user=user), status


def _own_signature(signature_id: int) -> PledgeSignature:
    sig = db.session.get(PledgeSignature, signature_id)
    if sig is None or sig.user_id != current_user.id:
        abort(404)
    return sig


@bp.get("/receipts/<int:signature_id>")
@login_required
def receipt(signature_id: int):  # type: ignore[no-untyped-def]
    sig = _own_signature(signature_id)
    return render_template("pledges/receipt.html", admin=False, **services.receipt_context(sig))


def _pdf_response(sig: PledgeSignature) -> Response:
    response = Response(services.receipt_pdf(sig), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="tanda-terima-pakta-{sig.id}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/receipts/<int:signature_id>.pdf")
@login_required
def receipt_pdf(signature_id: int):  # type: ignore[no-untyped-def]
    return _pdf_response(_own_signature(signature_id))


# --- public ---------------------------------------------------------------------------------------

@bp.get("/checkpoints")
@limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])
def checkpoints():  # type: ignore[no-untyped-def]
    rows = [services.checkpoint_json(cp) for cp in services.checkpoints()]
    response = current_app.make_response(render_template("pledges/checkpoints.html", rows=rows))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/checkpoints.json")
@limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])
def checkpoints_json():  # type: ignore[no-untyped-def]
    response = jsonify(checkpoints=[services.checkpoint_json(cp) for cp in services.checkpoints()])
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


# --- agency admin ---------------------------------------------------------------------------------

@bp.get("/admin/programs/<int:program_id>")
@admin_required
def admin_program(program_id: int):  # type: ignore[no-untyped-def]
    user = _user()
    program = get_scoped_or_404(Program, program_id, user)
    keys = services.program_pledge_keys(program)
    if not keys:
        abort(404)
    key = request.args.get("key") if request.args.get("key") in keys else keys[0]
    unit_id = int_arg("unit")
    status = request.args.get("status") if request.args.get("status") in ("signed", "unsigned") \
        else None
    members = program_service.member_ids(program)
    joined = and_(PledgeSignature.user_id == User.id, PledgeSignature.program_id == program.id,
                  PledgeSignature.template_key == key)
    per_unit = db.session.execute(scope(
        select(Unit.id, Unit.name, func.count(User.id), func.count(PledgeSignature.id))
        .select_from(User).outerjoin(Unit, User.unit_id == Unit.id)
        .outerjoin(PledgeSignature, joined).where(User.id.in_(members))
        .group_by(Unit.id, Unit.name), user, User.agency_id, User.unit_id)).all()
    per_unit.sort(key=lambda r: (r[3] / r[2] if r[2] else 1, r[1] or ""))
    people_stmt = scope(
        select(User, PledgeSignature).outerjoin(PledgeSignature, joined)
        .where(User.id.in_(members)), user, User.agency_id, User.unit_id)
    if unit_id:
        people_stmt = people_stmt.where(User.unit_id == unit_id)
    if status == "signed":
        people_stmt = people_stmt.where(PledgeSignature.id.is_not(None))
    elif status == "unsigned":
        people_stmt = people_stmt.where(PledgeSignature.id.is_(None))
    people = db.session.execute(people_stmt.order_by(User.name).limit(500)).all()
    return render_template("pledges/admin_program.html", program=program, agency=program.agency,
                           key=key, keys=keys, per_unit=per_unit, people=people, unit_id=unit_id,
                           status=status)


def _scoped_signature(signature_id: int) -> PledgeSignature:
    """The signature if the admin may see its signer (``lms.scoping``: agency and units)."""
    return get_scoped_or_404(PledgeSignature, signature_id, _user(), person="user_id")


@bp.get("/admin/signatures/<int:signature_id>")
@admin_required
def evidence(signature_id: int):  # type: ignore[no-untyped-def]
    sig = _scoped_signature(signature_id)
    context = services.receipt_context(sig)
    entry = context["entry"]
    problem = services.signature_problem(sig, entry) if entry else _("tidak ada di buku besar")
    return render_template("pledges/evidence.html", admin=True, problem=problem,
                           seal_b64=base64.b64encode(sig.seal_signature).decode(),
                           agency=db.session.get(Agency, sig.agency_id), **context)


@bp.get("/admin/signatures/<int:signature_id>/receipt.pdf")
@admin_required
def admin_receipt_pdf(signature_id: int):  # type: ignore[no-untyped-def]
    return _pdf_response(_scoped_signature(signature_id))


@bp.route("/admin/agencies/<int:agency_id>/templates", methods=["GET", "POST"])
@admin_required
def templates(agency_id: int):  # type: ignore[no-untyped-def]
    user = _user()
    agency = get_scoped_or_404(Agency, agency_id, user)
    base = services.template_for(services.DEFAULT_KEY, agency.id) \
        or services.ensure_default_template()
    form = TemplateForm()
    status = 200
    if request.method == "GET":
        form.key.data = base.key
        form.title_id.data, form.title_en.data = base.title_id, base.title_en
        form.preamble_id.data, form.preamble_en.data = base.preamble_id, base.preamble_en
        form.signer_name.data = base.signer_name or agency.head_name
        form.signer_title.data = base.signer_title or agency.head_title
    elif form.validate_on_submit():
        try:
            data = services.TemplateInput(
                key=form.key.data or "", title_id=form.title_id.data or "",
                title_en=form.title_en.data or "", preamble_id=form.preamble_id.data or "",
                preamble_en=form.preamble_en.data or "",
                extra_clauses=services.parse_clauses(form.extra_clauses.data or ""),
                signer_name=form.signer_name.data, signer_title=form.signer_title.data)
            template = services.create_agency_version(agency, data, user, ip=client_ip())
        except services.PledgeError as exc:
            db.session.rollback()
            status = 400
            if exc.field and exc.field in form:
                form[exc.field].errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Versi %(v)d pakta %(key)s disimpan.", v=template.version, key=template.key),
                  "success")
            return redirect(url_for("pledges.templates", agency_id=agency.id))
    else:
        status = 400
    versions = services.agency_templates(agency.id)
    counts = services.signature_counts([t.id for t in versions])
    db.session.commit()  # ensure_default_template may have created the platform default
    return render_template("pledges/templates.html", agency=agency, form=form, versions=versions,
                           counts=counts, platform=services.ensure_default_template()), status


def register_menus(app: Flask) -> None:
    def program_links(program: Program) -> list[MenuItem]:
        if not services.program_pledge_keys(program):
            return []
        return [MenuItem(_("Pakta"), url_for("pledges.admin_program", program_id=program.id))]

    def agency_links(agency: Agency) -> list[MenuItem]:
        return [MenuItem(_("Templat pakta"), url_for("pledges.templates", agency_id=agency.id))]

    register_menu(app, "program", program_links)
    register_menu(app, "agency", agency_links)
    # audit entries about a signature concern its signer (a unit-limited admin's audit log)
    register_person_target(app, "pledge_signature", PledgeSignature.id, PledgeSignature.user_id)
