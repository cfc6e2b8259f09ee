"""Public, login-free endpoints of the core: health check and the signing keys."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from lms import keys
from lms.db import db
from lms.extensions import limiter

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means "down" for a health probe
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(
        status="ok" if status == 200 else "degraded",
        database=database,
        plugins=sorted(current_app.extensions["lms.plugins"]),
    ), status


@bp.get("/.well-known/ikrar-keys.json")
@limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])
def signing_keys():
    response = jsonify(keys.public_list())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
