"""`lms backup` and `lms restore` round-trip the whole database."""

import shutil

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.db import Base, db
from lms.models import User
from tests.conftest import PG_URL, fresh_pg_database


def test_backup_and_restore_round_trip(app, make, tmp_path):
    agency = make.agency()
    for _ in range(3):
        make.user(agency)
    runner = app.test_cli_runner()
    target = tmp_path / "ikrar.backup"
    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    if PG_URL:
        if not shutil.which("pg_restore"):
            pytest.skip("pg_restore missing")
        restored_uri = fresh_pg_database("ikrar_restore_test")
    else:
        restored_uri = f"sqlite:///{tmp_path / 'restored.db'}"
    restored = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": restored_uri})
    result = restored.test_cli_runner().invoke(args=["restore", str(target)])
    assert result.exit_code == 0, result.output
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 3
        assert set(Base.metadata.tables) <= set(db.inspect(db.session.connection()).get_table_names())
        db.engine.dispose()
    again = restored.test_cli_runner().invoke(args=["restore", str(target)])
    if not PG_URL:
        assert again.exit_code != 0 and "empty database" in again.output
