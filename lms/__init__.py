"""Ikrar core: the app factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import Defaults, env_overrides
from lms.converters import URL_CONVERTERS

__all__ = ["create_app"]


class ConfigError(RuntimeError):
    pass


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, core blueprints, then the enabled plugins."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters.update(URL_CONVERTERS)  # before any rule: ids fit the database, no NUL
    _load_config(app, config or {})
    os.makedirs(app.instance_path, exist_ok=True)

    from lms import extensions, i18n, security
    from lms.db import db

    db.init_app(app)
    _safe_session_teardown(app)
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    _init_limiter(app)
    _init_login(app)
    security.init_security(app)
    if app.config["TRUSTED_PROXIES"]:
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _register_core(app)
    from lms.plugins import load_plugins

    app.extensions["lms.plugins"] = load_plugins(app)
    i18n.add_plugin_translations(app)
    return app


def _load_config(app: Flask, overrides: dict[str, Any]) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("lms.cfg", silent=True)
    app.config.update(env_overrides())
    app.config.update(overrides)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):  # psycopg 3 is the driver we ship
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://") :]
    if app.config.get("TRUSTED_HOSTS") is None:  # Flask refuses any other Host with a 400
        from lms.urls import trusted_hosts

        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    if not app.config.get("SECRET_KEY"):
        if app.config.get("TESTING") or app.config.get("DEMO"):
            app.config["SECRET_KEY"] = "insecure-demo-key-do-not-use-in-production"
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set LMS_SECRET_KEY (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`) or put SECRET_KEY in instance/lms.cfg."
            )


def _safe_session_teardown(app: Flask) -> None:
    """Close the request's DB session without failing the response when the database died
    mid-request (the rollback on a dead connection raises). Runs before Flask-SQLAlchemy's own."""
    from lms.db import db

    @app.teardown_appcontext
    def close_session(exc: BaseException | None) -> None:
        try:
            db.session.remove()
        except Exception:  # noqa: BLE001 - the connection is gone; drop it from the pool
            app.logger.warning("discarding a broken database session")
            db.session.registry.clear()


def _init_limiter(app: Flask) -> None:
    from lms.extensions import limiter

    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    # If Redis goes away, keep serving with in-memory counters rather than failing requests.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", bool(redis_url))
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    from lms.config import limiter_storage_problem

    if problem := limiter_storage_problem(app.config):
        app.logger.warning(problem)  # gunicorn.conf.py refuses several workers in this state


def _init_login(app: Flask) -> None:
    from flask import session
    from flask_babel import lazy_gettext as _l

    from lms.extensions import login_manager
    from lms.services.accounts import session_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # our server-side session token does this job

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            uid = int(user_id)
        except ValueError:
            return None
        return session_user(uid, session.get("sid"))


def _register_core(app: Flask) -> None:
    from lms import cli, dashboard, errors, signals, staff
    from lms.requirements import Registry
    from lms.services.programs import on_requirement_met
    from lms.views import admin, admins, auth, learner, public

    app.extensions["lms.requirements"] = Registry()
    signals.requirement_met.connect(on_requirement_met, sender=app, weak=False)
    for bp in (auth.bp, learner.bp, admin.bp, admins.bp, public.bp):
        app.register_blueprint(bp)
    errors.init_app(app)
    cli.init_app(app)
    dashboard.init_app(app)
    staff.init_app(app)
    from lms import templating

    templating.init_app(app)
