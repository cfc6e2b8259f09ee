"""The dashboard says which election a program is for: name, kind, region and voting day."""

import datetime as dt

import pytest

from lms.models import ElectionKind, Role
from tests.conftest import login
from tests.dashboard.helpers import fake_plugin


@pytest.fixture(autouse=True)
def _only_the_fake_plugin(app):
    with fake_plugin(app):
        yield


@pytest.mark.parametrize("locale", ["id", "en"])
def test_program_and_agency_dashboards_show_the_election(app, client, make, locale):
    rerun = make.election(
        kind=ElectionKind.PILKADA_ULANG,
        name="Pemilihan Bupati dan Wakil Bupati Bangka Tahun 2025",
        name_en="2025 Bangka Regent Election",
        voting_day=dt.date(2025, 8, 27),
        region="Kabupaten Bangka",
    )
    agency = make.agency()
    program = make.program(agency, election=rerun, title="Sosialisasi Ulang", deadline=dt.date(2025, 8, 20))
    login(client, make.admin(agency, locale=locale).email)
    expected = (
        ("Pemilihan Bupati dan Wakil Bupati Bangka Tahun 2025", "Pilkada ulang", "27 Agustus 2025")
        if locale == "id"
        else ("2025 Bangka Regent Election", "re-run", "August 27, 2025")
    )
    paths = [f"/admin/programs/{program.id}", f"/admin/agencies/{agency.id}/dashboard"]
    for path in paths:
        html = client.get(path).get_data(as_text=True)
        for text in (*expected, "Kabupaten Bangka"):
            assert text in html, (path, text)
    root = app.test_client()
    login(root, make.user(None, Role.PLATFORM_ADMIN, email="root@x.go.id", locale=locale).email)
    html = root.get("/admin/national").get_data(as_text=True)
    assert "Sosialisasi Ulang" in html
    for text in expected:
        assert text in html, ("national", text)
