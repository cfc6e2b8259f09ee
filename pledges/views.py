"""Pledge pages: signing and receipts (learner, under ``/pledges/``), the signatures of a program,
a signature's evidence and the agency's pledge texts (admin, under the core's ``/admin/``), and
the public list of signed ledger checkpoints."""

from __future__ import annotations

import base64
import io

from flask import (
    Blueprint,
    abort,
    current_app,
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

from lms.access import admin_required
from lms.db import db
from lms.extensions import client_ip, limiter
from lms.forms import show_service_error
from lms.models import Agency, Program, User
from lms.scoping import get_scoped_or_404, is_whole_agency_admin
from lms.services import ServiceError
from lms.views import int_arg
from pledges import ledger, services
from pledges.forms import SignForm, TextForm
from pledges.models import PledgeSignature

bp = Blueprint(
    "pledges", __name__, template_folder="templates", static_folder="static", static_url_path="/pledges/static"
)


def _user() -> User:
    return current_user._get_current_object()


# --- learner --------------------------------------------------------------------------------------


@bp.route("/pledges/programs/<int:program_id>/<key>/sign", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["RATELIMIT_PLEDGE_SIGN"],
    methods=["POST"],
    key_func=lambda: f"pledge-sign:{current_user.get_id()}",
)
def sign(program_id: int, key: str):
    user = _user()
    program = db.session.get(Program, program_id)
    if program is None or not services.can_sign(user, program, key):
        abort(404)
    pledge_text = services.text_for(key, program.agency_id)
    if pledge_text is None:
        abort(404)
    existing = services.find_signature(user.id, program.id, key)
    if existing is not None and request.method == "GET":
        return redirect(url_for("pledges.receipt", signature_id=existing.id))
    form = SignForm()
    form.commitments.choices = [(str(c["id"]), str(c["id"])) for c in pledge_text.commitments]
    status, top_error, errors = 200, None, []
    if request.method == "POST":
        if form.validate():
            data = services.SignInput(
                form_token=form.form_token.data or "",
                ticked=form.commitments.data or [],
                password=form.password.data or "",
                signature_data_url=form.signature.data or None,
                typed_name=form.typed_name.data or None,
                ip=client_ip(),
                user_agent=request.headers.get("User-Agent"),
            )
            try:
                sig, created = services.sign_pledge(user, program, pledge_text, data)
            except ServiceError as exc:
                db.session.rollback()
                status = 400
                errors = exc.errors if isinstance(exc, services.PledgeErrors) else [exc]
                top_error = str(exc) if len(errors) == 1 else _("Periksa kembali isian Anda.")
                for error in errors:
                    show_service_error(form, error, "form_token")
                if exc.field == "form_token":
                    form.form_token.data = None  # a fresh token for the text shown now
                if isinstance(exc, services.PledgeTextChanged):
                    form.commitments.data = []  # read and tick the new text again
                if any(e.field == "signature" for e in errors):
                    form.signature.data = ""  # an image refused is not drawn again
            else:
                db.session.commit()
                if created:
                    flash(_("Pakta Integritas Anda sudah ditandatangani dan dicatat."), "success")
                return redirect(url_for("pledges.receipt", signature_id=sig.id))
        else:
            status, top_error = 400, _("Periksa kembali isian Anda.")
            errors = [e for field in form for e in field.errors]
        form.password.data = ""  # never kept; the drawn signature and the ticks are (the pad redraws it)
        if not (form.signature.data or "").startswith("data:image/png;base64,"):
            form.signature.data = ""
    if not form.form_token.data:
        form.form_token.data = services.form_token_for(user, program, pledge_text)
    return render_template(
        "pledges/sign.html",
        form=form,
        program=program,
        pledge_text=pledge_text,
        fill=lambda s: services.fill(s, program, user, pledge_text),
        number_label=services.number_label(user.employment_type),
        election_name=services.election_display_name(services.election_snapshot(program.election)),
        date_pattern=services.DATE_PATTERN,
        top_error=top_error,
        errors=[str(e) for e in errors] if len(errors) > 1 else [],
        ticked=set(form.commitments.data or []),
        user=user,
    ), status


def _own_signature(signature_id: int) -> PledgeSignature:
    sig = db.session.get(PledgeSignature, signature_id)
    if sig is None or sig.user_id != current_user.id:
        abort(404)
    return sig


@bp.get("/pledges/receipts/<int:signature_id>")
@login_required
def receipt(signature_id: int):
    sig = _own_signature(signature_id)
    services.show_times_in_zone_of(sig)
    context = services.receipt_context(sig)
    return render_template(
        "pledges/receipt.html", admin=False, next_step=services.next_step(_user(), context["program"]), **context
    )


def _pdf_response(sig: PledgeSignature):
    response = send_file(
        io.BytesIO(services.receipt_pdf(sig)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"tanda-terima-pakta-{sig.id}.pdf",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/pledges/receipts/<int:signature_id>.pdf")
@login_required
def receipt_pdf(signature_id: int):
    return _pdf_response(_own_signature(signature_id))


# --- public ---------------------------------------------------------------------------------------


@bp.get("/pledges/checkpoints")
@limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])
def checkpoints():
    rows = [ledger.checkpoint_json(cp) for cp in ledger.checkpoints()]
    response = current_app.make_response(render_template("pledges/checkpoints.html", rows=rows))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/pledges/checkpoints.json")
@limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])
def checkpoints_json():
    response = jsonify(checkpoints=[ledger.checkpoint_json(cp) for cp in ledger.checkpoints()])
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


