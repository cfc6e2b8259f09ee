"""Programs: who must do what by when, and recording completion once every requirement is met."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.exc import IntegrityError

from lms.db import db
from lms.models import (
    Agency,
    Election,
    Program,
    ProgramCompletion,
    ProgramRequirement,
    ProgramStatus,
    Role,
    Unit,
    User,
    program_units,
)
from lms.requirements import LearnerStep, ProgramOutcome, Registry
from lms.services import ServiceError, audit
from lms.services import elections as election_service
from lms.signals import program_completed


class ProgramError(ServiceError):
    pass


def registry() -> Registry:
    return current_app.extensions["lms.requirements"]


def member_ids(program: Program) -> Select[tuple[int]]:
    """SELECT of the learners a program applies to: active learners of its agency, in its target
    units (or all units when none is chosen)."""
    stmt = select(User.id).where(User.agency_id == program.agency_id, User.role == Role.LEARNER, User.active.is_(True))
    has_targets = exists().where(program_units.c.program_id == program.id)
    targeted = User.unit_id.in_(select(program_units.c.unit_id).where(program_units.c.program_id == program.id))
    return stmt.where(or_(~has_targets, targeted))


def is_member(program: Program, user: User) -> bool:
    return db.session.scalar(select(member_ids(program).where(User.id == user.id).exists())) or False


@dataclass
class ProgramInput:
    title: str
    description: str | None
    starts_on: dt.date
    deadline: dt.date
    status: ProgramStatus
    unit_ids: list[int] = field(default_factory=list)
    requirements: list[tuple[str, str]] = field(default_factory=list)  # (kind, ref)
    election_id: int | None = None


def _validate(agency: Agency, data: ProgramInput) -> list[Unit]:
    if not data.title.strip():
        raise ProgramError(_l("Judul program wajib diisi."), "title")
    election = db.session.get(Election, data.election_id) if data.election_id is not None else None
    if election is None:
        raise ProgramError(_l("Pilih pemilihan yang menjadi dasar program ini."), "election_id")
    if data.deadline < data.starts_on:
        raise ProgramError(_l("Batas waktu tidak boleh sebelum tanggal mulai."), "deadline")
    if data.deadline > election.voting_day:
        raise ProgramError(
            _l(
                "Batas waktu tidak boleh setelah hari pemungutan suara pemilihan ini (%(day)s): "
                "sosialisasi netralitas harus selesai sebelum pemungutan suara.",
                day=election.voting_day.strftime("%d-%m-%Y"),
            ),
            "deadline",
        )
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(data.unit_ids or [-1]))))
    if any(u.agency_id != agency.id for u in units) or len(units) != len(set(data.unit_ids)):
        raise ProgramError(_l("Unit sasaran tidak dikenal."), "unit_ids")
    reg = registry()
    for kind, ref in data.requirements:
        k = reg.get(kind)
        if k is None or ref not in {c.ref for c in k.choices(agency.id)}:
            raise ProgramError(_l("Persyaratan tidak dikenal: %(r)s", r=kind + ":" + ref), "requirements")
    if data.status == ProgramStatus.OPEN and not data.requirements:
        raise ProgramError(_l("Program yang dibuka harus punya minimal satu persyaratan."), "requirements")
    return units


def save_program(
    agency: Agency, data: ProgramInput, actor: User, program: Program | None = None, ip: str | None = None
) -> Program:
    units = _validate(agency, data)
    creating = program is None
    if program is None:
        program = Program(agency_id=agency.id)
        db.session.add(program)
    program.title = data.title.strip()
    program.election_id = data.election_id
    program.description = (data.description or "").strip() or None
    program.starts_on, program.deadline, program.status = data.starts_on, data.deadline, data.status
    program.target_units = units
    wanted = list(dict.fromkeys(data.requirements))
    current = {(r.kind, r.ref): r for r in program.requirements}
    program.requirements = [current.get(key) or ProgramRequirement(kind=key[0], ref=key[1]) for key in wanted]
    for position, req in enumerate(program.requirements):
        req.position = position
    db.session.flush()
    audit.record(
        "program.created" if creating else "program.updated",
        actor=actor,
        agency_id=agency.id,
        target_type="program",
        target_id=program.id,
        ip=ip,
    )
    return program


def elections() -> list[Election]:
    """Every election, the coming ones first (nearest voting day first), then past ones."""
    return election_service.coming_first()


def open_programs_for(user: User, today: dt.date | None = None) -> list[Program]:
    """Open programs that apply to this learner, nearest deadline first."""
    if user.agency_id is None or user.role != Role.LEARNER:
        return []
    programs = db.session.scalars(
        select(Program)
        .where(Program.agency_id == user.agency_id, Program.status == ProgramStatus.OPEN)
        .order_by(Program.deadline)
    )
    return [p for p in programs if is_member(p, user)]


def requirement_steps(user: User, program: Program) -> list[LearnerStep]:
    reg = registry()
    steps = []
    for req in program.requirements:
        kind = reg.get(req.kind)
        if kind is None:  # plugin disabled: show it as not checkable rather than crash
            steps.append(LearnerStep(label=f"{req.kind}: {req.ref}", met=False))
        else:
            steps.append(kind.learner_step(user.id, req.ref, program.id))
    return steps


def outcomes(user: User, program: Program) -> list[ProgramOutcome]:
    items: list[ProgramOutcome] = []
    for plugin in current_app.extensions["lms.plugins"].values():
        items.extend(plugin.program_outcomes(user, program))
    return items


@dataclass(frozen=True)
class ProgramCard:
    """What the learner's program card shows: the checklist, the outcomes and the big button.

    ``next`` is the first step still to do; once every step is done it is the program's final
    outcome (the certificate). ``preparing`` is that final outcome when it is not ready yet."""

    program: Program
    steps: list[LearnerStep]
    outcomes: list[ProgramOutcome]
    done: bool
    next: LearnerStep | ProgramOutcome | None = None
    preparing: ProgramOutcome | None = None

    @property
    def ends(self) -> bool:
        """The big button downloads what the program ends on (every step is done)."""
        return isinstance(self.next, ProgramOutcome)


def final_outcome(items: list[ProgramOutcome]) -> ProgramOutcome | None:
    """The outcome the program ends on: the one marked ``final``, else the last one listed."""
    return next((o for o in items if o.final), items[-1] if items else None)


def card_for(user: User, program: Program) -> ProgramCard:
    steps = requirement_steps(user, program)
    items = outcomes(user, program)
    done = completion_of(user.id, program.id) is not None
    todo = next((s for s in steps if not s.met and s.url), None)
    if todo is not None and not done:
        return ProgramCard(program, steps, items, done, next=todo)
    if done or (steps and all(s.met for s in steps)):
        final = final_outcome(items)
        if final is not None and final.ready and final.url:
            return ProgramCard(program, steps, items, done, next=final)
        return ProgramCard(program, steps, items, done, preparing=final)
    return ProgramCard(program, steps, items, done)


def completion_of(user_id: int, program_id: int) -> ProgramCompletion | None:
    return db.session.scalar(
        select(ProgramCompletion).where(
            ProgramCompletion.program_id == program_id, ProgramCompletion.user_id == user_id
        )
    )


def complete_if_done(user: User, program: Program) -> ProgramCompletion | None:
    """Record the completion once (a unique constraint makes it safe under concurrent requests)
    and send ``program_completed``. Returns the completion, new or existing, or None."""
    existing = completion_of(user.id, program.id)
    if existing is not None:
        return existing
    if program.status != ProgramStatus.OPEN or not is_member(program, user):
        return None
    if not met_every_requirement(user.id, program):
        return None
    completion = ProgramCompletion(program_id=program.id, user_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:  # another request recorded it first
        return completion_of(user.id, program.id)
    program_completed.send(
        current_app._get_current_object(), user_id=user.id, program_id=program.id, completion_id=completion.id
    )
    return completion


def met_every_requirement(user_id: int, program: Program) -> bool:
    reg = registry()
    if not program.requirements:
        return False
    for req in program.requirements:
        kind = reg.get(req.kind)
        if kind is None:
            return False
        met = kind.met_user_ids(req.ref, program.id).subquery()
        if not db.session.scalar(select(select(met).where(met.c[0] == user_id).exists())):
            return False
    return True


def on_requirement_met(sender: object, user_id: int, kind: str, ref: str) -> None:
    """Receiver of ``requirement_met``: re-check the learner's open programs that need it."""
    user = db.session.get(User, user_id)
    if user is None or user.agency_id is None:
        return
    programs = db.session.scalars(
        select(Program)
        .join(ProgramRequirement)
        .where(
            Program.agency_id == user.agency_id,
            Program.status == ProgramStatus.OPEN,
            ProgramRequirement.kind == kind,
            ProgramRequirement.ref == ref,
        )
    )
    for program in programs:
        complete_if_done(user, program)
