"""The wording of a pledge text: its canonical form (what a version's hash covers), the filling of
its placeholders for one signer (the election of the program, the signer's employment type) and
the reading back of the values a signer saw from a stored signed text."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from lms.models import Election, EmploymentType, Program, User
from pledges.models import PledgeSignature, PledgeText

PLACEHOLDER_RE = re.compile(r"\{(agency|election|election_en|year|employee|employee_en|sanctions|sanctions_en)\}")
# The signer-dependent values follow the signed body in the canonical text, after this line.
WORDING_MARKER = "\n\n---\nMenurut jenis kepegawaian penanda tangan / By the signer's employment type:\n"
EMPLOYMENT_ORDER = (EmploymentType.PNS.value, EmploymentType.PPPK.value, EmploymentType.NON_ASN.value)


def canonical_text(fields: dict[str, Any]) -> str:
    """The exact wording of a pledge text version (both languages), placeholders left unfilled,
    then (when the version has them) the values of its signer-dependent placeholders per
    employment type."""
    lines = [fields["title_id"], "", fields["preamble_id"], ""]
    lines += [f"{i}. {c['text_id']}" for i, c in enumerate(fields["commitments"], 1)]
    if fields.get("closing_id"):
        lines += ["", fields["closing_id"]]
    lines += ["", "---", "English translation:", "", fields["title_en"], "", fields["preamble_en"], ""]
    lines += [f"{i}. {c['text_en']}" for i, c in enumerate(fields["commitments"], 1)]
    if fields.get("closing_en"):
        lines += ["", fields["closing_en"]]
    if fields.get("signer_name") or fields.get("signer_title"):
        lines += [
            "",
            "Mengetahui / Acknowledged by:",
            " ".join(x for x in (fields.get("signer_title"), fields.get("signer_name")) if x),
        ]
    body = "\n".join(lines)
    wording = fields.get("employment_wording")
    if not wording:
        return body
    values = [
        f"{{{name}}} [{kind}]: {wording[name].get(kind, '')}" for name in sorted(wording) for kind in EMPLOYMENT_ORDER
    ]
    return body + WORDING_MARKER + "\n".join(values)


def signing_body(pledge_text: PledgeText) -> str:
    """The part of the canonical text a signer reads and signs (without the per-type values)."""
    if not pledge_text.employment_wording:
        return pledge_text.canonical_text
    return pledge_text.canonical_text.rpartition(WORDING_MARKER)[0]


def election_name(election: Election, lang: str) -> str:
    """The election's full name as it reads after "dalam penyelenggaraan" / "during the"; it
    carries the year (added when the stored name lacks it)."""
    year = str(election.year)
    if lang == "en" and election.name_en:
        name = election.name_en.strip()
        return name if year in name else f"{year} {name}"
    name = election.name.strip()
    return name if year in name else f"{name} Tahun {year}"


def employment_type_of(user: User) -> str:
    return EmploymentType(user.employment_type).value


def placeholders(program: Program, user: User, pledge_text: PledgeText) -> dict[str, str]:
    """The values shown to ``user`` signing ``pledge_text`` for ``program``: the program's election
    (never a deadline) and the wording for the signer's employment type."""
    election = program.election
    values = {
        "{agency}": program.agency.name,
        "{election}": election_name(election, "id"),
        "{election_en}": election_name(election, "en"),
        "{year}": str(election.year),
    }
    kind = employment_type_of(user)
    for name, per_type in (pledge_text.employment_wording or {}).items():
        values[f"{{{name}}}"] = per_type.get(kind, "")
    return values


def fill_values(text_: str | None, values: dict[str, str]) -> str:
    """``text_`` with each placeholder replaced by its value, in one pass (a value that happens to
    contain a placeholder is never filled again)."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(0), m.group(0)), text_ or "")


def fill(text_: str | None, program: Program, user: User, pledge_text: PledgeText) -> str:
    """Fill with the program's and the signer's live values: only for the text about to be signed."""
    return fill_values(text_, placeholders(program, user, pledge_text))


def shown_text(pledge_text: PledgeText, program: Program, user: User) -> str:
    """The exact text the signing form shows ``user`` and a signature stores."""
    return fill(signing_body(pledge_text), program, user, pledge_text)


def signed_values(sig: PledgeSignature, pledge_text: PledgeText) -> dict[str, str] | None:
    """The placeholder values the signer saw, read back from the stored signed text (never from
    the program as it is now). ``None`` when the stored text cannot be split along its pledge
    text; it is then shown as it is. Filling the pledge text with the values found must give the
    stored text back character for character, so every filled part shown is a part of what was
    signed."""
    body = signing_body(pledge_text)
    pattern: list[str] = []
    seen: set[str] = set()
    for i, part in enumerate(PLACEHOLDER_RE.split(body)):
        if i % 2 == 0:
            pattern.append(re.escape(part))
        elif part in seen:
            pattern.append(f"(?P={part})")
        else:
            seen.add(part)
            pattern.append(f"(?P<{part}>[^\n]*?)")
    match = re.fullmatch("".join(pattern), sig.shown_text)
    if match is None:
        return None
    values = {f"{{{name}}}": value for name, value in match.groupdict().items()}
    if fill_values(body, values) != sig.shown_text:
        return None
    return values


def number_label(employment_type: str | None) -> Any:
    """What the signer's number is called: NIP for a PNS, NI PPPK for a PPPK, none for non-ASN
    staff (who have no such number)."""
    if employment_type == EmploymentType.PNS.value:
        return _l("NIP")
    if employment_type == EmploymentType.PPPK.value:
        return _l("NI PPPK")
    return None


def election_snapshot(election: Election) -> dict[str, Any]:
    """What a signature records of the election it was signed for (receipts show it)."""
    return {
        "id": election.id,
        "kind": election.kind.value,
        "name": election.name,
        "name_en": election.name_en,
        "voting_day": election.voting_day.isoformat(),
        "region": election.region,
    }


def election_display_name(snapshot: dict[str, Any] | None) -> str | None:
    """An election's recorded name in the page's language (the Indonesian one when there is no
    English name)."""
    if not snapshot:
        return None
    locale = get_locale()
    if locale is not None and locale.language == "en" and snapshot.get("name_en"):
        return snapshot["name_en"]
    return snapshot.get("name")
