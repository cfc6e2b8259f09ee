"""The ``module`` requirement kind: ref = module slug; met = a passed attempt on any version."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from lms.db import db
from lms.requirements import LearnerStep, RequirementChoice, RequirementKind
from modules import reading, services
from modules.models import TrainingModule
from modules.rendering import tr


class ModuleRequirement(RequirementKind):
    name = "module"
    title = _l("Lulus modul pelatihan")

    def choices(self, agency_id: int) -> list[RequirementChoice]:
        modules = db.session.scalars(
            select(TrainingModule).where(TrainingModule.active.is_(True)).order_by(TrainingModule.slug)
        )
        return [RequirementChoice(m.slug, tr(m.title)) for m in modules]

    def label(self, ref: str) -> str:
        """The module's title, a noun phrase certificates print (never an instruction). A module
        not imported yet: a generic title, never its slug."""
        module = services.active_module(ref) or services.newest(ref)
        return tr(module.title) if module else str(_l("Modul pelatihan"))

    def met_user_ids(self, ref: str, program_id: int) -> Select[tuple[int]]:
        return services.passed_user_ids(ref)

    def started_user_ids(self, ref: str, program_id: int) -> Select[tuple[int]] | None:
        return services.started_user_ids(ref)

    def jp_hours(self, ref: str) -> float:
        module = services.active_module(ref) or services.newest(ref)
        return reading.jp_hours(module) if module else 0.0

    def learner_step(self, user_id: int, ref: str, program_id: int) -> LearnerStep:
        met = services.has_passed(user_id, ref)
        started = met or bool(services.attempts_of(user_id, ref)) or bool(services.read_lesson_keys(user_id, ref))
        exists = services.active_module(ref) is not None
        return LearnerStep(
            label=str(_l("Lulus modul: %(t)s", t=self.label(ref))),
            met=met,
            started=started,
            url=url_for("modules.module_page", slug=ref) if exists else None,
        )
