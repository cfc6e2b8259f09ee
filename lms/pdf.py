"""Shared WeasyPrint set-up for every PDF Ikrar renders (certificates, pledge receipts).

Rendering goes through a URL fetcher that refuses ``file:`` and network URLs: templates inline every
asset as ``data:`` URIs, so a hostile value in a template can never read local files or call out.
One FontConfiguration per process is reused (faster, and avoids memory growth per render).
"""

from __future__ import annotations

import functools
from typing import Any

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher


@functools.cache
def safe_url_fetcher() -> URLFetcher:
    """Only ``data:`` URIs; anything else fails that one resource (logged by WeasyPrint)."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


@functools.cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


def render_pdf(html: str, stylesheets: list[Any] | None = None) -> bytes:
    document = HTML(string=html, url_fetcher=safe_url_fetcher(), base_url="data:,")
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config())
