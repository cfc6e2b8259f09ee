"""The ``lms`` command's own texts name commands that exist."""

from __future__ import annotations

from lms import create_app
from lms.cli import restore_hint, whole_database_checks


def test_restore_hint_names_the_whole_database_checks_and_they_run(app):
    checks = whole_database_checks(app)
    assert checks == ["lms certificates verify-all", "lms pledges verify-ledger"]
    assert restore_hint(app) == (
        "Restored. Check it with `lms certificates verify-all` and `lms pledges verify-ledger`."
    )
    runner = app.test_cli_runner()
    for check in checks:
        result = runner.invoke(args=check.split()[1:])
        assert result.exit_code == 0, (check, result.output)


def test_restore_hint_leaves_out_the_checks_of_disabled_plugins(database_url):
    only_modules = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "PLUGINS": ["modules"]})
    assert whole_database_checks(only_modules) == []
    assert restore_hint(only_modules) == "Restored."
