"""Safe lesson rendering: Markdown (markdown-it-py, raw HTML off) then the nh3 sanitizer, so no
script, event handler or ``javascript:`` URL from a pack ever reaches a page.

Scenario blocks (``modules.scenarios``) become a fieldset of radio buttons that works without
JavaScript: the analysis and the verdict of the chosen option ("Tepat" / "Kurang tepat", as text)
are siblings of the radios, hidden by ``modules.css`` until a radio of the group is ``:checked``.
Their situation, question, options and analysis go through the same Markdown and sanitizer; only
the fieldset around them is built here, with escaped attributes."""

from __future__ import annotations

import re
from typing import Any

import nh3
from flask_babel import get_locale
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from modules.packs import expand_data
from modules.scenarios import Scenario, split_lesson

_TITLE_LINE = re.compile(r"\A\s*# [^\n]*(\n|\Z)")
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


# A question's rule is a legal citation in Indonesian ("UU Nomor 20 Tahun 2023 Pasal 9 ayat (2) dan
# ayat (4)"). Its terms (UU, Nomor, Tahun, Pasal, ayat, huruf, angka, Lampiran) are the names of the
# document's parts, cited as they are in English legal writing too; only the connective words
# between citations are translated.
_CONNECTIVES = {"en": {"dan": "and", "atau": "or", "juncto": "in conjunction with", "jo.": "in conjunction with"}}


def rule_text(rule: str | None, language: str | None = None) -> str:
    """A question's rule line in ``language``: the citation as written, its connectives translated."""
    if not rule:
        return ""
    words = _CONNECTIVES.get(language or lang())
    if not words:
        return rule
    return " ".join(words.get(w, w) for w in rule.split(" "))


def render_inline(source: str) -> Markup:
    return Markup(sanitize(_md.renderInline(source)))  # noqa: S704 - sanitised by nh3 just above


def render_lesson(
    markdown: dict[str, str],
    data: dict[str, Any],
    language: str | None = None,
    guidance: dict[str, Any] | None = None,
    without_title: bool = False,
) -> Markup:
    """The lesson in ``language``; ``{{ data:NAME }}`` lists come from ``guidance`` (the
    election's) when it has NAME, else from the pack's ``data``. ``without_title`` drops the
    file's opening ``# heading``: the lesson page shows the lesson's title once, as its own h1."""
    language = language or lang()
    data = data or {}
    html: list[str] = []
    number = 0
    text = tr(markdown, language)
    if without_title:
        text = _TITLE_LINE.sub("", text, count=1)
    for part in split_lesson(text).parts:  # a malformed block stays plain text
        if isinstance(part, Scenario):
            number += 1
            html.append(_scenario(part, number, data, language, guidance))
        else:
            html.append(render_markdown(expand_data(part, data, language, guidance)))
    return Markup("".join(html))  # noqa: S704 - every part is sanitised or escaped


def _scenario(s: Scenario, number: int, data: dict[str, Any], language: str, guidance: dict[str, Any] | None) -> str:
    name = f"scenario-{number}"
    right, wrong = escape(_("Tepat")), escape(_("Kurang tepat"))
    out = [
        f'<section class="scenario" aria-labelledby="{name}-q">',
        f'<p class="scenario-label">{escape(_("Latihan kasus %(n)d", n=number))}</p>',
        f'<div class="scenario-situation">{render_markdown(expand_data(s.situation, data, language, guidance))}</div>',
        f'<fieldset class="scenario-choices"><legend id="{name}-q">{render_inline(s.question)}</legend>',
    ]
    for i, (text, is_right) in enumerate(s.options):
        verdict = (
            f'<span class="scenario-verdict verdict-right"><span aria-hidden="true">✓</span> {right}</span>'
            if is_right
            else f'<span class="scenario-verdict verdict-wrong"><span aria-hidden="true">✗</span> {wrong}</span>'
        )
        out.append(f'<input type="radio" class="scenario-input" name="{name}" id="{name}-{i}" value="{i}">')
        out.append(
            f'<label class="scenario-option{" is-right" if is_right else ""}" for="{name}-{i}">'
            f'<span class="scenario-text">{render_inline(text)}</span> {verdict}</label>'
        )
    out.append(f'<p class="scenario-hint">{escape(_("Pilih satu jawaban untuk melihat pembahasannya."))}</p>')
    out.append(
        f'<div class="scenario-analysis"><p class="scenario-analysis-title"><strong>{escape(_("Pembahasan"))}'
        f"</strong></p>{render_markdown(expand_data(s.analysis, data, language, guidance))}</div>"
    )
    out.append("</fieldset></section>")
    return "".join(out)
