"""Registry of requirement kinds that plugins add to programs ("module X passed", "pledge Y signed").

A kind answers, for one learner, whether a requirement is met, and for dashboards, which users met it,
as one SQL query (never a loop over users in Python).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from sqlalchemy import Select


@dataclass(frozen=True)
class RequirementChoice:
    ref: str
    label: str


@dataclass(frozen=True)
class LearnerStep:
    """What the learner's checklist shows for one requirement."""

    label: str
    met: bool
    url: str | None = None  # where the learner goes to do it
    started: bool = False


class RequirementKind(ABC):
    name: str  # stored in ProgramRequirement.kind
    title: str  # shown to admins when choosing requirements

    @abstractmethod
    def choices(self, agency_id: int) -> list[RequirementChoice]:
        """What an agency admin may require (e.g. the modules available to that agency)."""

    @abstractmethod
    def label(self, ref: str) -> str:
        """Human label for a requirement, in the current locale."""

    @abstractmethod
    def met_user_ids(self, ref: str, program_id: int) -> Select[tuple[int]]:
        """SELECT of user ids who met this requirement (for one program's context)."""

    def started_user_ids(self, ref: str, program_id: int) -> Select[tuple[int]] | None:
        """SELECT of user ids who began but may not have finished it, if the kind knows."""
        return None

    def jp_hours(self, ref: str) -> float:
        """Competency-development hours (JP) this requirement is worth, printed on certificates."""
        return 0.0

    @abstractmethod
    def learner_step(self, user_id: int, ref: str, program_id: int) -> LearnerStep:
        """Status and next-step link of this requirement for one learner."""


class Registry:
    def __init__(self) -> None:
        self._kinds: dict[str, RequirementKind] = {}

    def register(self, kind: RequirementKind) -> None:
        if kind.name in self._kinds and self._kinds[kind.name] is not kind:
            raise ValueError(f"requirement kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind

    def unregister(self, kind: RequirementKind | str) -> None:
        """Remove a kind (by object or name); unknown names are ignored. Tests use it to leave
        the registry as they found it."""
        name = kind if isinstance(kind, str) else kind.name
        self._kinds.pop(name, None)

    def get(self, name: str) -> RequirementKind | None:
        return self._kinds.get(name)

    def __iter__(self):
        return iter(self._kinds.values())

    def names(self) -> list[str]:
        return list(self._kinds)


@dataclass(frozen=True)
class ProgramOutcome:
    """Something a plugin offers on a learner's program card once it exists (e.g. the certificate).

    ``final`` marks what the program ends on (the certificate): once every step is done, the card's
    big button leads to it, or says it is being prepared while it is not ready. When no outcome is
    marked final, the last one listed is (plugins are listed in order; the certificates come last)."""

    label: str
    ready: bool
    url: str | None = None
    description: str | None = None
    final: bool = False


@dataclass(frozen=True)
class OutcomeColumn:
    """A dashboard column a plugin contributes (e.g. "certified"): users of a program who have it."""

    key: str
    label: str
    user_ids: Select[tuple[int]]
