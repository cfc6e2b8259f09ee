"""The public certificate pages: stable contracts, printed in QR codes and used by other platforms.

``/v/<code>`` (and ``/V/<code>``, the uppercase form in QR codes), ``/v/<code>/check`` with its
two forms (``/pdf``, ``/nip``), ``/verify`` and ``/api/v1/certificates/<code>``. No login, no
NIP, rate-limited; keep these paths once released.
"""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from lms.extensions import limiter
from lms.security import sha256_hex
from lms.timezones import use_zone

from . import services
from .forms import CodeForm, NipCheckForm, PdfCheckForm
from .models import Certificate

bp = Blueprint(
    "certificates_public",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/certificates/static",
)

STATUS_VIEW = {
    "valid": ("valid", "SAH", "VALID", "✓"),
    "revoked": ("revoked", "DICABUT", "REVOKED", "✗"),
    "superseded": ("superseded", "DIGANTI", "SUPERSEDED", "↻"),
    "expired": ("expired", "KEDALUWARSA", "EXPIRED", "!"),
}


def public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


def nip_limit() -> str:
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


def _not_found() -> Response:
    body = render_template("certificates/verify.html", cert=None, code_form=CodeForm(), public_page=True)
    return _public_headers(Response(body, status=404))


def _verify_page(cert: Certificate | None) -> Response:
    """The page the QR code opens. It carries no form, so it sets no cookie and can be revalidated
    cheaply by browsers and caches (ETag); the status is read fresh on every request."""
    if cert is None:
        return _not_found()
    use_zone(cert.agency.timezone)  # times as the certificate's agency reads them
    facts = services.public_facts(cert)
    voting_day = (facts["election"] or {}).get("voting_day")
    body = render_template(
        "certificates/verify.html",
        cert=cert,
        facts=facts,
        voting_day=dt.date.fromisoformat(voting_day) if voting_day else None,
        view=STATUS_VIEW[facts["status"]],
        max_upload=current_app.config["CERTIFICATES_MAX_UPLOAD"],
        public_page=True,
    )
    response = Response(body)
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.add_etag()
    return response.make_conditional(request)


def _check_page(cert: Certificate, status: int = 200, **extra: object) -> Response:
    """Server-side checks (uploaded PDF, NIP match): forms with CSRF, so a separate page."""
    use_zone(cert.agency.timezone)
    facts = services.public_facts(cert)
    body = render_template(
        "certificates/verify_check.html",
        cert=cert,
        facts=facts,
        view=STATUS_VIEW[facts["status"]],
        pdf_form=extra.pop("pdf_form", None) or PdfCheckForm(),
        nip_form=extra.pop("nip_form", None) or NipCheckForm(),
        **extra,
    )
    return _public_headers(Response(body, status=status))


@bp.get("/v/<code>")
@limiter.limit(public_limit)
def verify(code: str) -> Response:
    return _verify_page(services.public_lookup(code))


@bp.get("/V/<code>")
@limiter.limit(public_limit)
def verify_upper(code: str) -> Response:
    """The all-uppercase form printed in QR codes (smaller alphanumeric QR)."""
    return _verify_page(services.public_lookup(code))


@bp.get("/v/<code>/check")
@limiter.limit(public_limit)
def check_page(code: str) -> Response:
    cert = services.by_code(code)
    return _not_found() if cert is None else _check_page(cert)


@bp.post("/v/<code>/pdf")
@limiter.limit(public_limit)
def check_pdf(code: str) -> Response:
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
    return _check_page(cert, pdf_result=services.pdf_matches(cert, data), pdf_hash=sha256_hex(data))


@bp.post("/v/<code>/nip")
@limiter.limit(public_limit)
@limiter.limit(nip_limit)
def check_nip(code: str) -> Response:
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
@limiter.limit(public_limit)
def verify_form():
    """The typed code: spaces, dashes, case and 0/O, 1/I/L confusions forgiven. A certificate
    number gets an explanation instead of a lookup (numbers are sequential)."""
    form = CodeForm(request.args)
    status = 200
    if request.args.get("code") is not None:
        status = 400
        if form.validate():
            typed = form.code.data
            if services.looks_like_number(typed):
                form.code.errors.append(
                    _(
                        "Ini nomor sertifikat. Untuk memeriksa, ketik kode yang tercetak di bawah kode QR "
                        "(26 huruf dan angka, misalnya ABCD EFGH …), atau pindai kode QR-nya."
                    )
                )
            elif not services.code_readings(typed):
                form.code.errors.append(
                    _("Kode hanya berisi huruf A–Z dan angka 2–7. Periksa kembali kode di bawah kode QR.")
                )
            else:
                cert = services.find_typed(typed)
                if cert is not None:
                    return redirect(url_for(".verify", code=cert.code))
                status = 404
                form.code.errors.append(
                    _("Tidak ada sertifikat dengan kode ini. Periksa kembali kode di bawah kode QR sertifikat.")
                )
    body = render_template("certificates/verify_form.html", form=form, public_page=True)
    return _public_headers(Response(body, status=status), cacheable=False)


@bp.get("/api/v1/certificates/<code>")
@limiter.limit(public_limit)
def api_certificate(code: str) -> Response:
    cert = services.public_lookup(code)
    if cert is None:
        response = jsonify(status="unknown", code=services.normalize_code(code))
        response.status_code = 404
        return _public_headers(response, cacheable=True)
    return _public_headers(jsonify(services.public_facts(cert)), cacheable=True)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
