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
        run = reminders.dry_run(program, None)
        for r in run.reminders:
            click.echo(f"{r.email}\t{r.locale}\t{r.name}")
        click.echo(
            f"not finished: {run.not_finished}, e-mail: {len(run.reminders)}, "
            f"reminded today: {run.reminded_today}, no e-mail: {run.no_email}",
            err=True,
        )
        return
    if not mail_enabled():
        raise click.ClickException("MAIL_SERVER is not configured")
    queued = reminders.queue_reminders(program, None)
    db.session.commit()
    sent, failed = reminders.deliver(queued)
    click.echo(f"sent {sent} reminder(s)")
    for email in failed:
        click.echo(f"failed: {email}", err=True)


dashboard_cli = AppGroup("dashboard", help="Dashboard: consistency of the figures.")


@dashboard_cli.command("check")
@click.argument("program_ids", type=int, nargs=-1)
@with_appcontext
def check(program_ids: tuple[int, ...]) -> None:
    """Recompute every figure per unit from the raw tables and compare it with the dashboard, the
    people list and the exports. Without PROGRAM_IDS: every program. Exit 1 on any disagreement."""
    from sqlalchemy import select

    from lms.dashboard.checks import check_program
    from lms.db import db
    from lms.models import Program

    ids = list(program_ids) or list(db.session.scalars(select(Program.id).order_by(Program.id)))
    failed = False
    for program_id in ids:
        program = db.session.get(Program, program_id)
        if program is None:
            raise click.ClickException(f"no program {program_id}")
        report = check_program(program)
        click.echo(f"program {program.id}: {program.title}: {'ok' if report.ok else 'DISAGREEMENT'}")
        for unit in report.units:
            figures = ", ".join(f"{k}={v}" for k, v in unit.items() if k != "unit")
            click.echo(f"  {unit['unit']}: {figures}")
        for problem in report.problems:
            click.echo(f"  problem: {problem}")
        for note in report.notes:
            click.echo(f"  note: {note}")
        failed = failed or not report.ok
    if failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(programs_cli)
    app.cli.add_command(dashboard_cli)
