"""Autogenerate a migration on one package's branch.

    .venv/bin/python scripts/new_migration.py PACKAGE "message"

PACKAGE is ``lms`` or a plugin name. The first revision of a plugin starts its own branch (label =
plugin name) that depends on the core's first revision. A scratch SQLite database is upgraded to
heads first, so only the package's new changes are written.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from lms import create_app
from lms.migrate import MIGRATIONS_DIR, ROOT, alembic_config


def main(package: str, message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/m.db"})
        with app.app_context():
            cfg = alembic_config(app)
            command.upgrade(cfg, "heads")
            script = ScriptDirectory.from_config(cfg)
            version_dir = (
                MIGRATIONS_DIR / "versions" if package == "lms" else ROOT / package / "migrations" / "versions"
            )
            version_dir.mkdir(parents=True, exist_ok=True)
            existing = sorted(version_dir.glob("*.py"))
            slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40]
            rev_id = f"{package}_{len(existing) + 1:04d}"
            has_branch = any(package in (s.branch_labels or ()) for s in script.walk_revisions())
            if has_branch:
                command.revision(cfg, message=message, autogenerate=True, head=f"{package}@head", rev_id=rev_id)
            else:
                command.revision(
                    cfg,
                    message=message,
                    autogenerate=True,
                    head="base",
                    branch_label=package,
                    version_path=str(version_dir),
                    depends_on="0001_core",
                    rev_id=rev_id,
                )
    print(f"written {rev_id} ({slug}) in {Path(version_dir).relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
