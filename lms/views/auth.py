"""Log in and out, activation and password-reset links, password change, language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.db import db
from lms.extensions import client_ip, limiter
from lms.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    SetPasswordForm,
)
from lms.i18n import LOCALE_SESSION_KEY
from lms.mail import mail_enabled, send_mail
from lms.security import LinkError
from lms.services import accounts
from lms.urls import external_url
from lms.views import safe_next

bp = Blueprint("auth", __name__)


def _login_account_key() -> str:
    """Failure counter per account being tried, so spreading over IPs does not help an attacker.
    It includes the account's password generation: a new password starts fresh counters."""
    if "login_counter_key" not in g:  # looked up once per request (checked, then counted)
        g.login_counter_key = accounts.login_counter_key(request.form.get("identifier", ""))
    return f"login-account:{g.login_counter_key}"


def _login_account_ip_key() -> str:
    return f"{_login_account_key()}:{client_ip()}"


def _login_failed(response) -> bool:
    return response.status_code == 400  # a successful login redirects


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT_IP"],
    methods=["POST"],
    key_func=_login_account_ip_key,
    deduct_when=_login_failed,
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"],
    methods=["POST"],
    key_func=_login_account_key,
    deduct_when=_login_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learner.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.identifier.data, form.password.data)
        if user is None:
            form.password.errors.append(_("NIP/e-mail atau kata sandi salah, atau akun belum aktif."))
        else:
            token = accounts.start_session(user, client_ip(), request.user_agent.string)
            db.session.commit()
            lang = session.get(LOCALE_SESSION_KEY)
            session.clear()  # a fresh session on login: nothing from before carries over
            if lang:
                session[LOCALE_SESSION_KEY] = lang
            session["sid"] = token
            session.permanent = True
            login_user(user)
            return redirect(safe_next("learner.home"))
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


@bp.post("/logout")
@login_required
def logout():
    accounts.end_session(session.get("sid"))
    db.session.commit()
    lang = session.get(LOCALE_SESSION_KEY)
    logout_user()
    session.clear()
    if lang:
        session[LOCALE_SESSION_KEY] = lang
    flash(_("Anda telah keluar."), "success")
    return redirect(url_for("auth.login"))


def _link_error_message(reason: str) -> str:
    return {
        "expired": _("Tautan ini sudah kedaluwarsa. Minta tautan baru kepada admin instansi Anda."),
        "used": _("Tautan ini sudah dipakai. Silakan masuk, atau minta tautan baru."),
        "revoked": _(
            "Tautan ini sudah diganti dengan tautan yang lebih baru atau kata sandi sudah "
            "diubah. Pakai tautan terbaru, atau minta tautan baru."
        ),
        "active": _('Akun ini sudah aktif. Silakan masuk, atau pakai "Lupa kata sandi".'),
    }.get(reason, _("Tautan ini tidak sah. Periksa kembali atau minta tautan baru."))


def _set_password_page(purpose: str, token: str, title: str):
    try:
        user, _row = accounts.check_link(purpose, token)
    except LinkError as exc:
        return render_template("auth/link_error.html", message=_link_error_message(exc.reason)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.redeem_link(purpose, token, form.password.data, client_ip())
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Kata sandi tersimpan. Silakan masuk dengan NIP atau e-mail Anda."), "success")
            return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/set_password.html", form=form, user=user, title=title), status


@bp.route("/activate/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], methods=["POST"])
def activate(token: str):
    return _set_password_page(accounts.ACTIVATION, token, _("Aktifkan akun Anda"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], methods=["POST"])
def reset(token: str):
    return _set_password_page(accounts.RESET, token, _("Atur ulang kata sandi"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], methods=["POST"])
def forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_login(form.email.data)
        link = None
        if user is not None and user.active and user.email:
            link = external_url("auth.reset", token=accounts.issue_link(user, accounts.RESET))
            db.session.commit()
        if link and user and mail_enabled():
            send_mail(
                user.email or "",
                _("Atur ulang kata sandi Ikrar"),
                _("Buka tautan ini untuk mengatur ulang kata sandi Anda (berlaku 2 jam):") + f"\n\n{link}\n",
            )
        # Same answer whether or not the address exists: no account enumeration.
        flash(
            _(
                "Jika alamat itu terdaftar, kami telah mengirim tautan untuk mengatur ulang kata "
                "sandi. Tanpa e-mail, hubungi admin instansi Anda."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), (400 if form.errors else 200)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.password.data, session.get("sid"), client_ip()
            )
        except accounts.AccountError as exc:
            getattr(form, exc.field or "password").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Kata sandi Anda telah diganti."), "success")
            return redirect(url_for("learner.home"))
    return render_template("auth/change_password.html", form=form), (400 if form.errors else 200)


@bp.post("/lang")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session[LOCALE_SESSION_KEY] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(safe_next("learner.home"))
