"""Consistency check of a program's figures (``lms dashboard check``): every figure of the unit
table is recomputed here from the raw tables (users, target units, completions and each
requirement's and plugin's own set of user ids, read into Python sets), then compared with what
the dashboard, the people list and the exports show. Read only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from lms.dashboard import services
from lms.db import db
from lms.models import Program, ProgramCompletion, Role, Unit, User, program_units


@dataclass
class CheckReport:
    program_id: int
    units: list[dict[str, object]] = field(default_factory=list)  # recomputed figures per unit
    problems: list[str] = field(default_factory=list)  # disagreements: exit 1
    notes: list[str] = field(default_factory=list)  # worth knowing, not a disagreement

    @property
    def ok(self) -> bool:
        return not self.problems


def _ids(stmt) -> set[int]:
    return {uid for (uid,) in db.session.execute(stmt) if uid is not None}


def check_program(program: Program) -> CheckReport:
    report = CheckReport(program.id)
    targets = _ids(select(program_units.c.unit_id).where(program_units.c.program_id == program.id))
    people = db.session.execute(
        select(User.id, User.unit_id, User.role, User.active).where(User.agency_id == program.agency_id)
    ).all()
    members = {
        uid: unit_id
        for uid, unit_id, role, active in people
        if role == Role.LEARNER and active and (not targets or unit_id in targets)
    }
    completed = _ids(select(ProgramCompletion.user_id).where(ProgramCompletion.program_id == program.id))
    columns = services.figure_columns(program)
    sets = {c.key: _ids(c.user_ids) for c in columns}
    registry = current_app.extensions["lms.requirements"]
    started = set(completed)
    for req in program.requirements:
        kind = registry.get(req.kind)
        if kind is None:
            report.notes.append(f"requirement {req.kind}:{req.ref}: its plugin is not enabled")
            continue
        extra = kind.started_user_ids(req.ref, program.id)
        if extra is not None:
            started |= _ids(extra)
    for c in columns:
        if c.source == "requirement":
            started |= sets[c.key]

    expected: dict[int | None, Counter[str]] = {}
    for uid, unit_id in members.items():
        row = expected.setdefault(unit_id, Counter())
        row["assigned"] += 1
        row["started"] += uid in started
        row["completed"] += uid in completed
        for c in columns:
            met = uid in sets[c.key]
            if c.source == "outcome":
                if met and uid not in completed:
                    report.problems.append(f"user {uid}: {c.label} without a completion of the program")
                met = met and uid in completed
            row[c.key] += met

    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == program.agency_id)).all())
    figures = services.unit_table(program, None)  # None: every unit
    shown = {r.unit_id: r for r in figures.rows}
    keys = ["assigned", "started", *[c.key for c in columns], "completed"]
    labels = {"assigned": "Pegawai", "started": "Sudah mulai", "completed": "Selesai"}
    labels |= {c.key: str(c.label) for c in columns}
    for unit_id in sorted(set(expected) | set(shown), key=lambda u: (u is None, names.get(u, ""))):
        want = expected.get(unit_id, Counter())
        row = shown.get(unit_id)
        got = {"assigned": row.assigned, "started": row.started, "completed": row.completed, **row.met} if row else {}
        unit_name = names.get(unit_id, "(tanpa unit)") if unit_id is not None else "(tanpa unit)"
        report.units.append({"unit": unit_name, **{k: want[k] for k in keys}})
        for key in keys:
            if got.get(key, 0) != want[key]:
                report.problems.append(
                    f"{unit_name}: {labels[key]} dashboard {got.get(key, 0)}, recomputed {want[key]}"
                )
        for c in columns:
            if c.source == "outcome" and want[c.key] > want["completed"]:
                report.problems.append(f"{unit_name}: {labels[c.key]} {want[c.key]} > Selesai {want['completed']}")
        listed = _people_listed(program, unit_id)
        if listed != want["assigned"]:
            report.problems.append(f"{unit_name}: people list {listed}, recomputed {want['assigned']}")

    outside = completed - set(members)
    if outside:
        report.notes.append(f"{len(outside)} completion(s) of people no longer members (not counted)")
    requirement_keys = [c.key for c in columns if c.source == "requirement"]
    unmet = [uid for uid in completed & set(members) if not all(uid in sets[k] for k in requirement_keys)]
    if unmet:
        report.notes.append(f"{len(unmet)} completed member(s) no longer meet every requirement")
    return report


def _people_listed(program: Program, unit_id: int | None) -> int:
    """Rows of the people list (and so of the staff export) for one unit."""
    _columns, rows = services.iter_staff(program, None, 0 if unit_id is None else unit_id)
    return sum(1 for _row in rows)
