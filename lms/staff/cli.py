"""Command line: ``lms users import`` (added to the core's ``users`` group)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select


def _print_preview(preview) -> None:
    click.echo(
        f"rows: {preview.total_rows}  create: {preview.to_create}  update: {preview.to_update}"
        f"  unchanged: {preview.unchanged}  bad rows: {len(preview.errors)}"
    )
    if preview.new_units:
        click.echo("units to create: " + ", ".join(preview.new_units))
    if preview.missing_units:
        click.echo("unknown units (use --create-units): " + ", ".join(preview.missing_units))
    for e in preview.errors:
        click.echo(f"  line {e.line} [{e.column}]: {e.message}", err=True)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_code", required=True, help="Agency code")
@click.option("--dry-run", is_flag=True, help="Only print the preview")
@click.option("--create-units", is_flag=True, help="Create units named in the file that do not exist")
@with_appcontext
def import_staff(file: Path, agency_code: str, dry_run: bool, create_units: bool) -> None:
    """Import staff from a CSV or XLSX file (all rows or none)."""
    from lms.db import db
    from lms.models import Agency
    from lms.staff.importer import ImportFileError, apply_import, build_preview

    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code.upper()))
    if agency is None:
        raise click.ClickException(f"unknown agency code {agency_code!r}")
    data = file.read_bytes()
    with click.progressbar(length=100, label="checking rows") as bar:

        def validate_progress(phase: str, done: int, total: int) -> None:
            bar.update(int(100 * done / max(total, 1)) - bar.pos)

        try:
            preview = build_preview(agency, file.name, data, create_units, progress=validate_progress)
        except ImportFileError as exc:
            raise click.ClickException(str(exc)) from None
    _print_preview(preview)
    if preview.errors:
        raise click.ClickException("nothing imported: fix the rows above")
    if dry_run:
        click.echo("dry run: nothing written")
        return
    with click.progressbar(length=max(preview.to_create + preview.to_update, 1), label="writing") as bar:
        counts = apply_import(agency, preview, None, progress=lambda phase, done, total: bar.update(done - bar.pos))
    db.session.commit()
    click.echo("imported: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def init_app(app: Flask) -> None:
    users = app.cli.commands.get("users")
    if isinstance(users, click.Group) and "import" not in users.commands:
        users.add_command(import_staff)
