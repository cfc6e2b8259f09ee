"""Links the certificates plugin adds to the core's menus."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _

from lms.menus import MenuItem, register_menu


def register_menus(app: Flask) -> None:
    register_menu(
        app,
        "agency",
        lambda agency: [MenuItem(_("Sertifikat"), url_for("certificates.admin_list", agency_id=agency.id))],
    )
    register_menu(
        app,
        "program",
        lambda program: [
            MenuItem(
                _("Sertifikat"), url_for("certificates.admin_list", agency_id=program.agency_id, program=program.id)
            ),
            # the ZIP is built by a POST (a background job): the link opens the form that starts it
            MenuItem(
                _("ZIP sertifikat"),
                url_for("certificates.admin_list", agency_id=program.agency_id, program=program.id, _anchor="zip"),
            ),
        ],
    )
