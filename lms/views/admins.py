"""An agency's admins: list them with their unit limits, make a staff member an admin, limit an
admin to units or lift the limit, revoke admin rights.

Only a whole-agency admin of the agency (or the platform admin) sees these pages; a unit-limited
admin gets 404 like anyone else (``lms.scoping``). Nobody changes their own rights.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import admin_required
from lms.db import db
from lms.extensions import client_ip
from lms.forms import AdminGrantForm, AdminUnitsForm, PostForm
from lms.models import Agency, User
from lms.scoping import get_scoped_or_404, is_whole_agency_admin
from lms.services import admins, agencies

bp = Blueprint("admins", __name__, url_prefix="/admin")


@bp.app_template_global("can_manage_admins")
def can_manage_admins(agency: Agency) -> bool:
    return current_user.is_authenticated and is_whole_agency_admin(current_user, agency.id)


def _agency(agency_id: int) -> Agency:
    agency = get_scoped_or_404(Agency, agency_id, current_user)
    if not is_whole_agency_admin(current_user, agency.id):
        abort(404)
    return agency


def _admin(agency: Agency, user_id: int) -> User:
    person = get_scoped_or_404(User, user_id, current_user)
    if person.agency_id != agency.id or not person.is_agency_admin:
        abort(404)
    return person


def _unit_choices(agency: Agency) -> list[tuple[int, str]]:
    return [(u.id, label) for u, label in agencies.unit_tree(agency)]


def _list(agency: Agency, form: AdminGrantForm, status: int = 200):
    return render_template("admin/admins.html", agency=agency, admins=admins.agency_admins(agency), form=form), status


@bp.route("/agencies/<int:agency_id>/admins", methods=["GET", "POST"])
@admin_required
def index(agency_id: int):
    agency = _agency(agency_id)
    form = AdminGrantForm()
    form.unit_ids.choices = _unit_choices(agency)
    if request.method == "GET":
        return _list(agency, form)
    if form.validate_on_submit():
        try:
            person = admins.grant(
                agency,
                admins.find_staff(agency, form.identifier.data),
                list(form.unit_ids.data or []),
                current_user,
                client_ip(),
            )
        except admins.AdminError as exc:
            db.session.rollback()
            getattr(form, exc.field or "identifier").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s sekarang admin instansi.", name=person.name), "success")
            return redirect(url_for("admins.index", agency_id=agency.id))
    return _list(agency, form, 400)


def _edit_page(agency: Agency, person: User, form: AdminUnitsForm, error: str | None = None, status: int = 200):
    return render_template(
        "admin/admin_edit.html",
        agency=agency,
        person=person,
        form=form,
        revoke_form=PostForm(),
        error=error,
        own=person.id == current_user.id,
    ), status


@bp.route("/agencies/<int:agency_id>/admins/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit(agency_id: int, user_id: int):
    agency = _agency(agency_id)
    person = _admin(agency, user_id)
    form = AdminUnitsForm()
    form.unit_ids.choices = _unit_choices(agency)
    if request.method == "GET":
        form.unit_ids.data = [u.id for u in person.admin_units]
        return _edit_page(agency, person, form)
    if form.validate_on_submit():
        try:
            admins.set_units(agency, person, list(form.unit_ids.data or []), current_user, client_ip())
        except admins.AdminError as exc:
            db.session.rollback()
            return _edit_page(agency, person, form, str(exc), 400)
        db.session.commit()
        flash(_("Batasan unit %(name)s disimpan.", name=person.name), "success")
        return redirect(url_for("admins.index", agency_id=agency.id))
    return _edit_page(agency, person, form, status=400)


@bp.post("/agencies/<int:agency_id>/admins/<int:user_id>/revoke")
@admin_required
def revoke(agency_id: int, user_id: int):
    agency = _agency(agency_id)
    person = _admin(agency, user_id)
    form = AdminUnitsForm(formdata=None)
    form.unit_ids.choices = _unit_choices(agency)
    form.unit_ids.data = [u.id for u in person.admin_units]
    if not PostForm().validate_on_submit():
        return _edit_page(agency, person, form, _("Formulir kedaluwarsa. Coba lagi."), 400)
    try:
        admins.revoke(agency, person, current_user, client_ip())
    except admins.AdminError as exc:
        db.session.rollback()
        return _edit_page(agency, person, form, str(exc), 400)
    db.session.commit()
    flash(_("Hak admin %(name)s dicabut.", name=person.name), "success")
    return redirect(url_for("admins.index", agency_id=agency.id))
