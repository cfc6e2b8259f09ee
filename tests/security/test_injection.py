"""Admin-entered text is shown as text: the usual script payloads never reach a page as markup."""

import pytest

from tests.conftest import csrf_token, login

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_unit_staff_and_program_names_are_escaped(app, make, payload):
    agency = make.agency()
    unit = make.unit(agency, name=f"Unit {payload}")
    make.user(agency, unit_id=unit.id, name=f"Pegawai {payload}")
    program = make.program(agency, title=f"Program {payload}")
    admin = make.admin(agency)
    client = app.test_client()
    login(client, admin.email)
    pages = [
        f"/admin/agencies/{agency.id}/units",
        f"/admin/agencies/{agency.id}/staff",
        f"/admin/agencies/{agency.id}",
        f"/admin/programs/{program.id}",
        f"/admin/programs/{program.id}/staff",
    ]
    for path in pages:
        body = client.get(path).get_data(as_text=True)
        if payload.startswith(("<", '"')):
            assert payload not in body, path  # only the escaped form may appear
        assert 'href="javascript:' not in body and "<script>alert" not in body, path


def test_unit_form_stores_payload_as_text(app, make):
    agency = make.agency()
    admin = make.admin(agency)
    client = app.test_client()
    login(client, admin.email)
    path = f"/admin/agencies/{agency.id}/units"
    response = client.post(
        path, data={"name": PAYLOADS[0], "parent_id": 0, "csrf_token": csrf_token(client, path)}, follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body
