"""Command line: ``lms programs remind``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

programs_cli = AppGroup("programs", help="Programs: reminders.")


@programs_cli.command("remind")
@click.argument("program_id", type=int)
@click.option("--dry-run", is_flag=True, help="List who would get a reminder; send nothing")
@with_appcontext
def remind(program_id: int, dry_run: bool) -> None:
    """E-mail members not yet complete (at most once a day each)."""
    from lms.dashboard import reminders
    from lms.db import db
    from lms.mail import mail_enabled
    from lms.models import Program

    program = db.session.get(Program, program_id)
    if program is None:
        raise click.ClickException(f"no program {program_id}")
    if dry_run:
        for r in reminders.preview_reminders(program, None):
            click.echo(f"{r.email}\t{r.locale}\t{r.name}")
        return
    if not mail_enabled():
        raise click.ClickException("MAIL_SERVER is not configured")
    queued = reminders.queue_reminders(program, None)
    db.session.commit()
    sent, failed = reminders.deliver(queued)
    click.echo(f"sent {sent} reminder(s)")
    for email in failed:
        click.echo(f"failed: {email}", err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(programs_cli)
