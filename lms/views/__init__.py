"""Core blueprints. Views parse a form, call one service, commit once, render or redirect."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def safe_next(default_endpoint: str = "learner.home") -> str:
    """The ``next`` parameter if it is a local path, otherwise the default page."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and "\\" not in target:
        return target
    return url_for(default_endpoint)
