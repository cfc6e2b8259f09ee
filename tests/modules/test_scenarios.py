"""Scenario blocks: parsed and checked at import (a malformed block names the lesson file and
line), rendered as a fieldset of radios with the analysis hidden by CSS, sanitised like the rest."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.db import db
from modules import services
from modules.models import Lesson, LessonProgress
from modules.packs import PackInvalid, load_pack
from modules.rendering import render_lesson
from modules.scenarios import split_lesson
from tests.conftest import login

PACK = Path(__file__).parent / "packs" / "scenario"
SLUG = "uji-skenario"

GOOD = """Situasi dengan **tebal**.

? Apa yang dilakukan?
- [ ] Salah satu
- [x] Yang tepat
- [ ] Salah dua

Pembahasan dengan *miring*.
"""


def _block(body: str) -> str:
    return f"# Judul\n\nPengantar.\n\n::: scenario\n{body}:::\n\nPenutup.\n"


def test_a_good_block_is_parsed() -> None:
    split = split_lesson(_block(GOOD))
    assert split.errors == []
    (scenario,) = split.scenarios
    assert scenario.line == 5 and scenario.question == "Apa yang dilakukan?"
    assert scenario.options == [("Salah satu", False), ("Yang tepat", True), ("Salah dua", False)]
    assert scenario.right_index == 1
    assert scenario.situation == "Situasi dengan **tebal**." and scenario.analysis == "Pembahasan dengan *miring*."
    assert [type(p).__name__ for p in split.parts] == ["str", "Scenario", "str"]


MALFORMED = [
    ("not closed", "# J\n\n::: scenario\nSituasi.\n\n? Tanya?\n- [ ] a\n- [x] b\n\nAnalisis.\n", 3, "not closed"),
    ("no question", _block("Situasi.\n\n- [ ] a\n- [x] b\n\nAnalisis.\n"), 5, "exactly one question"),
    ("two questions", _block("Situasi.\n? Satu?\n? Dua?\n- [ ] a\n- [x] b\n\nAnalisis.\n"), 5, "found 2"),
    ("one option", _block("Situasi.\n\n? Tanya?\n- [x] a\n\nAnalisis.\n"), 9, "2 to 4 options"),
    ("five options", _block("S.\n? T?\n- [x] a\n- [ ] b\n- [ ] c\n- [ ] d\n- [ ] e\n\nA.\n"), 8, "found 5"),
    ("two right", _block("Situasi.\n? Tanya?\n- [x] a\n- [x] b\n\nAnalisis.\n"), 8, "exactly one right option"),
    ("no right", _block("Situasi.\n? Tanya?\n- [ ] a\n- [ ] b\n\nAnalisis.\n"), 8, "found 0"),
    ("no analysis", _block("Situasi.\n? Tanya?\n- [ ] a\n- [x] b\n"), 10, "no analysis"),
    ("no situation", _block("? Tanya?\n- [ ] a\n- [x] b\n\nAnalisis.\n"), 5, "no situation"),
    ("stray close", "# J\n\nTeks.\n:::\n", 4, "without an opening"),
    ("unknown block", "# J\n\n::: warning\nTeks.\n", 3, "unknown block"),
]


@pytest.mark.parametrize("what, text, line, message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_block_is_a_pack_error_naming_lesson_and_line(tmp_path, what, text, line, message) -> None:
    import shutil

    folder = tmp_path / "pack"
    shutil.copytree(PACK, folder)
    (folder / "lessons" / "kasus.id.md").write_text(text, encoding="utf-8")
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    errors = [e for e in info.value.errors if e.file == "lessons/kasus.id.md"]
    assert any(e.line == line and message in e.message for e in errors), [str(e) for e in info.value.errors]


def test_languages_must_have_the_same_scenarios(tmp_path) -> None:
    import shutil

    folder = tmp_path / "pack"
    shutil.copytree(PACK, folder)
    en = folder / "lessons" / "kasus.en.md"
    text = en.read_text()
    en.write_text(text.replace("- [ ] Go, as long", "- [x] Go, as long").replace("- [x] Decline", "- [ ] Decline"))
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    assert any(
        e.file == "lessons/kasus.en.md" and e.line == 5 and "right option 1" in e.message for e in info.value.errors
    )
    en.write_text(text.split("Between the two")[0])  # one scenario instead of two
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    assert any("1 scenario block(s), but lessons/kasus.id.md has 2" in e.message for e in info.value.errors)


def test_cli_import_of_a_malformed_pack_names_the_lesson_and_writes_nothing(app, tmp_path) -> None:
    import shutil

    folder = tmp_path / "pack"
    shutil.copytree(PACK, folder)
    (folder / "lessons" / "kasus.id.md").write_text(_block("Situasi.\n? Tanya?\n- [x] a\n\nAnalisis.\n"))
    result = app.test_cli_runner().invoke(args=["modules", "import", str(folder)])
    assert result.exit_code == 1
    assert "lessons/kasus.id.md:8: scenario block at line 5 needs 2 to 4 options" in result.output
    assert "1 error(s); nothing imported." in result.output
    with app.app_context():
        assert services.active_module(SLUG) is None


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def test_rendered_as_radios_with_labels_and_a_hidden_analysis() -> None:
    html = str(render_lesson({"id": _block(GOOD)}, {}, "id"))
    tree = _Tree()
    tree.feed(html)
    radios = [a for t, a in tree.tags if t == "input"]
    labels = [a for t, a in tree.tags if t == "label"]
    assert [r["type"] for r in radios] == ["radio"] * 3 and {r["name"] for r in radios} == {"scenario-1"}
    assert [lab["for"] for lab in labels] == [r["id"] for r in radios]  # every radio has its label
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Apa yang dilakukan\?</legend>", html)
    analysis = html.split('class="scenario-analysis"')[1]
    assert "<em>miring</em>" in analysis and "<strong>tebal</strong>" in html.split('class="scenario-analysis"')[0]
    assert html.count("Kurang tepat") == 2 and html.count("✓</span> Tepat") == 1
    assert html.index("Pengantar.") < html.index("<fieldset") < html.index("Penutup.")
    assert "<script" not in html


def test_two_blocks_are_two_radio_groups() -> None:
    html = str(render_lesson(load_pack(PACK).lessons[0].markdown, {}, "en"))
    assert 'name="scenario-1"' in html and 'name="scenario-2"' in html
    assert "Decline the invitation politely" in html and "Between the two cases" in html


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "[x](javascript:alert(1))"],
)
def test_markdown_in_a_block_goes_through_the_same_sanitiser(payload) -> None:
    body = f"Situasi {payload}\n\n? Tanya {payload}\n- [ ] a {payload}\n- [x] b\n\nAnalisis {payload}\n"
    html = str(render_lesson({"id": _block(body)}, {}, "id"))
    tree = _Tree()
    tree.feed(html)
    for tag, attrs in tree.tags:
        assert tag not in ("script", "img"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), attrs
    assert html.count('type="radio"') == 2


def test_lesson_page_shows_scenarios_and_a_stored_malformed_block_is_no_500(app, make, client) -> None:
    with app.app_context():
        services.import_pack(PACK)
        db.session.commit()
    login(client, make.user(make.agency()).nip)
    page = client.get(f"/modules/{SLUG}/lessons/kasus")
    assert page.status_code == 200 and page.text.count('class="scenario-choices"') == 2
    with app.app_context():  # content stored before blocks were checked
        lesson = db.session.scalar(select(Lesson).where(Lesson.key == "kasus"))
        lesson.markdown = {"id": "# K\n\n::: scenario\nTanpa penutup.\n", "en": "x"}
        db.session.commit()
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 0
    page = client.get(f"/modules/{SLUG}/lessons/kasus")
    assert page.status_code == 200 and "Tanpa penutup." in page.text and "scenario-choices" not in page.text
