"""Pages with personal data are never cached, and staff search takes its text literally."""

from __future__ import annotations

import re

import pytest

from lms.db import db
from pledges import services as pledge_services
from pledges.content import DEFAULT_KEY
from tests.conftest import login
from tests.pledges.conftest import Setup, sign


@pytest.fixture
def default_text(app) -> int:
    with app.app_context():
        template = pledge_services.ensure_default_text()
        db.session.commit()
        return template.id


def test_pages_for_logged_in_people_are_not_stored_in_any_cache(app, client, make, default_text):
    agency = make.agency()
    unit = make.unit(agency)
    learner = make.user(agency, unit_id=unit.id)
    program = make.program(agency, requirements=[("pledge", DEFAULT_KEY)])
    response = sign(client, Setup(agency, unit, program, [learner]), learner)
    sig_id = int(re.search(r"/receipts/(\d+)", response.location).group(1))
    home = client.get("/")
    assert home.status_code == 200 and home.headers["Cache-Control"] == "no-store"
    admin = make.admin(agency)
    own = app.test_client()
    login(own, admin.email)
    for path in (
        f"/admin/agencies/{agency.id}/staff",
        f"/admin/programs/{program.id}/staff",
        f"/admin/signatures/{sig_id}",
        f"/admin/agencies/{agency.id}/audit",
    ):
        page = own.get(path)
        assert page.status_code == 200, path
        assert "no-store" in page.headers["Cache-Control"], path
    # Anonymous pages keep their own caching policy.
    anonymous = app.test_client().get("/verify")
    assert anonymous.status_code == 200
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")


def test_staff_search_treats_like_wildcards_literally(app, client, make):
    agency = make.agency()
    admin = make.admin(agency, name="Admin Satu")
    make.user(agency, name="Budi Santoso", email="budi@x.go.id")
    make.user(agency, name="Siti 100% Hadir", email="siti_a@x.go.id")
    make.user(agency, name="Back\\slash", email="bs@x.go.id")
    login(client, admin.email)

    def names(q: str) -> set[str]:
        html = client.get(f"/admin/agencies/{agency.id}/staff", query_string={"q": q}).get_data(as_text=True)
        return {n for n in ("Budi Santoso", "Siti 100% Hadir", "Back\\slash", "Admin Satu") if n in html}

    assert names("%") == {"Siti 100% Hadir"}
    assert names("_") == {"Siti 100% Hadir"}  # in her e-mail address only
    assert names("\\") == {"Back\\slash"}
    assert names("-") == set() and names(".") == {
        "Budi Santoso",
        "Siti 100% Hadir",
        "Back\\slash",
        "Admin Satu",
    }  # "." is in every e-mail
    assert names("budi") == {"Budi Santoso"}
