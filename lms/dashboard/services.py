"""Completion figures for the dashboard, computed in SQL (GROUP BY and CASE ... IN (SELECT ...)):
never a Python loop over users. Each requirement kind and each plugin's outcome column gives a
SELECT of user ids; the dashboard only counts members of a program that fall in those sets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, case, func, select, union
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from lms.db import db
from lms.models import (
    Agency,
    Program,
    ProgramCompletion,
    ProgramStatus,
    Role,
    Unit,
    User,
    program_units,
)
from lms.scoping import scope
from lms.services.programs import member_ids

JAKARTA = ZoneInfo("Asia/Jakarta")


def jakarta_today() -> dt.date:
    return dt.datetime.now(JAKARTA).date()


@dataclass(frozen=True)
class FigureColumn:
    key: str  # SQL label: req<id> or out_<key>
    label: str
    user_ids: Select[Any]
    source: str  # "requirement" or "outcome"


@dataclass
class UnitRow:
    unit_id: int | None
    unit_name: str
    assigned: int
    started: int
    met: dict[str, int]
    completed: int

    @property
    def percent(self) -> float:
        """Share complete, 0..1."""
        return self.completed / self.assigned if self.assigned else 0.0


@dataclass
class ProgramFigures:
    program: Program
    columns: list[FigureColumn]
    rows: list[UnitRow]
    total: UnitRow
    days_left: int
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)


def figure_columns(program: Program) -> list[FigureColumn]:
    """One column per requirement (from the requirement registry), then plugins' outcome columns."""
    registry = current_app.extensions["lms.requirements"]
    columns = []
    for req in program.requirements:
        kind = registry.get(req.kind)
        if kind is not None:
            columns.append(
                FigureColumn(
                    f"req{req.id}",
                    str(kind.label(req.ref)),
                    kind.met_user_ids(req.ref, program.id),
                    "requirement",
                )
            )
    for plugin in current_app.extensions.get("lms.plugins", {}).values():
        for col in plugin.outcome_columns(program):
            columns.append(FigureColumn(f"out_{col.key}", str(col.label), col.user_ids, "outcome"))
    return columns


def completed_ids(program: Program) -> Select[Any]:
    return select(ProgramCompletion.user_id).where(ProgramCompletion.program_id == program.id)


def column_condition(program: Program, column: FigureColumn) -> ColumnElement[bool]:
    """Who counts in a column. An outcome (e.g. "Bersertifikat") follows a completion of the
    program, so it counts only people who completed it: it never exceeds "Selesai", even when a
    stray record (a certificate issued outside the completion flow) exists."""
    condition = User.id.in_(column.user_ids)
    if column.source == "outcome":
        return and_(condition, User.id.in_(completed_ids(program)))
    return condition


def _started_condition(program: Program, columns: list[FigureColumn]) -> ColumnElement[bool]:
    """Began anything: a kind's "started" set, any requirement met, or already complete."""
    registry = current_app.extensions["lms.requirements"]
    sets = [completed_ids(program)]
    for req in program.requirements:
        kind = registry.get(req.kind)
        started = kind.started_user_ids(req.ref, program.id) if kind else None
        if started is not None:
            sets.append(started)
    sets += [c.user_ids for c in columns if c.source == "requirement"]
    return User.id.in_(union(*sets))  # one hashed lookup instead of one per set


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def scoped_members(program: Program, viewer: User | None) -> Select[Any]:
    """Members of the program that ``viewer`` may see (unit-limited admins: their units only);
    ``viewer`` None (command line) sees them all."""
    if viewer is None:
        return member_ids(program)
    return scope(member_ids(program), viewer, User.agency_id, User.unit_id)


