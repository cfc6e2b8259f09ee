"""Links the pledges plugin adds to the core's menus, and the audit targets it owns."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.menus import MenuItem, register_menu
from lms.models import Agency, Program
from lms.scoping import is_whole_agency_admin, register_person_target
from pledges import services
from pledges.models import PledgeSignature


def register_menus(app: Flask) -> None:
    def program_links(program: Program) -> list[MenuItem]:
        if not services.program_pledge_keys(program):
            return []
        return [MenuItem(_("Pakta"), url_for("pledges.admin_program", program_id=program.id))]

    def agency_links(agency: Agency) -> list[MenuItem]:
        # pledge texts are agency-wide settings: whole-agency admins only
        if not is_whole_agency_admin(current_user, agency.id):
            return []
        return [MenuItem(_("Teks pakta"), url_for("pledges.texts", agency_id=agency.id))]

    register_menu(app, "program", program_links)
    register_menu(app, "agency", agency_links)
    # audit entries about a signature concern its signer (a unit-limited admin's audit log)
    register_person_target(app, "pledge_signature", PledgeSignature.id, PledgeSignature.user_id)
