"""The ``lms`` command: Flask's CLI with Ikrar's groups (db, demo, users, keys)."""

from __future__ import annotations

import getpass
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

db_cli = AppGroup("db", help="Database migrations.")
users_cli = AppGroup("users", help="Accounts.")
keys_cli = AppGroup("keys", help="The deployment's Ed25519 signing keys.")


def _create_app() -> Flask:
    from lms import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Ikrar: sosialisasi netralitas ASN."""


@db_cli.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every package's migrations (alembic upgrade heads)."""
    from alembic import command

    from lms.migrate import alembic_config

    command.upgrade(alembic_config(current_app._get_current_object()), "heads")
    click.echo("Database is up to date.")


@db_cli.command("check")
@with_appcontext
def db_check() -> None:
    """Fail if the models and the migrations disagree (alembic check)."""
    from alembic import command

    from lms.migrate import alembic_config

    command.check(alembic_config(current_app._get_current_object()))
    click.echo("No drift between models and migrations.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--branch", default="lms", show_default=True, help="lms or a plugin name")
@with_appcontext
def db_revision(message: str, branch: str) -> None:
    """Autogenerate a migration on one package's branch."""
    from alembic import command

    from lms.migrate import alembic_config

    command.revision(
        alembic_config(current_app._get_current_object()), message=message, autogenerate=True, head=f"{branch}@head"
    )


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--agency", "agency_code", default=None, help="Agency code; omit for a platform admin")
@click.option("--password", default=None, help="Prompted if omitted")
@with_appcontext
def create_admin(email: str, name: str, agency_code: str | None, password: str | None) -> None:
    """Create a platform admin, or an agency admin with --agency."""
    from sqlalchemy import select

    from lms.db import db
    from lms.models import Agency, EmploymentType, Role, User
    from lms.security import hash_password
    from lms.services.accounts import AccountError, check_password_strength

    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code.upper()))
        if agency is None:
            raise click.ClickException(f"unknown agency code {agency_code!r}")
    if db.session.scalar(select(User).where(User.email == email.lower())):
        raise click.ClickException(f"an account with e-mail {email} already exists")
    if password is None:
        if not sys.stdin.isatty():
            raise click.ClickException("--password is required when not run interactively")
        password = getpass.getpass("Password: ")
    try:
        check_password_strength(password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    from lms.db import utcnow

    db.session.add(
        User(
            email=email.lower(),
            name=name,
            employment_type=EmploymentType.NON_ASN,
            role=Role.AGENCY_ADMIN if agency else Role.PLATFORM_ADMIN,
            agency_id=agency.id if agency else None,
            password_hash=hash_password(password),
            activated_at=utcnow(),
        )
    )
    db.session.commit()
    click.echo(f"Created {'agency' if agency else 'platform'} admin {email}.")


@keys_cli.command("rotate")
@with_appcontext
def keys_rotate() -> None:
    """Create a new signing key; the old one is retired but stays listed for verification."""
    from lms import keys
    from lms.db import db

    row = keys.create_key()
    db.session.commit()
    click.echo(f"New active key {row.kid}.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed the demo: two agencies, admins, learners, programs, and each plugin's data."""
    from lms.demo import seed_demo

    for line in seed_demo(current_app._get_current_object()):
        click.echo(line)


@click.command("backup")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    help="File to write (SQLite database copy, or pg_dump custom format)",
)
@with_appcontext
def backup_command(output: str) -> None:
    """Write a consistent backup of the whole database."""
    from pathlib import Path

    from lms.backup import BackupError, backup

    try:
        path = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(output))
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(source: str) -> None:
    """Restore a backup into the configured (empty) database."""
    from pathlib import Path

    from lms.backup import BackupError, restore
    from lms.db import db

    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(source))
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(restore_hint(current_app._get_current_object()))


def whole_database_checks(app: Flask) -> list[str]:
    """The ``lms <group> verify-…`` commands that need no argument: each checks every stored row of
    its package (e.g. the pledge ledger, the certificate PDFs), so they are what to run after a restore."""
    found = []
    for group_name, group in sorted(app.cli.commands.items()):
        if isinstance(group, click.Group):
            found += [
                f"lms {group_name} {name}"
                for name, command in sorted(group.commands.items())
                if name.startswith("verify-") and not any(p.required for p in command.params)
            ]
    return found


def restore_hint(app: Flask) -> str:
    checks = whole_database_checks(app)
    if not checks:
        return "Restored."
    return "Restored. Check it with " + " and ".join(f"`{c}`" for c in checks) + "."


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for background jobs (needs LMS_REDIS_URL); the app stays warm."""
    from redis import Redis
    from rq import Queue, Worker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("LMS_REDIS_URL is not set: jobs run in-process, no worker needed")
    connection = Redis.from_url(url)
    queue = Queue(current_app.config["JOB_QUEUE"], connection=connection)
    Worker([queue], connection=connection).work(burst=burst, with_scheduler=False)


def init_app(app: Flask) -> None:
    for group in (db_cli, users_cli, keys_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(worker_command)