def unit_table(program: Program, viewer: User, today: dt.date | None = None) -> ProgramFigures:
    """Per unit: assigned, started, each requirement met, outcome columns, completed. One query."""
    columns = figure_columns(program)
    exprs = [
        User.unit_id,
        func.count().label("assigned"),
        _count_if(_started_condition(program, columns)).label("started"),
        *[_count_if(column_condition(program, c)).label(c.key) for c in columns],
        _count_if(User.id.in_(completed_ids(program))).label("completed"),
    ]
    stmt = scoped_members(program, viewer).with_only_columns(*exprs).group_by(User.unit_id)
    result = db.session.execute(stmt).all()
    unit_ids = [r.unit_id for r in result if r.unit_id is not None]
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()) if unit_ids else {}
    rows = [
        UnitRow(
            r.unit_id,
            names.get(r.unit_id, "") if r.unit_id else "",
            int(r.assigned),
            int(r.started),
            {c.key: int(getattr(r, c.key)) for c in columns},
            int(r.completed),
        )
        for r in result
    ]
    rows.sort(key=lambda u: (u.percent, -u.assigned, u.unit_name.casefold()))
    total = UnitRow(
        None,
        "",
        sum(r.assigned for r in rows),
        sum(r.started for r in rows),
        {c.key: sum(r.met[c.key] for r in rows) for c in columns},
        sum(r.completed for r in rows),
    )
    today = today or jakarta_today()
    return ProgramFigures(program, columns, rows, total, (program.deadline - today).days)


def completions_per_day(program: Program, viewer: User, today: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """Completions per Jakarta calendar day, from the program's start to today (or the deadline)."""
    col = ProgramCompletion.completed_at
    if db.engine.dialect.name == "postgresql":
        day = func.date(func.timezone("Asia/Jakarta", col))
    else:  # SQLite stores UTC text; Jakarta has no daylight saving
        day = func.date(col, "+7 hours")
    members = scoped_members(program, viewer)
    stmt = (
        select(day.label("day"), func.count())
        .where(ProgramCompletion.program_id == program.id, ProgramCompletion.user_id.in_(members))
        .group_by(day)
    )
    counts: dict[dt.date, int] = {}
    for d, n in db.session.execute(stmt):
        counts[d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))] = int(n)
    today = today or jakarta_today()
    start = min([program.starts_on, *counts]) if counts else program.starts_on
    end = max([min(today, program.deadline), *counts]) if counts else min(today, program.deadline)
    if end < start:
        return []
    if (end - start).days > 366:
        start = end - dt.timedelta(days=366)
    return [
        (start + dt.timedelta(days=i), counts.get(start + dt.timedelta(days=i), 0))
        for i in range((end - start).days + 1)
    ]


def program_figures(program: Program, viewer: User, today: dt.date | None = None) -> ProgramFigures:
    figures = unit_table(program, viewer, today)
    figures.per_day = completions_per_day(program, viewer, today)
    return figures


def overall(program: Program, viewer: User) -> tuple[int, int]:
    """(assigned, completed) for one program, as one query."""
    stmt = scoped_members(program, viewer).with_only_columns(
        func.count(), _count_if(User.id.in_(completed_ids(program)))
    )
    assigned, completed = db.session.execute(stmt).one()
    return int(assigned or 0), int(completed or 0)


# --- staff ---------------------------------------------------------------------------------------


@dataclass
class StaffRow:
    id: int
    name: str
    nip: str | None
    email: str | None
    unit_name: str
    started: bool
    met: dict[str, bool]
    completed_at: dt.datetime | None
    unit_id: int | None = None


