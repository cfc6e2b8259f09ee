"""``lms modules``: import and export content packs."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, with_appcontext

from lms.db import db

modules_cli = AppGroup("modules", help="Training modules: content packs.")


@modules_cli.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@with_appcontext
def import_command(path: str) -> None:
    """Validate and import the content pack in PATH (idempotent)."""
    from modules import services
    from modules.packs import PackInvalid

    try:
        result = services.import_pack(path)
    except PackInvalid as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(f"{path.rstrip('/')}/{error}", err=True)
        click.echo(f"{len(exc.errors)} error(s); nothing imported.", err=True)
        sys.exit(1)
    db.session.commit()
    _print_checks(result.pack)
    m = result.module
    if result.created:
        click.echo(
            f"Imported {m.slug} as version {m.version} (pack version {m.pack_version}, "
            f"{len(m.lessons)} lessons, {len(m.questions)} questions)."
        )
    else:
        click.echo(f"{m.slug} is unchanged (version {m.version}); nothing to do.")


@modules_cli.command("export")
@click.argument("slug")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(file_okay=False), help="Folder to write the pack into"
)
@with_appcontext
def export_command(slug: str, output: str) -> None:
    """Write the active version of module SLUG back as a content pack."""
    from modules import services

    try:
        module = services.export_module(slug, output)
    except LookupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"Exported {module.slug} version {module.version} to {output}.")


def _print_checks(pack) -> None:
    """The question bank's properties (``modules.pack_checks``) as warnings: they never refuse."""
    from modules.pack_checks import check_pack

    if pack is None:
        return
    report = check_pack(pack)
    f = report.figures
    shares = ", ".join(f"{lang} {share:.0%}" for lang, share in f["keyed_longest_share"].items())
    click.echo(
        f"Pack check: {f['questions']} questions, {f['scenario_share']:.0%} scenarios, "
        f"{len(f['topics'])} topics, right option the longest in {shares} of the single-answer questions."
    )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
