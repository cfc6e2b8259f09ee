"""One helper puts a service's error on the form field it names."""

from __future__ import annotations

from lms.forms import StaffForm, show_service_error
from lms.services import ServiceError


def test_service_error_lands_on_its_field_or_the_fallback(app) -> None:
    with app.test_request_context(method="POST"):
        form = StaffForm(meta={"csrf": False})
        show_service_error(form, ServiceError("NIP ini sudah terdaftar.", "nip"), "name")
        show_service_error(form, ServiceError("Tidak dikenal.", "no_such_field"), "name")
        show_service_error(form, ServiceError("Tanpa kolom."), "name")
        assert list(form.nip.errors) == ["NIP ini sudah terdaftar."]
        assert list(form.name.errors) == ["Tidak dikenal.", "Tanpa kolom."]
