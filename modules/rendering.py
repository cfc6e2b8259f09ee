"""Safe lesson rendering: Markdown (markdown-it-py, raw HTML off) then the nh3 sanitizer, so no
script, event handler or ``javascript:`` URL from a pack ever reaches a page."""

from __future__ import annotations

from typing import Any

import nh3
from flask_babel import get_locale
from markdown_it import MarkdownIt
from markupsafe import Markup

from modules.packs import expand_data

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render_markdown(source: str) -> Markup:
    return Markup(sanitize(_md.render(source)))  # noqa: S704 - sanitised by nh3 just above


def lang() -> str:
    try:
        return str(get_locale() or "id")
    except Exception:  # noqa: BLE001 - outside a request: the source language
        return "id"


def tr(text: dict[str, str] | None, language: str | None = None) -> str:
    """Pick the current language from a ``{"id": ..., "en": ...}`` text, falling back to id."""
    if not text:
        return ""
    return text.get(language or lang()) or text.get("id") or next(iter(text.values()), "")


def render_lesson(markdown: dict[str, str], data: dict[str, Any], language: str | None = None) -> Markup:
    language = language or lang()
    return render_markdown(expand_data(tr(markdown, language), data or {}, language))
