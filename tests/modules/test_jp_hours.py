"""JP hours from the module's real length (reading time + quiz time limit, in 45-minute JP,
rounded to the nearest half, at least 0.5) unless the pack gives them; the kind's label is the
module's title."""

from __future__ import annotations

import pytest

from lms.db import db
from lms.services.programs import registry
from modules import reading, services
from modules.packs import load_pack
from tests.modules.helpers import SLUG, copy_pack, import_mini


def _pack(tmp_path, words: int, time_limit: int, jp: str | None = None):
    folder = copy_pack(tmp_path)
    module_yaml = folder / "module.yaml"
    text = module_yaml.read_text().replace("time_limit_minutes: 20", f"time_limit_minutes: {time_limit}")
    module_yaml.write_text(text.replace("jp_hours: 2\n", f"jp_hours: {jp}\n" if jp else ""))
    first, second = words * 2 // 3, words - words * 2 // 3
    (folder / "lessons" / "01-dasar.id.md").write_text("# Dasar\n\n" + "kata " * (first - 1))
    (folder / "lessons" / "02-media-sosial.id.md").write_text("**Media** " + "kata " * (second - 1))
    return folder


@pytest.mark.parametrize(
    "words, time_limit, expected",
    [
        (4500, 20, 1.0),  # 30 + 20 = 50 min = 1.11 JP
        (4500, 40, 1.5),  # 30 + 40 = 70 min = 1.56 JP
        (6750, 23, 1.5),  # 45 + 23 = 68 min = 1.51 JP
        (3000, 14, 1.0),  # 20 + 14 = 34 min = 0.76 JP
        (9000, 75, 3.0),  # 60 + 75 = 135 min = exactly 3 JP
        (150, 1, 0.5),  # 2 min: at least half a JP
    ],
)
def test_jp_hours_come_from_the_length(app, tmp_path, words, time_limit, expected) -> None:
    folder = _pack(tmp_path, words, time_limit)
    assert load_pack(folder).jp_hours is None
    import_mini(app, folder)
    with app.test_request_context():
        module = services.active_module(SLUG)
        assert reading.words("".join(le.markdown["id"] for le in module.lessons)) == words
        assert reading.jp_hours(module) == expected
        assert registry().get("module").jp_hours(SLUG) == expected


def test_reading_speed_and_jp_length_are_settings(app, tmp_path, monkeypatch) -> None:
    import_mini(app, _pack(tmp_path, 4500, 20))
    with app.test_request_context():
        module = services.active_module(SLUG)
        assert app.config["MODULES_READING_WPM"] == 150 and app.config["MODULES_JP_MINUTES"] == 45
        monkeypatch.setitem(app.config, "MODULES_READING_WPM", 50)  # 90 + 20 = 110 min
        assert reading.jp_hours(module) == 2.5
        monkeypatch.setitem(app.config, "MODULES_JP_MINUTES", 60)
        assert reading.jp_hours(module) == 2.0


def test_the_packs_jp_hours_override(app, tmp_path) -> None:
    import_mini(app, _pack(tmp_path, 4500, 20, jp="4.5"))
    with app.test_request_context():
        assert registry().get("module").jp_hours(SLUG) == 4.5
        out = tmp_path / "out"
        services.export_module(SLUG, out)
        assert "jp_hours: 4.5" in (out / "module.yaml").read_text()


def test_the_module_page_shows_the_jp_hours(app, make, client, tmp_path) -> None:
    from tests.conftest import login

    import_mini(app, _pack(tmp_path, 4500, 40))
    login(client, make.user(make.agency()).nip)
    assert "1,5 JP" in client.get(f"/modules/{SLUG}").text
    assert "1.5 JP" in client.get(f"/modules/{SLUG}", headers={"Accept-Language": "en"}).text


def test_label_is_the_modules_title_a_noun_phrase(app) -> None:
    import_mini(app)
    with app.test_request_context():
        kind = registry().get("module")
        assert kind.label(SLUG) == "Modul Uji Netralitas"
        assert kind.label("not-imported") == "Modul pelatihan"  # never the slug
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert kind.label(SLUG) == "Neutrality Test Module"


def test_the_shipped_pack_is_worth_what_it_takes_to_read_and_sit(app) -> None:
    """9 lessons at 150 words a minute plus a 20-minute quiz, in JP of 45 minutes."""
    from modules import services as module_services
    from modules.demo import PACK

    with app.app_context():
        module = module_services.import_pack(PACK).module
        minutes = reading.reading_minutes(module) + reading.quiz_minutes(module)
        assert module.jp_hours is None and 45 < minutes < 90
        assert reading.jp_hours(module) == registry().get("module").jp_hours("netralitas-asn") == 1.5
        db.session.rollback()
