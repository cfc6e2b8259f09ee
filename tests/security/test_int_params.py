"""Integers the database cannot hold, in any ``<int:>`` route parameter or integer query parameter,
are a 4xx, never a 500 (the probe found 47 such 500s over 22 routes: the query overflowed).

The route fuzz walks ``app.url_map``, so a route added later is covered without anyone remembering
to add it here."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from lms.converters import MAX_ID
from tests.conftest import login

BAD = [str(2**63), str(2**64), str(10**30), "-1", "0", "9" * 5000, "\u0663"]  # last: Arabic-Indic 3
# Non-integer parameters get a plausible value, so the integer is what the route has to survive.
PLAUSIBLE = {"fmt": "csv", "token": "abc", "key": "netralitas-asn", "code": "ABCD-1234"}
PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if ints:
            yield rule, ints


def _path(rule, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values.get(m.group(2), PLAUSIBLE.get(m.group(2), "x")), rule.rule)


@pytest.fixture
def world(make):
    agency = make.agency()
    learner = make.user(agency)
    program = make.program(agency, requirements=[("pledge", "netralitas-asn")])
    return {
        "agency": agency,
        "program": program,
        "learner": learner,
        "admin": make.admin(agency),
        "root": make.platform_admin(),
        # real ids for the other parameters of a route, so only the one under test is bad
        "ids": {
            "agency_id": agency.id,
            "program_id": program.id,
            "user_id": learner.id,
            "attempt_id": 1,
            "signature_id": 1,
            "job_id": 1,
        },
    }


def _clients(app, world):
    anonymous = app.test_client()
    yield "anonymous", anonymous
    for role, who in (
        ("learner", world["learner"].nip),
        ("agency admin", world["admin"].email),
        ("platform admin", world["root"].email),
    ):
        client = app.test_client()
        login(client, who)
        yield role, client


def test_the_int_converter_only_matches_database_ids(app):
    urls = app.url_map.bind("localhost")
    assert urls.match(f"/admin/agencies/{MAX_ID}")[1] == {"agency_id": MAX_ID}
    for bad in BAD:
        with pytest.raises(Exception) as info:
            urls.match(f"/admin/agencies/{bad}")
        assert getattr(info.value, "code", None) == 404, bad


def test_every_int_route_parameter_survives_huge_and_odd_numbers(app, world, monkeypatch):
    rules = list(_int_rules(app))
    assert len(rules) >= 22
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # so POSTs reach the route too
    failures = []
    for role, client in _clients(app, world):
        for rule, ints in rules:
            methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
            for name in ints:
                for bad in BAD:
                    values = {k: str(v) for k, v in world["ids"].items()} | {name: bad}
                    path = _path(rule, values)
                    for method in methods:
                        response = client.open(path, method=method, data={})
                        if response.status_code >= 500 or response.status_code not in (302, 303, 400, 403, 404, 405):
                            failures.append(f"{role} {method} {path[:80]} -> {response.status_code}")
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


QUERY_PAGES = [
    "/admin/agencies/{agency}/staff",
    "/admin/agencies/{agency}/certificates",
    "/admin/agencies/{agency}/audit",
    "/admin/agencies/{agency}/dashboard",
    "/admin/programs/{program}/staff",
    "/admin/programs/{program}",
    "/admin/programs/{program}/export/staff.csv",
    "/admin/programs/{program}/export/units.csv",
    "/admin/programs/{program}/signatures",
    "/admin/programs/{program}/quiz",
]


@pytest.mark.parametrize("param", ["page", "unit", "program", "incomplete", "status"])
def test_integer_query_parameters_on_list_pages(app, world, param):
    """A number that is no usable id or page counts as absent (the unfiltered first page); a
    well-formed id of nothing may be a 404, never a 500."""
    failures = []
    for role in ("agency admin", "platform admin"):
        client = app.test_client()
        login(client, world["admin"].email if role == "agency admin" else world["root"].email)
        for template in QUERY_PAGES:
            path = template.format(agency=world["agency"].id, program=world["program"].id)
            for bad in [*BAD, " 12", "1e3", "0x10", str(MAX_ID), str(10**7)]:
                response = client.get(path, query_string={param: bad})
                in_range = bad in (str(MAX_ID), str(10**7))
                if response.status_code >= (500 if in_range else 400):
                    failures.append(f"{role} {path}?{param}={bad[:30]} -> {response.status_code}")
    assert not failures, "\n".join(failures[:40])


def test_a_bad_page_number_shows_the_first_page(app, world, make):
    client = app.test_client()
    login(client, world["admin"].email)
    staff = f"/admin/agencies/{world['agency'].id}/staff"
    first = client.get(staff).get_data(as_text=True)
    for bad in (str(2**63), str(10**30), "0", "-3", "x"):
        response = client.get(staff, query_string={"page": bad})
        assert response.status_code == 200
        assert world["learner"].name in response.get_data(as_text=True)
    assert world["learner"].name in first


# --- NUL (PostgreSQL refuses it in text): no route parameter or file name carries one ----------


def test_nul_in_a_text_route_parameter_is_no_route(app, world):
    client = app.test_client()
    login(client, world["admin"].email)
    aid = world["agency"].id
    for path in (
        f"/admin/agencies/{aid}/certificates/A%00B",
        f"/admin/agencies/{aid}/staff/import/a%00b",
        "/modules/a%00b",
        "/modules/x/lessons/a%00",
        "/v/%00",
        "/api/v1/certificates/a%00b",
        f"/pledges/programs/{world['program'].id}/a%00/sign",
        "/static/a%00.css",
    ):
        assert client.get(path).status_code == 404, path


def test_nul_in_an_uploaded_file_name_is_a_400(app, world):
    import io

    from tests.conftest import csrf_token

    client = app.test_client()
    login(client, world["admin"].email)
    path = f"/admin/agencies/{world['agency'].id}/staff/import"
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "file": (io.BytesIO(b"NIP;Nama\n"), "staf\x00.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
