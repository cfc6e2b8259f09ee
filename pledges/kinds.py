"""The ``pledge`` requirement kind: "pledge <key> signed" (any version of its pledge text)."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select

from lms.requirements import LearnerStep, RequirementChoice, RequirementKind
from pledges import services


def get_locale_name() -> str:
    locale = get_locale()
    return locale.language if locale else "id"


class PledgeKind(RequirementKind):
    name = "pledge"
    title = "Pakta Integritas"

    def choices(self, agency_id: int) -> list[RequirementChoice]:
        return [RequirementChoice(ref=key, label=self.label(key)) for key in services.text_keys(agency_id)]

    def label(self, ref: str) -> str:
        """A title for lists and certificates: what was done, as a noun phrase, never the key."""
        if ref == services.DEFAULT_KEY:
            return _("Penandatanganan Pakta Integritas Netralitas ASN")
        title = services.text_title(ref, get_locale_name())
        if title:
            return _("Penandatanganan %(title)s", title=title)
        return _("Penandatanganan Pakta Integritas")

    def met_user_ids(self, ref: str, program_id: int) -> Select[tuple[int]]:
        return services.signed_user_ids(program_id, ref)

    def learner_step(self, user_id: int, ref: str, program_id: int) -> LearnerStep:
        sig = services.find_signature(user_id, program_id, ref)
        if sig is not None:
            return LearnerStep(
                label=_("Pakta Integritas ditandatangani"),
                met=True,
                url=url_for("pledges.receipt", signature_id=sig.id),
            )
        return LearnerStep(
            label=_("Tanda tangani Pakta Integritas"),
            met=False,
            url=url_for("pledges.sign", program_id=program_id, key=ref),
        )
