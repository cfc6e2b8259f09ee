"""Extract translatable text of one package and update its English catalogue.

    .venv/bin/python scripts/i18n.py lms        # or modules, pledges, certificates

Indonesian is the source language; untranslated entries are listed so none are forgotten.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def main(package: str) -> int:
    pkg = ROOT / package
    pot = pkg / "translations" / "messages.pot"
    po = pkg / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    pot.parent.mkdir(parents=True, exist_ok=True)
    sources, mapping, ignore = [str(pkg)], ROOT / "babel.cfg", ".* ._"
    # Core areas with their own catalogue (lms/dashboard) keep templates in lms/templates/<area>;
    # the core's own catalogue leaves them out.
    areas = [d.parent.name for d in pkg.glob("*/translations") if d.parent != pkg]
    if areas:
        ignore += " " + " ".join(areas)
    if "/" in package.strip("/"):
        parent, area = package.strip("/").rsplit("/", 1)
        if (ROOT / parent / "templates" / area).is_dir():
            sources.append(str(ROOT / parent / "templates" / area))
    with tempfile.NamedTemporaryFile("w", suffix=".cfg") as cfg:
        if len(sources) > 1:  # paths are matched relative to each source directory
            cfg.write("[python: **.py]\n[jinja2: **.html]\n")
            cfg.flush()
            mapping = Path(cfg.name)
        babel = [str(ROOT / ".venv" / "bin" / "pybabel")]
        subprocess.run(babel + ["-q", "extract", "-F", str(mapping), "-k", "_l", "-k",
                                "lazy_gettext", "--omit-header", "--no-location", "--ignore-dirs", ignore,
                                "-o", str(pot), *sources], check=True)
    if po.exists():
        subprocess.run(babel + ["-q", "update", "-i", str(pot), "-o", str(po), "-l", "en",
                                "--no-fuzzy-matching"], check=True)
    else:
        subprocess.run(babel + ["-q", "init", "-i", str(pot), "-o", str(po), "-l", "en"], check=True)
    with po.open("rb") as fh:
        missing = [m.id for m in read_po(fh) if m.id and not (m.string if isinstance(m.string, str)
                                                              else all(m.string))]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "lms"))
