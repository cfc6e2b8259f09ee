"""Links that leave the app (e-mail, printed invitations, QR codes, PDFs) and the trusted hosts.

Such a link is built from the configured ``BASE_URL``, never from the request: a request's
``Host`` header is chosen by whoever sends it, so a link built from it could point a victim at
an attacker's server (password-reset host poisoning).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app

LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` under ``BASE_URL`` (which may carry a path prefix).

    Works the same inside a request, a CLI command or a background job; the request (its Host,
    scheme and script root) plays no part.
    """
    base = urlsplit(current_app.config["BASE_URL"].strip())
    if not base.scheme or not base.netloc:
        raise RuntimeError(f"BASE_URL must be an absolute URL, got {current_app.config['BASE_URL']!r}")
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="%!#$&'()*+,/:;=?@")
    return url


def trusted_hosts(config: dict[str, Any]) -> list[str]:
    """Host names the app answers to: ``BASE_URL``'s host, ``TRUSTED_HOSTS_EXTRA``, and loopback
    names in testing and demo mode. Any other ``Host`` header gets a 400."""
    hosts: list[str] = []
    host = urlsplit(str(config.get("BASE_URL") or "")).hostname
    if host:
        hosts.append(host)
    extra = config.get("TRUSTED_HOSTS_EXTRA") or []
    if isinstance(extra, str):
        extra = [h.strip() for h in extra.split(",")]
    hosts.extend(h for h in extra if h)
    if config.get("TESTING") or config.get("DEMO"):
        hosts.extend(LOOPBACK_HOSTS)
    return list(dict.fromkeys(hosts))


def refuse_untrusted_host(exc: Exception):
    """400 for a Host outside ``TRUSTED_HOSTS``. Flask found no URL adapter for such a request,
    so bind one to ``BASE_URL`` first: the error page's own links (CSS, home) need it."""
    from flask import request
    from flask.globals import request_ctx

    from lms.errors import render_error

    base = urlsplit(current_app.config["BASE_URL"].strip())
    if request_ctx.url_adapter is None:
        request_ctx.url_adapter = current_app.url_map.bind(
            base.netloc or "localhost", script_name=request.script_root or "/", url_scheme=request.scheme
        )
    return render_error(400)
