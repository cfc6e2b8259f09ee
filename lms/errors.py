"""Error pages in the same design as the rest, in the visitor's language; JSON under /api/."""

from __future__ import annotations

import contextlib

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException

from lms.db import db


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Permintaan tidak valid"), _("Periksa kembali isian Anda lalu coba lagi.")),
        403: (_("Akses ditolak"), _("Anda tidak berwenang membuka halaman ini.")),
        404: (
            _("Halaman tidak ditemukan"),
            _("Alamat ini tidak ada atau tidak dapat Anda buka. Periksa kembali alamatnya."),
        ),
        405: (_("Metode tidak diizinkan"), _("Halaman ini tidak menerima permintaan seperti itu.")),
        413: (_("Berkas terlalu besar"), _("Unggah berkas yang lebih kecil.")),
        429: (_("Terlalu banyak permintaan"), _("Anda mencoba terlalu sering. Tunggu sebentar, lalu coba lagi.")),
        500: (_("Terjadi kesalahan"), _("Maaf, ada kesalahan di sisi kami. Coba lagi beberapa saat lagi.")),
        503: (
            _("Layanan sedang tidak tersedia"),
            _("Basis data sedang tidak dapat dihubungi. Coba lagi dalam beberapa detik."),
        ),
    }


def render_error(code: int, detail: str | None = None):
    title, text = _messages().get(code, _messages()[500])
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, detail=detail or text, status=code), code
    response = render_template("errors/error.html", code=code, title=title, text=detail or text)
    headers = {"Retry-After": "5"} if code in (429, 503) else {}
    return response, code, headers


def reject_nul_bytes() -> None:
    """NUL cannot be stored in PostgreSQL text and is never legitimate in a form or query: 400."""
    from flask import abort

    for source in (request.args, request.form):
        for values in source.listvalues():
            if any("\x00" in v for v in values):
                abort(400)
    for files in request.files.listvalues():  # upload file names are stored too
        if any("\x00" in (f.filename or "") for f in files):
            abort(400)


def init_app(app: Flask) -> None:
    app.before_request(reject_nul_bytes)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, _("Formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        if code == 429:
            return render_error(429)
        return render_error(code if code in _messages() else 400)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PendingRollbackError)  # a flush failed earlier, e.g. the connection dropped
    def db_down(exc: Exception):
        app.logger.warning("database unavailable: %s", exc.__class__.__name__)
        # Render the page as anonymous: loading the user again would fail the same way.
        g._login_user = AnonymousUserMixin()
        with contextlib.suppress(Exception):  # the connection may already be gone
            db.session.rollback()
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        # The error page must render even if the session or the database is what failed.
        with contextlib.suppress(Exception):
            db.session.rollback()
        g._login_user = AnonymousUserMixin()
        return render_error(500)
