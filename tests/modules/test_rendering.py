"""Lesson Markdown is sanitised: no script, event handler or javascript: URL survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from modules.rendering import render_lesson, render_markdown, sanitize

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def _assert_safe(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "iframe", "svg", "object", "embed", "style"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "src"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised(payload) -> None:
    html = str(render_markdown(f"# Judul\n\n{payload}\n\nTeks biasa."))
    _assert_safe(html)
    assert "Teks biasa." in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitizer_alone_strips_raw_html(payload) -> None:
    """Defence in depth: if raw HTML ever got through, nh3 still removes the dangerous parts."""
    html = sanitize(f"<p>ok</p>{payload}")
    _assert_safe(html)
    assert "<script" not in html.lower() and "alert(1)</" not in html.lower()


def test_ordinary_markdown_survives() -> None:
    html = str(render_markdown("## Dasar\n\n- **satu**\n- [UU](https://peraturan.go.id)\n"))
    assert "<h2>Dasar</h2>" in html and "<strong>satu</strong>" in html
    assert 'href="https://peraturan.go.id"' in html and 'rel="noopener noreferrer"' in html


def test_data_placeholder_becomes_a_list_in_the_language() -> None:
    data = {"kanal": [{"id": "Bawaslu", "en": "Election supervisor"}, {"id": "Inspektorat", "en": "Inspectorate"}]}
    md = {"id": "Lapor ke:\n{{ data:kanal }}\nSelesai.", "en": "Report to:\n{{ data:kanal }}\nDone."}
    assert "<li>Bawaslu</li>" in str(render_lesson(md, data, "id"))
    en = str(render_lesson(md, data, "en"))
    assert "<li>Election supervisor</li>" in en and "<li>Inspectorate</li>" in en
