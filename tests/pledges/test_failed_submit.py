"""A failed pact submission shows every error at once and keeps the drawn signature and the ticks,
never the password; a typed name matches the account's with or without academic titles."""

from __future__ import annotations

import html as html_
import re

import pytest

from lms.db import db
from pledges.names import names_match
from tests.pledges.conftest import data_url, png_bytes, sign


def test_every_error_at_once_and_the_drawing_and_ticks_come_back(app, client, setup):
    drawing = data_url(png_bytes())
    response = sign(
        client, setup, setup.learners[0], commitments=["1", "2", "3"], password="wrong-password", signature=drawing
    )
    assert response.status_code == 400
    page = html_.unescape(response.get_data(as_text=True))
    assert "Kata sandi salah" in page and "Centang setiap butir komitmen" in page
    assert f'value="{drawing}"' in page  # the hidden field holds the same drawing, redrawn by the pad
    for ticked in ("1", "2", "3"):
        assert f'id="commit-{ticked}" name="commitments" value="{ticked}" checked' in page
    assert not re.search(r'id="commit-4" name="commitments" value="4"\s+checked', page)
    assert "wrong-password" not in page


def test_password_typed_name_and_ticks_errors_together(app, client, setup):
    response = sign(
        client, setup, setup.learners[0], commitments=[], password="", signature="", typed_name="Orang Lain"
    )
    page = html_.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    for message in ("Kata sandi salah", "Centang setiap", "harus sama dengan nama akun"):
        assert message in page


def test_a_refused_image_is_not_sent_back(app, client, setup):
    bad = "data:image/png;base64,@@@"
    response = sign(client, setup, setup.learners[0], password="wrong", signature=bad)
    page = html_.unescape(response.get_data(as_text=True))
    assert "rusak" in page and "Kata sandi salah" in page
    assert bad not in page


@pytest.mark.parametrize(
    ("typed", "account"),
    [
        ("Siti Rahmawati", "Siti Rahmawati, S.Pd."),
        ("  siti   RAHMAWATI ", "Siti Rahmawati, S.Pd."),
        ("Dewi Lestari", "Dewi Lestari, A.Md.Kep."),
        ("Ahmad Fauzi", "Dr. H. Ahmad Fauzi, M.Si."),
        ("Drs. Budi Santoso, S.E., S.H.", "Budi Santoso"),
        ("Hj. Nur Aini", "Nur Aini, S.Pd"),
        ("Budi Santoso S.H.", "Budi Santoso, S.H."),
        ("Siti Rahmawati, S.Pd.", "Siti Rahmawati, S.Pd."),
    ],
)
def test_typed_name_matches_without_titles(typed, account):
    assert names_match(typed, account)


@pytest.mark.parametrize(
    ("typed", "account"),
    [
        ("Siti Rahma", "Siti Rahmawati, S.Pd."),
        ("S.Pd.", "Siti Rahmawati, S.Pd."),
        ("Budi Santoso, Agus", "Budi Santoso"),
        ("Rahmawati Siti", "Siti Rahmawati"),
        ("", "Siti Rahmawati"),
    ],
)
def test_typed_name_of_someone_else_is_refused(typed, account):
    assert not names_match(typed, account)


def test_signing_by_typed_name_without_the_degree(app, client, make, setup):
    learner = make.user(setup.agency, unit_id=setup.unit.id, name="Siti Rahmawati, S.Pd.")
    response = sign(client, setup, learner, signature="", typed_name="siti  rahmawati")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        from pledges.models import PledgeSignature

        assert db.session.query(PledgeSignature).filter_by(user_id=learner.id).count() == 1


def test_the_rule_is_stated_next_to_the_field(app, client, setup):
    from tests.conftest import login

    login(client, setup.learners[0].nip)
    page = client.get(setup.sign_path).get_data(as_text=True)
    assert "Gelar di depan atau di belakang nama boleh ditulis atau tidak" in page