def staff_query(
    program: Program,
    viewer: User,
    columns: list[FigureColumn],
    unit_id: int | None = None,
    incomplete: bool = False,
) -> Select[Any]:
    """Members with their status per requirement; ``unit_id`` 0 means "no unit"."""
    flags = [case((column_condition(program, c), True), else_=False).label(c.key) for c in columns]
    stmt = (
        scoped_members(program, viewer)
        .with_only_columns(
            User.id,
            User.name,
            User.nip,
            User.email,
            Unit.name.label("unit_name"),
            case((_started_condition(program, columns), True), else_=False).label("started"),
            *flags,
            ProgramCompletion.completed_at,
            User.unit_id,
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(
            ProgramCompletion,
            and_(ProgramCompletion.user_id == User.id, ProgramCompletion.program_id == program.id),
        )
    )
    if unit_id == 0:
        stmt = stmt.where(User.unit_id.is_(None))
    elif unit_id is not None:
        stmt = stmt.where(User.unit_id == unit_id)
    if incomplete:
        stmt = stmt.where(ProgramCompletion.id.is_(None))
    return stmt.order_by(User.name, User.id)


def _staff_row(row: Any, columns: list[FigureColumn]) -> StaffRow:
    return StaffRow(
        row.id,
        row.name,
        row.nip,
        row.email,
        row.unit_name or "",
        bool(row.started),
        {c.key: bool(getattr(row, c.key)) for c in columns},
        row.completed_at,
        row.unit_id,
    )


def staff_page(
    program: Program,
    viewer: User,
    unit_id: int | None,
    incomplete: bool,
    page: int,
    per_page: int = 50,
) -> tuple[list[FigureColumn], Pagination]:
    """One page of members (``db.paginate``); its items are ``StaffRow``s."""
    columns = figure_columns(program)
    stmt = staff_query(program, viewer, columns, unit_id, incomplete)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    ids = list(pagination.items)  # the first column: user ids, in page order
    rows = db.session.execute(stmt.where(User.id.in_(ids))) if ids else []
    pagination.items = [_staff_row(r, columns) for r in rows]
    return columns, pagination


def iter_staff(
    program: Program, viewer: User, unit_id: int | None = None, incomplete: bool = False
) -> tuple[list[FigureColumn], Any]:
    columns = figure_columns(program)
    stmt = staff_query(program, viewer, columns, unit_id, incomplete)
    rows = db.session.execute(stmt.execution_options(yield_per=2000))
    return columns, (_staff_row(r, columns) for r in rows)


# --- national view (platform admin) ---------------------------------------------------------------


@dataclass
class NationalRow:
    agency_id: int
    agency_name: str
    staff: int
    program: Program | None
    assigned: int
    completed: int

    @property
    def percent(self) -> float:
        return self.completed / self.assigned if self.assigned else 0.0


def national_table(viewer: User) -> list[NationalRow]:
    """Per agency and open program, nationally, as two aggregates (staff per agency and unit;
    completions per program) joined in Python over agencies and programs, not users."""
    if not viewer.is_platform_admin:
        return []
    staff: dict[int, dict[int | None, int]] = {}
    for agency_id, unit_id, n in db.session.execute(
        select(User.agency_id, User.unit_id, func.count())
        .where(User.role == Role.LEARNER, User.active.is_(True), User.agency_id.is_not(None))
        .group_by(User.agency_id, User.unit_id)
    ):
        staff.setdefault(agency_id, {})[unit_id] = int(n)
    done = dict(
        db.session.execute(
            select(ProgramCompletion.program_id, func.count())
            .join(Program, Program.id == ProgramCompletion.program_id)
            .where(Program.status == ProgramStatus.OPEN)
            .group_by(ProgramCompletion.program_id)
        ).all()
    )
    programs = list(
        db.session.scalars(
            select(Program).where(Program.status == ProgramStatus.OPEN).options(selectinload(Program.election))
        )
    )
    targets: dict[int, list[int]] = {}
    for pid, uid in db.session.execute(select(program_units.c.program_id, program_units.c.unit_id)):
        targets.setdefault(pid, []).append(uid)
    agencies = dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.active.is_(True))).all())
    rows: list[NationalRow] = []
    with_program: set[int] = set()
    for p in programs:
        units = staff.get(p.agency_id, {})
        assigned = sum(units.get(u, 0) for u in targets[p.id]) if p.id in targets else sum(units.values())
        rows.append(
            NationalRow(
                p.agency_id,
                agencies.get(p.agency_id, "?"),
                sum(units.values()),
                p,
                assigned,
                min(int(done.get(p.id, 0)), assigned),
            )
        )
        with_program.add(p.agency_id)
    for agency_id, name in agencies.items():
        if agency_id not in with_program:
            rows.append(NationalRow(agency_id, name, sum(staff.get(agency_id, {}).values()), None, 0, 0))
    rows.sort(key=lambda r: (r.program is None, r.percent, -r.assigned, r.agency_name.casefold()))
    return rows


def agency_programs(agency: Agency, viewer: User) -> list[tuple[Program, int, int]]:
    """The agency's programs (open first) with (assigned, completed) each."""
    programs = db.session.scalars(
        select(Program)
        .where(Program.agency_id == agency.id)
        .options(selectinload(Program.election))
        .order_by((Program.status == ProgramStatus.OPEN).desc(), Program.deadline.desc())
    )
    return [(p, *overall(p, viewer)) for p in programs]