# --- agency admin ---------------------------------------------------------------------------------


@bp.get("/admin/programs/<int:program_id>/signatures")
@admin_required
def admin_program(program_id: int):
    user = _user()
    program = get_scoped_or_404(Program, program_id, user)
    keys = services.program_pledge_keys(program)
    if not keys:
        abort(404)
    key = request.args.get("key") if request.args.get("key") in keys else keys[0]
    unit_id = int_arg("unit")
    status = request.args.get("status") if request.args.get("status") in ("signed", "unsigned") else None
    per_unit, people = services.program_signatures(program, user, key, unit_id, status)
    return render_template(
        "pledges/admin_program.html",
        program=program,
        agency=program.agency,
        key=key,
        keys=keys,
        per_unit=per_unit,
        people=people,
        number_label=services.number_label,
        unit_id=unit_id,
        status=status,
    )


def _scoped_signature(signature_id: int) -> PledgeSignature:
    """The signature if the admin may see its signer (``lms.scoping``: agency and units)."""
    return get_scoped_or_404(PledgeSignature, signature_id, _user(), person="user_id")


@bp.get("/admin/signatures/<int:signature_id>")
@admin_required
def evidence(signature_id: int):
    sig = _scoped_signature(signature_id)
    services.show_times_in_zone_of(sig)
    return render_template(
        "pledges/evidence.html",
        admin=True,
        problem=services.evidence_problem(sig),
        seal_b64=base64.b64encode(sig.seal_signature).decode(),
        agency=db.session.get(Agency, sig.agency_id),
        **services.receipt_context(sig),
    )


@bp.get("/admin/signatures/<int:signature_id>/receipt.pdf")
@admin_required
def admin_receipt_pdf(signature_id: int):
    return _pdf_response(_scoped_signature(signature_id))


@bp.route("/admin/agencies/<int:agency_id>/pledge-texts", methods=["GET", "POST"])
@admin_required
def texts(agency_id: int):
    """The agency's pledge texts: agency-wide settings, so whole-agency admins only."""
    user = _user()
    agency = get_scoped_or_404(Agency, agency_id, user)
    if not is_whole_agency_admin(user, agency.id):
        abort(404)
    form = TextForm()
    status = 200
    if request.method == "GET":
        for name, value in services.text_form_defaults(agency).items():
            form[name].data = value
    elif form.validate_on_submit():
        try:
            data = services.TextInput(
                key=form.key.data or "",
                title_id=form.title_id.data or "",
                title_en=form.title_en.data or "",
                preamble_id=form.preamble_id.data or "",
                preamble_en=form.preamble_en.data or "",
                extra_clauses=services.parse_clauses(form.extra_clauses.data or ""),
                signer_name=form.signer_name.data,
                signer_title=form.signer_title.data,
            )
            pledge_text = services.create_agency_version(agency, data, user, ip=client_ip())
        except ServiceError as exc:
            db.session.rollback()
            status = 400
            show_service_error(form, exc, "key")
        else:
            db.session.commit()
            flash(_("Versi %(v)d pakta %(key)s disimpan.", v=pledge_text.version, key=pledge_text.key), "success")
            return redirect(url_for("pledges.texts", agency_id=agency.id))
    else:
        status = 400
    versions = services.agency_texts(agency.id)
    return render_template(
        "pledges/texts.html",
        agency=agency,
        form=form,
        versions=versions,
        counts=services.signature_counts([t.id for t in versions]),
        platform=services.latest_platform_text(services.DEFAULT_KEY),
        default_key=services.DEFAULT_KEY,
        outdated=services.agency_text_outdated(agency.id),
    ), status
