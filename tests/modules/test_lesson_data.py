"""Data lists in lessons: the plain list and the {caption, items} shape; the list of the election
of the learner's program that requires the module wins over the pack's."""

from __future__ import annotations

from pathlib import Path

from lms.db import db
from lms.models import ProgramStatus
from modules import services
from modules.packs import load_pack
from modules.rendering import render_lesson
from tests.conftest import login
from tests.modules.helpers import SLUG, import_mini

SCENARIO_PACK = Path(__file__).parent / "packs" / "scenario"
CHANNELS = {
    "caption": {
        "id": "Saluran pengaduan Pilkada Ulang Bangka 2025:",
        "en": "Where to report in the 2025 Bangka re-run:",
    },
    "items": [{"id": "Bawaslu Kabupaten Bangka", "en": "The Bangka regency Bawaslu"}],
}


def test_a_list_with_a_caption_shows_the_caption_with_the_list() -> None:
    pack = load_pack(SCENARIO_PACK)
    pose = next(le for le in pack.lessons if le.key == "pose")
    html = str(render_lesson(pose.markdown, pack.data, "id"))
    assert (
        "<p>Pose yang dapat dibaca sebagai nomor urut pada Pemilu 2024:</p>\n<ul>\n<li>Satu jari telunjuk</li>" in html
    )
    en = str(render_lesson(pose.markdown, pack.data, "en"))
    assert "<p>Poses that could be read as a ballot number in the 2024 election:</p>" in en
    assert "<li>Two fingers in a V</li>" in en


def test_the_plain_list_still_works_and_guidance_replaces_it() -> None:
    md = {"id": "Lapor:\n\n{{ data:kanal }}\n", "en": "Report:\n\n{{ data:kanal }}\n"}
    data = {"kanal": [{"id": "Inspektorat", "en": "Inspectorate"}]}
    assert "<li>Inspektorat</li>" in str(render_lesson(md, data, "id"))
    html = str(render_lesson(md, data, "en", guidance={"kanal": CHANNELS}))
    assert "<p>Where to report in the 2025 Bangka re-run:</p>" in html and "The Bangka regency Bawaslu" in html
    assert "Inspectorate" not in html
    broken = {"kanal": {"caption": "not a text", "items": "nope"}}  # never shown, never a 500
    assert "<li>Inspektorat</li>" in str(render_lesson(md, data, "id", guidance=broken))


def test_data_yaml_caption_shape_is_validated(tmp_path) -> None:
    import shutil

    import pytest

    from modules.packs import PackInvalid

    folder = tmp_path / "pack"
    shutil.copytree(SCENARIO_PACK, folder)
    (folder / "data.yaml").write_text(
        'photo_poses:\n  caption: {id: "Saja"}\n  itemz: []\nreporting_channels: 3\n', encoding="utf-8"
    )
    with pytest.raises(PackInvalid) as info:
        load_pack(folder)
    messages = [str(e) for e in info.value.errors]
    assert any("data.yaml:3: unknown key 'itemz'" in m for m in messages), messages
    assert any("needs 'items'" in m for m in messages), messages
    assert any("data.yaml:4: data 'reporting_channels' must be a list" in m for m in messages), messages


def test_lesson_uses_the_guidance_of_the_learners_program_election(app, make, client) -> None:
    import_mini(app)
    agency = make.agency()
    rerun = make.election(name="Pemilihan Bupati Bangka Tahun 2025", guidance={"reporting_channels": CHANNELS})
    make.program(agency, requirements=[("module", SLUG)], election=rerun)
    learner = make.user(agency)
    login(client, learner.nip)
    page = client.get(f"/modules/{SLUG}/lessons/dasar").text
    assert "<p>Saluran pengaduan Pilkada Ulang Bangka 2025:</p>" in page
    assert "<li>Bawaslu Kabupaten Bangka</li>" in page and "Bawaslu setempat" not in page


def test_without_such_a_program_the_pack_list_is_shown(app, make, client) -> None:
    import_mini(app)
    agency = make.agency()
    guided = make.election(guidance={"reporting_channels": CHANNELS})
    make.program(agency, requirements=[("pledge", "x")], election=guided)  # does not require the module
    make.program(agency, requirements=[("module", SLUG)], election=guided, status=ProgramStatus.CLOSED)
    make.program(agency, requirements=[("module", SLUG)])  # open, its election has no guidance
    learner = make.user(agency)
    login(client, learner.nip)
    page = client.get(f"/modules/{SLUG}/lessons/dasar").text
    assert "<li>Bawaslu setempat</li>" in page and "Bangka" not in page
    with app.app_context():
        from lms.models import User

        assert services.lesson_guidance(db.session.get(User, learner.id), SLUG) == {}
