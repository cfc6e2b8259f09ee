"""Where admins land: the platform admin finds the national view, a new agency's admin a short
checklist of first steps with the login link built from BASE_URL."""

from __future__ import annotations

from tests.conftest import login


def test_platform_admin_landing_page_links_the_national_view(client, make):
    login(client, make.platform_admin().email)
    body = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert '<a class="button" href="/admin/national">Lihat dasbor nasional</a>' in body


def test_new_agency_admin_lands_on_the_first_steps(app, client, make):
    agency = make.agency()
    login(client, make.admin(agency).email)
    body = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert "Langkah pertama" in body
    assert f'href="/admin/agencies/{agency.id}/staff/import"' in body
    assert f'href="/admin/agencies/{agency.id}/programs/new"' in body
    login_url = app.config["BASE_URL"].rstrip("/") + "/login"
    assert f'<code class="login-url">{login_url}</code>' in body


def test_login_link_follows_base_url_with_a_path(app, client, make):
    agency = make.agency()
    login(client, make.admin(agency).email)
    saved = app.config["BASE_URL"]
    app.config["BASE_URL"] = "https://ikrar.bangka.go.id/netralitas"
    try:
        body = client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    finally:
        app.config["BASE_URL"] = saved
    assert "https://ikrar.bangka.go.id/netralitas/login" in body


def test_first_steps_go_once_the_agency_has_staff_or_a_program(app, client, make):
    agency = make.agency()
    make.user(agency)
    login(client, make.admin(agency).email)
    assert "Langkah pertama" not in client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    other = make.agency()
    make.program(other)
    second = app.test_client()
    login(second, make.admin(other).email)
    assert "Langkah pertama" not in second.get(f"/admin/agencies/{other.id}").get_data(as_text=True)
