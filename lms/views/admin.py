"""Platform and agency administration: agencies, units, programs, audit log (staff pages are
``lms.staff``).

Every lookup goes through ``lms.scoping``: an admin of another agency gets 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from lms.access import admin_required, platform_required
from lms.db import db
from lms.extensions import client_ip
from lms.forms import AgencyEditForm, AgencyForm, ElectionForm, ProgramForm, UnitForm, show_service_error
from lms.models import (
    Agency,
    AuditLog,
    Election,
    ElectionKind,
    Program,
    ProgramStatus,
    Role,
    User,
)
from lms.scoping import (
    get_scoped_or_404,
    is_whole_agency_admin,
    scope,
    scope_audit,
    visible_among,
)
from lms.services import agencies
from lms.services import elections as election_service
from lms.services import programs as program_service
from lms.staff.views import hand_over
from lms.timezones import use_zone
from lms.urls import external_url

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _agency(agency_id: int) -> Agency:
    return get_scoped_or_404(Agency, agency_id, current_user)


@bp.get("/")
@admin_required
def index():
    if current_user.is_platform_admin:
        return redirect(url_for("admin.agencies_list"))
    return redirect(url_for("admin.agency", agency_id=current_user.agency_id))


# --- platform admin: agencies ---------------------------------------------------------------------


@bp.get("/agencies")
@platform_required
def agencies_list():
    rows = db.session.execute(
        select(Agency, func.count(User.id))
        .outerjoin(User, (User.agency_id == Agency.id) & (User.role == Role.LEARNER))
        .group_by(Agency.id)
        .order_by(Agency.name)
    ).all()
    return render_template("admin/agencies.html", rows=rows)


@bp.route("/agencies/new", methods=["GET", "POST"])
@platform_required
def agency_new():
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency, admin, link = agencies.create_agency_with_admin(
                agencies.AgencyInput(
                    form.code.data,
                    form.name.data,
                    form.head_name.data,
                    form.head_title.data,
                    form.logo.data,
                    form.timezone.data,
                ),
                form.admin_name.data,
                form.admin_email.data,
                current_user,
                client_ip(),
            )
        except agencies.AgencyError as exc:
            getattr(form, exc.field or "code").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Instansi %(name)s dibuat.", name=agency.name), "success")
            if admin is not None and link:
                hand_over(admin, link)
            return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/agency_form.html", form=form), (400 if form.errors else 200)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@platform_required
def agency_edit(agency_id: int):
    agency = _agency(agency_id)
    form = AgencyEditForm(obj=agency)
    if form.validate_on_submit():
        data = agencies.AgencyInput(
            agency.code, form.name.data, form.head_name.data, form.head_title.data, form.logo.data, form.timezone.data
        )
        try:
            agencies.update_agency(agency, data, current_user, client_ip())
        except agencies.AgencyError as exc:
            db.session.rollback()
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Instansi %(name)s disimpan.", name=agency.name), "success")
            return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/agency_form.html", form=form, agency=agency), (400 if form.errors else 200)


# --- platform admin: elections --------------------------------------------------------------------


@bp.get("/elections")
@platform_required
def elections_list():
    return render_template("admin/elections.html", rows=election_service.with_program_counts())


def _election_form(election: Election | None) -> ElectionForm:
    form = ElectionForm(obj=election if request.method == "GET" and election else None)
    if request.method == "GET" and election is not None:
        form.kind.data = election.kind.value
        for name in election_service.GUIDANCE_LISTS:
            stored = (election.guidance or {}).get(name) or {}
            caption = stored.get("caption") or {}
            form[f"{name}_caption_id"].data = caption.get("id")
            form[f"{name}_caption_en"].data = caption.get("en")
            form[f"{name}_items"].data = election_service.format_items(stored.get("items") or [])
    return form


def _election_input(form: ElectionForm) -> election_service.ElectionInput:
    return election_service.ElectionInput(
        kind=ElectionKind(form.kind.data),
        name=form.name.data,
        name_en=form.name_en.data,
        voting_day=form.voting_day.data,
        campaign_starts_on=form.campaign_starts_on.data,
        campaign_ends_on=form.campaign_ends_on.data,
        region=form.region.data,
        guidance={
            name: election_service.GuidanceInput(
                form[f"{name}_caption_id"].data, form[f"{name}_caption_en"].data, form[f"{name}_items"].data
            )
            for name in election_service.GUIDANCE_LISTS
        },
    )


@bp.route("/elections/new", methods=["GET", "POST"])
@bp.route("/elections/<int:election_id>/edit", methods=["GET", "POST"])
@platform_required
def election_form(election_id: int | None = None):
    election = db.session.get(Election, election_id) if election_id else None
    if election_id and election is None:
        abort(404)
    form = _election_form(election)
    if form.validate_on_submit():
        try:
            election = election_service.save_election(_election_input(form), current_user, election, client_ip())
        except election_service.ElectionError as exc:
            show_service_error(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Pemilihan %(name)s disimpan.", name=election.name), "success")
            return redirect(url_for("admin.elections_list"))
    programs = len(election.programs) if election else 0
    return render_template(
        "admin/election_form.html",
        form=form,
        election=election,
        programs=programs,
        lists=election_service.GUIDANCE_LISTS,
        history=election_service.history(election) if election else [],
    ), (400 if form.errors else 200)


# --- agency overview, units ----------------------------------------------------------------------


@bp.get("/agencies/<int:agency_id>")
@admin_required
def agency(agency_id: int):
    agency = _agency(agency_id)
    staff_count = db.session.scalar(
        scope(
            select(func.count(User.id)).where(User.role == Role.LEARNER), current_user, User.agency_id, User.unit_id
        ).where(User.agency_id == agency.id)
    )
    programs = db.session.scalars(
        select(Program).where(Program.agency_id == agency.id).order_by(Program.deadline.desc())
    ).all()
    first_steps = None
    if not current_user.is_platform_admin and not programs and not staff_count:
        first_steps = {"login_url": external_url("auth.login")}  # a new agency: what to do first
    return render_template(
        "admin/agency.html", agency=agency, staff_count=staff_count, programs=programs, first_steps=first_steps
    )


@bp.route("/agencies/<int:agency_id>/units", methods=["GET", "POST"])
@admin_required
def units(agency_id: int):
    agency = _agency(agency_id)
    form = UnitForm()
    unit_rows = agencies.unit_tree(agency)
    form.parent_id.choices = [(0, _("— tanpa induk —"))] + [(u.id, label) for u, label in unit_rows]
    if request.method == "POST":  # creating units is agency-wide: listing them is not
        _whole_agency(agency)
    if form.validate_on_submit():
        try:
            agencies.create_unit(agency, form.name.data, form.parent_id.data or None, current_user, client_ip())
        except agencies.AgencyError as exc:
            show_service_error(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Unit kerja ditambahkan."), "success")
            return redirect(url_for("admin.units", agency_id=agency.id))
    counts = dict(
        db.session.execute(
            select(User.unit_id, func.count(User.id)).where(User.agency_id == agency.id).group_by(User.unit_id)
        ).all()
    )
    return render_template("admin/units.html", agency=agency, form=form, unit_rows=unit_rows, counts=counts), (
        400 if form.errors else 200
    )


# --- programs -------------------------------------------------------------------------------------


def _program_form(agency: Agency, program: Program | None) -> ProgramForm:
    form = ProgramForm(obj=program if request.method == "GET" and program else None)
    form.unit_ids.choices = [(u.id, label) for u, label in agencies.unit_tree(agency)]
    form.election_id.choices = [(e.id, f"{e.name} ({e.voting_day:%d-%m-%Y})") for e in program_service.elections()]
    form.requirements.choices = [
        (f"{kind.name}:{c.ref}", f"{kind.title}: {c.label}")
        for kind in program_service.registry()
        for c in kind.choices(agency.id)
    ]
    if request.method == "GET" and program is not None:
        form.status.data = program.status.value
        form.unit_ids.data = [u.id for u in program.target_units]
        form.requirements.data = [f"{r.kind}:{r.ref}" for r in program.requirements]
    return form


def _program_input(form: ProgramForm) -> program_service.ProgramInput:
    return program_service.ProgramInput(
        title=form.title.data,
        description=form.description.data,
        starts_on=form.starts_on.data,
        deadline=form.deadline.data,
        status=ProgramStatus(form.status.data),
        unit_ids=list(form.unit_ids.data or []),
        requirements=[tuple(v.split(":", 1)) for v in form.requirements.data or []],
        election_id=form.election_id.data,
    )


def _whole_agency(agency: Agency) -> Agency:
    """Agency-wide settings (programs, units): a unit-limited admin gets 404."""
    if not is_whole_agency_admin(current_user, agency.id):
        abort(404)
    return agency


@bp.route("/agencies/<int:agency_id>/programs/new", methods=["GET", "POST"])
@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@admin_required
def program_form(agency_id: int | None = None, program_id: int | None = None):
    program = get_scoped_or_404(Program, program_id, current_user) if program_id else None
    agency = _whole_agency(program.agency if program else _agency(agency_id))
    form = _program_form(agency, program)
    if form.validate_on_submit():
        try:
            program = program_service.save_program(agency, _program_input(form), current_user, program, client_ip())
        except program_service.ProgramError as exc:
            show_service_error(form, exc, "title")
        else:
            db.session.commit()
            flash(_("Program disimpan."), "success")
            return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/program_form.html", agency=agency, form=form, program=program), (
        400 if form.errors else 200
    )


@bp.get("/agencies/<int:agency_id>/audit")
@admin_required
def audit_log(agency_id: int):
    """The agency's last 200 entries; a unit-limited admin sees their own actions and entries about
    people of their units, and the names of those people and of admins only."""
    agency = _agency(agency_id)
    use_zone(agency.timezone)  # the platform admin reads the agency's times as its staff do
    entries = db.session.scalars(
        scope_audit(
            select(AuditLog).where(AuditLog.agency_id == agency.id),
            current_user,
        )
        .order_by(AuditLog.id.desc())
        .limit(200)
    ).all()
    actors = {e.actor for e in entries if e.actor is not None}
    named = {a.id for a in actors if a.is_admin} | visible_among(current_user, [a.id for a in actors if not a.is_admin])
    return render_template("admin/audit.html", agency=agency, entries=entries, named=named)
