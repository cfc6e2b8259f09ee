"""My programs: the big button ends on the certificate, says when it is being prepared, and names
ending in a dot get one full stop."""

from __future__ import annotations

import re

import pytest

from lms.templating import before_stop
from tests.conftest import login
from tests.lms.learner_helpers import PendingPlugin, StepKind, complete, receipt_first, with_plugin, without_plugin


@pytest.fixture(autouse=True)
def _kind(requirement_kinds) -> None:
    requirement_kinds(StepKind())


def _big_button(html: str) -> str:
    found = re.findall(r'<(?:a|p) class="button primary block[^"]*"[^>]*>', html)
    assert len(found) == 1, found
    return found[0]


def test_finished_program_button_downloads_the_certificate_not_the_receipt(app, client, make):
    agency = make.agency()
    learner = make.user(agency)
    program = make.program(agency, requirements=[("step", "done:modul")])
    with receipt_first(app):
        complete(app, learner, program)
        login(client, learner.nip)
        html = client.get("/").get_data(as_text=True)
    button = _big_button(html)
    assert re.search(r'href="/certificates/[A-Z0-9]+\.pdf"', button), button
    assert "Unduh sertifikat" in html
    assert "/receipt-of-the-step.pdf" in html  # the receipt stays in the checklist


def test_unfinished_program_button_leads_to_the_next_step(app, client, make):
    agency = make.agency()
    learner = make.user(agency)
    make.program(agency, requirements=[("step", "done:modul"), ("step", "todo:pakta")])
    with receipt_first(app):
        login(client, learner.nip)
        html = client.get("/").get_data(as_text=True)
    assert 'href="/step/todo:pakta"' in _big_button(html)


def test_certificate_being_prepared_is_said_on_the_button(app, client, make):
    agency = make.agency()
    learner = make.user(agency)
    program = make.program(agency, requirements=[("step", "done:modul")])
    # The stand-in's outcome is the only final one: the real certificates plugin is left out.
    with with_plugin(app, PendingPlugin()), without_plugin(app, "certificates"):
        complete(app, learner, program)
        login(client, learner.nip)
        html = client.get("/").get_data(as_text=True)
        button = _big_button(html)
        assert "href" not in button and "preparing" in button
        assert "Sertifikat uji sedang disiapkan." in html
        en = client.get("/?lang=en").get_data(as_text=True)
    assert "Sertifikat uji is being prepared." in en


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Dewi Lestari, A.Md.Kep.", "Halo, Dewi Lestari, A.Md.Kep."),
        ("Siti Rahmawati, S.Pd.", "Halo, Siti Rahmawati, S.Pd."),
        ("Budi Santoso", "Halo, Budi Santoso."),
    ],
)
def test_greeting_ends_with_one_full_stop(app, client, make, name, shown):
    learner = make.user(make.agency(), name=name)
    login(client, learner.nip)
    html = client.get("/").get_data(as_text=True)
    assert shown in html
    assert ".." not in html.split('class="lead">', 1)[1].split("</p>", 1)[0]


def test_before_stop_drops_only_the_trailing_dot():
    assert before_stop("Dewi Lestari, A.Md.Kep.") == "Dewi Lestari, A.Md.Kep"
    assert before_stop("Ir. Budi ") == "Ir. Budi"
    assert before_stop(None) == ""
