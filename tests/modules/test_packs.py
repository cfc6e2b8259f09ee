"""The pack validator: a good pack loads; each kind of bad pack is refused with file and line,
and nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.db import db
from modules import services
from modules.packs import PackInvalid, load_pack
from tests.modules.helpers import PACK, copy_pack, module_count


def test_good_pack_loads() -> None:
    pack = load_pack(PACK)
    assert pack.slug == "uji-netral"
    assert [le.key for le in pack.lessons] == ["dasar", "media-sosial"]
    assert [q.type for q in pack.questions] == ["single", "multiple", "true_false", "single"]
    assert pack.questions_per_attempt == 4 and pack.time_limit_minutes == 20
    assert "{{ data:reporting_channels }}" in pack.lessons[0].markdown["id"]
    assert pack.data["reporting_channels"][0]["en"] == "The local Bawaslu"
    assert len(pack.content_hash()) == 64


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str, nth: int = 0) -> int:
    lines = [n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line]
    return lines[nth]


# (description, mutate(pack folder), file, line finder (pack folder) -> int, message part)
BAD = [
    (
        "yaml syntax",
        lambda p: _replace(p / "module.yaml", "jp_hours: 2", "jp_hours: [2"),
        "module.yaml",
        None,
        "YAML syntax error",
    ),
    (
        "bad slug",
        lambda p: _replace(p / "module.yaml", "slug: uji-netral", "slug: Uji Netral"),
        "module.yaml",
        lambda p: 1,
        "must match [a-z0-9-]+",
    ),
    (
        "pass mark too high",
        lambda p: _replace(p / "module.yaml", "pass_mark: 75", "pass_mark: 101"),
        "module.yaml",
        lambda p: _line_of(p / "module.yaml", "pass_mark"),
        "'pass_mark' must be",
    ),
    (
        "pass mark zero",
        lambda p: _replace(p / "module.yaml", "pass_mark: 75", "pass_mark: 0"),
        "module.yaml",
        lambda p: _line_of(p / "module.yaml", "pass_mark"),
        "1..100",
    ),
    (
        "missing key",
        lambda p: _replace(p / "module.yaml", "pass_mark: 75\n", ""),
        "module.yaml",
        lambda p: 1,
        "missing required key 'pass_mark'",
    ),
    (
        "missing english title",
        lambda p: _replace(p / "module.yaml", ', en: "Neutrality Test Module"', ""),
        "module.yaml",
        lambda p: 3,
        "language 'en'",
    ),
    (
        "too many questions per attempt",
        lambda p: _replace(p / "module.yaml", "questions_per_attempt: 4", "questions_per_attempt: 5"),
        "module.yaml",
        lambda p: _line_of(p / "module.yaml", "questions_per_attempt"),
        "more than the 4 questions",
    ),
    (
        "missing lesson file",
        lambda p: (p / "lessons" / "02-media-sosial.en.md").unlink(),
        "module.yaml",
        lambda p: _line_of(p / "module.yaml", "02-media-sosial"),
        "lessons/02-media-sosial.en.md is missing",
    ),
    (
        "unknown data list",
        lambda p: _replace(p / "lessons" / "01-dasar.en.md", "data:reporting_channels", "data:nope"),
        "lessons/01-dasar.en.md",
        lambda p: 7,
        "unknown data list 'nope'",
    ),
    (
        "duplicate lesson key",
        lambda p: _replace(p / "module.yaml", "key: media-sosial", "key: dasar"),
        "module.yaml",
        lambda p: _line_of(p / "module.yaml", "- key: dasar", 1),
        "duplicate lesson key 'dasar'",
    ),
    (
        "single with two correct",
        lambda p: _replace(p / "questions.yaml", 'en: "Share it"}}', 'en: "Share it"}, correct: true}'),
        "questions.yaml",
        lambda p: _line_of(p / "questions.yaml", "choices:"),
        "exactly one correct choice",
    ),
    (
        "multiple with none correct",
        lambda p: [
            _replace(p / "questions.yaml", f'"{text}"}}, correct: true}}', f'"{text}"}}}}')
            for text in ("Using an official car for a campaign", "Telling subordinates whom to vote for")
        ],
        "questions.yaml",
        lambda p: _line_of(p / "questions.yaml", "choices:", 1),
        "at least one correct choice",
    ),
    (
        "true_false with three choices",
        lambda p: _replace(
            p / "questions.yaml",
            '    - {key: salah, text: {id: "Salah", en: "False"}}',
            '    - {key: salah, text: {id: "Salah", en: "False"}}\n'
            '    - {key: mungkin, text: {id: "Mungkin", en: "Maybe"}}',
        ),
        "questions.yaml",
        lambda p: _line_of(p / "questions.yaml", "choices:", 2),
        "exactly two choices",
    ),
    (
        "unknown question type",
        lambda p: _replace(p / "questions.yaml", "type: true_false", "type: essay"),
        "questions.yaml",
        lambda p: _line_of(p / "questions.yaml", "type: essay"),
        "type must be one of",
    ),
    (
        "question without explanation in english",
        lambda p: _replace(
            p / "questions.yaml", ', en: "Sharing a candidate\'s post is a disciplinary violation."', ""
        ),
        "questions.yaml",
        lambda p: _line_of(p / "questions.yaml", "Membagikan unggahan calon"),
        "'explanation' needs non-empty text in language 'en'",
    ),
    (
        "duplicate question key",
        lambda p: _replace(p / "questions.yaml", "key: q04", "key: q01"),
        "questions.yaml",
        lambda p: _line_of(p / "questions.yaml", "- key: q01", 1),
        "duplicate question key 'q01'",
    ),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_pack_is_refused_with_file_and_line(case, tmp_path, app) -> None:
    _desc, mutate, file, line_of, message = case
    folder = copy_pack(tmp_path)
    mutate(folder)
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    errors = [str(e) for e in info.value.errors]
    matching = [e for e in info.value.errors if e.file == file and message in e.message]
    assert matching, errors
    if line_of is not None:
        assert matching[0].line == line_of(folder), errors
    assert all(re.match(r"^[\w./-]+:\d+: ", e) for e in errors)
    # importing the same folder writes nothing
    with app.app_context():
        with pytest.raises(PackInvalid):
            services.import_pack(folder)
        db.session.rollback()
    assert module_count(app) == 0


def test_duplicate_question_key_points_at_second_key(tmp_path) -> None:
    folder = copy_pack(tmp_path)
    _replace(folder / "questions.yaml", "key: q04", "key: q01")
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    lines = (folder / "questions.yaml").read_text().splitlines()
    second = [i for i, line in enumerate(lines, start=1) if "key: q01" in line][1]
    assert any(e.line == second and "duplicate question key" in e.message for e in info.value.errors)


def test_several_errors_are_all_reported(tmp_path) -> None:
    folder = copy_pack(tmp_path)
    _replace(folder / "module.yaml", "pass_mark: 75", "pass_mark: 150")
    _replace(folder / "questions.yaml", "type: true_false", "type: essay")
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    files = {e.file for e in info.value.errors}
    assert {"module.yaml", "questions.yaml"} <= files


def test_cli_import_reports_errors_and_writes_nothing(app, tmp_path) -> None:
    folder = copy_pack(tmp_path)
    _replace(folder / "module.yaml", "pass_mark: 75", "pass_mark: 0")
    result = app.test_cli_runner().invoke(args=["modules", "import", str(folder)])
    assert result.exit_code == 1
    assert "module.yaml:6:" in result.output and "nothing imported" in result.output
    assert module_count(app) == 0
