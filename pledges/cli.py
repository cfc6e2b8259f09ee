"""``lms pledges``: verify the ledger and publish signed checkpoints."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from lms.db import db

pledges_cli = AppGroup("pledges", help="Pakta Integritas: ledger verification and checkpoints.")


@pledges_cli.command("verify-ledger")
def verify_ledger() -> None:
    """Recompute every entry, record, seal and link; exit 1 at the first bad entry."""
    from pledges import ledger

    result = ledger.verify_ledger()
    db.session.rollback()
    if result.ok:
        click.echo(f"OK: {result.entries} entries, head {result.head_hash}, {result.checkpoints} checkpoints hold")
        return
    click.echo(f"BAD: entry seq {result.bad_seq}: {result.problem}", err=True)
    click.echo(
        f"verified {result.entries} entries before the first bad one" if result.entries else "ledger is not valid"
    )
    sys.exit(1)


@pledges_cli.command("checkpoint")
def checkpoint() -> None:
    """Create a signed checkpoint (size, head hash, Merkle root, time) and print it as JSON."""
    from pledges import ledger

    cp = ledger.create_checkpoint()
    data = ledger.checkpoint_json(cp)
    db.session.commit()
    click.echo(json.dumps(data, indent=2, sort_keys=True))


@pledges_cli.command("publish-default")
def publish_default() -> None:
    """Store the shipped default pact as a new platform version when its wording changed (run after
    an upgrade). Agencies without their own version sign it from then on; signed pacts and agency
    versions stay as they are."""
    from pledges import services

    before = services.latest_platform_text(services.DEFAULT_KEY)
    current = services.ensure_default_text()
    db.session.commit()
    if before is not None and before.id == current.id:
        click.echo(f"unchanged: {current.key} version {current.version}")
    else:
        click.echo(f"published: {current.key} version {current.version}")
