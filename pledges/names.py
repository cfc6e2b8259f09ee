"""Typed-name signatures: a name matches the account's without academic titles or degrees
(gelar) before or after it, ignoring case and extra spaces ("Siti Rahmawati" matches
"Siti Rahmawati, S.Pd.")."""

from __future__ import annotations

import re
import unicodedata

# Titles and degrees written without an inner dot (the dots are optional when typed): before the
# name (Dr., Drs., H., Hj., Prof., ...) and after it (S.Pd. may be typed SPd).
TITLES = frozenset(
    [
        "dr",
        "drs",
        "dra",
        "ir",
        "prof",
        "h",
        "hj",
        "kh",
        "ns",
        "apt",
        "drg",
        "bc",
        "hc",
        "spd",
        "se",
        "sh",
        "st",
        "ssi",
        "ssos",
        "skom",
        "sked",
        "sip",
        "sag",
        "shi",
        "sthi",
        "sos",
        "sp",
        "sfarm",
        "skep",
        "skm",
        "sikom",
        "sgz",
        "stp",
        "spt",
        "shut",
        "mpd",
        "msi",
        "mm",
        "mh",
        "mt",
        "mkes",
        "mkom",
        "mag",
        "msc",
        "ma",
        "mba",
        "phd",
        "amd",
        "amdkep",
        "amdkeb",
        "amdkes",
        "amdfarm",
        "amak",
    ]
)
# A degree abbreviation with dots between its parts: S.Pd., A.Md.Kep., M.Si., S.E., Ph.D.
DOTTED = re.compile(r"^[^\W\d_]{1,5}(\.[^\W\d_]{1,5})+\.?$")


def _is_title(token: str) -> bool:
    return (
        bool(DOTTED.match(token)) or token.rstrip(".").replace(".", "") in TITLES and ("." in token or len(token) > 1)
    )


def bare_name(name: str) -> str:
    """The name without titles and degrees, case-folded, single-spaced."""
    text = unicodedata.normalize("NFKC", name).casefold()
    head, *tail = text.split(",")
    words = head.split()
    while words and _is_title(words[0]):
        words.pop(0)
    while words and _is_title(words[-1]):
        words.pop()
    # After a comma come degrees only; anything else typed there still has to match.
    rest = [w for part in tail for w in part.split() if not _is_title(w)]
    return " ".join(words + rest)


def names_match(typed: str, account_name: str) -> bool:
    """Does the typed name match the account's, with or without titles and degrees?"""
    typed_bare = bare_name(typed)
    return bool(typed_bare) and typed_bare == bare_name(account_name)
