"""Extract translatable text of one package and update its English catalogue.

    .venv/bin/python scripts/i18n.py lms        # or lms/dashboard, lms/staff, modules, pledges,
                                                # certificates

Indonesian is the source language; untranslated entries are listed so none are forgotten.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def main(package: str) -> int:
    pkg = ROOT / package
    pot = pkg / "translations" / "messages.pot"
    po = pkg / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    pot.parent.mkdir(parents=True, exist_ok=True)
    # A core area with its own catalogue (lms/dashboard, lms/staff) is a package like any other,
    # templates included; the catalogue of the package around it leaves it out.
    ignore = " ".join([".*", "._"] + [d.parent.name for d in pkg.glob("*/translations") if d.parent != pkg])
    babel = [str(ROOT / ".venv" / "bin" / "pybabel")]
    subprocess.run(
        babel
        + [
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--omit-header",
            "--no-location",
            "--ignore-dirs",
            ignore,
            "-o",
            str(pot),
            str(pkg),
        ],
        check=True,
    )
    if po.exists():
        subprocess.run(
            babel + ["-q", "update", "-i", str(pot), "-o", str(po), "-l", "en", "--no-fuzzy-matching"], check=True
        )
    else:
        subprocess.run(babel + ["-q", "init", "-i", str(pot), "-o", str(po), "-l", "en"], check=True)
    with po.open("rb") as fh:
        missing = [m.id for m in read_po(fh) if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "lms"))
