"""Configuration: defaults here, then ``instance/lms.cfg``, then ``LMS_*`` environment variables."""

from __future__ import annotations

import json
import os
from typing import Any

DEFAULT_PLUGINS = ["modules", "pledges", "certificates"]


class Defaults:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = "sqlite:///ikrar.db"  # relative to the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    REDIS_URL: str | None = None
    # RQ queue for background jobs (bulk PDFs, imports) when REDIS_URL is set; see `lms worker`.
    JOB_QUEUE = "ikrar"
    PLUGINS = DEFAULT_PLUGINS
    # Public base URL printed in QR codes and e-mails, e.g. https://ikrar.example.go.id
    BASE_URL = "http://127.0.0.1:5000"
    # Requests whose Host is not BASE_URL's host get a 400. Add other names here (e.g. the
    # address a load balancer's health check uses); TRUSTED_HOSTS, if set, replaces the list.
    TRUSTED_HOSTS_EXTRA: list[str] = []
    # Set when served over HTTPS: Secure cookies and HSTS.
    HTTPS = False
    # Number of reverse proxies whose X-Forwarded-For is trusted (0 = none).
    TRUSTED_PROXIES = 0
    BABEL_DEFAULT_LOCALE = "id"
    LANGUAGES = ["id", "en"]
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    # Rate limits (Flask-Limiter syntax); counters in Redis when REDIS_URL is set.
    # Per IP: generous, since a whole office may log in from behind one NAT address. Password
    # guessing is stopped by counting FAILED logins per account and IP pair (so someone who only
    # knows a NIP cannot lock its owner out), plus a slower limit of failures per account from
    # any IP. A password set through a reset or activation link starts fresh counters.
    RATELIMIT_LOGIN = "60 per minute;600 per hour"
    RATELIMIT_LOGIN_ACCOUNT_IP = "5 per minute;30 per hour"
    RATELIMIT_LOGIN_ACCOUNT = "100 per hour;300 per day"
    RATELIMIT_PASSWORD_RESET = "5 per hour"
    RATELIMIT_PUBLIC = "120 per minute"
    RATELIMIT_HEADERS_ENABLED = True
    # Lifetimes of the signed one-time links, in seconds.
    ACTIVATION_TOKEN_MAX_AGE = 14 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 2 * 3600
    # Outgoing mail; no MAIL_SERVER means links are shown to the admin instead.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "Ikrar <no-reply@ikrar.local>"
    # Name of the body supervising ASN neutrality; it changed in 2024 and must change again by 2027.
    SUPERVISING_AGENCY = "Badan Kepegawaian Negara (BKN)"
    # Minutes in one JP (jam pelajaran); a convention, not a law.
    JP_MINUTES = 45
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "ikrar_session"
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # absolute: a login lasts at most this long
    # Idle: a session unused for this long ends (seconds). Its last use is written to the
    # database at most once per SESSION_TOUCH_INTERVAL, so requests do not each write.
    SESSION_IDLE_TIMEOUT = 30 * 60
    SESSION_TOUCH_INTERVAL = 60
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    DEMO = False
    TESTING = False


def limiter_storage_problem(config: Any) -> str | None:
    """Why the rate limits would not hold in production, or None. Without Redis each process
    counts on its own: with N gunicorn workers (or instances) every limit is N times looser."""
    if config.get("TESTING") or config.get("DEMO"):
        return None
    storage = str(config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://")
    if not storage.startswith("memory://"):
        return None
    return (
        "REDIS_URL is not set: rate limits (login, password reset, public pages) are counted "
        "in each process's memory, so with several gunicorn workers or instances every limit "
        "is multiplied by their number. Set LMS_REDIS_URL in production."
    )


def _parse_env_value(raw: str) -> Any:
    """Accept JSON literals (numbers, booleans, lists) and fall back to the plain string."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def env_overrides(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        if key.startswith("LMS_") and len(key) > 4:
            name = key[4:]
            out[name] = raw if name in _STRING_KEYS else _parse_env_value(raw)
    return out


# Keys that must stay strings even when they look like JSON (e.g. a numeric secret).
_STRING_KEYS = {"SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "REDIS_URL", "BASE_URL", "MAIL_PASSWORD"}
