"""``lms certificates ...``: list, export, revoke, reissue and check sealed certificate PDFs."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.db import db
from lms.models import User
from lms.security import sha256_hex

from . import rendering, sealing, services
from .models import Certificate

certificates_cli = AppGroup("certificates", help="Issued certificates.")


def _get(code: str) -> Certificate:
    cert = services.by_code(code)
    if cert is None:
        raise click.ClickException(f"unknown certificate code {code!r}")
    return cert


@certificates_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
@click.option("--agency", "agency_code", default=None, help="Only this agency code.")
def list_command(as_json: bool, agency_code: str | None) -> None:
    """List issued certificates, newest first."""
    from lms.models import Agency

    stmt = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    if agency_code:
        stmt = stmt.join(Agency).where(Agency.code == agency_code.upper())
    rows = [
        services.public_facts(c) | {"user_id": c.user_id, "program_id": c.program_id} for c in db.session.scalars(stmt)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['code']}  {r['status']:<10}  {r['number']:<22}  {r['name']}  ·  {r['program']}")


@certificates_cli.command("pdf")
@click.argument("code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def pdf_command(code: str, output: str) -> None:
    """Write the stored (sealed) PDF of a certificate to a file."""
    cert = _get(code)
    if cert.pdf is None:
        raise click.ClickException("this certificate has no stored PDF")
    with open(output, "wb") as fh:
        fh.write(cert.pdf)
    click.echo(f"Wrote {output} ({len(cert.pdf)} bytes, SHA-256 {cert.pdf_sha256}).")


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Shown on the public verification page.")
def revoke_command(code: str, reason: str) -> None:
    """Revoke a certificate (audit-logged, no actor)."""
    cert = _get(code)
    try:
        services.revoke(cert, reason, actor=None)
    except services.CertificateError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Revoked {cert.code} ({cert.number}).")


@certificates_cli.command("reissue")
@click.argument("code")
def reissue_command(code: str) -> None:
    """Issue a new certificate from current data; the old one becomes superseded."""
    cert = _get(code)
    try:
        new = services.reissue(cert, actor=None)
    except services.CertificateError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Reissued {cert.code} as {new.code} ({new.number}).")


@certificates_cli.command("issue")
@click.argument("user_ref")
@click.argument("program_id", type=int)
def issue_command(user_ref: str, program_id: int) -> None:
    """Issue a certificate now for a learner (NIP or user id) and program id."""
    user = db.session.scalar(select(User).where(User.nip == user_ref))
    if user is None and user_ref.isascii() and user_ref.isdigit() and len(user_ref) < 12:
        user = db.session.get(User, int(user_ref))
    if user is None:
        raise click.ClickException("unknown learner")
    try:
        cert = services.issue_certificate(user.id, program_id)
    except services.CertificateError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{cert.code} {cert.number}")


@certificates_cli.command("verify-pdf")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_pdf_command(path: str) -> None:
    """Check a PDF's PAdES seal and look its SHA-256 up; exit 1 unless both are good."""
    with open(path, "rb") as fh:
        data = fh.read()
    digest = sha256_hex(data)
    seal = sealing.check_pdf(data)
    cert = db.session.scalar(select(Certificate).where(Certificate.pdf_sha256 == digest))
    click.echo(f"SHA-256: {digest}")
    if seal.ok:
        click.echo(f"Seal: intact and valid, signed by {seal.signer}")
    else:
        detail = seal.error or (
            f"intact={seal.intact} valid={seal.valid} trusted={seal.trusted} whole_file={seal.whole_file}"
        )
        click.echo(f"Seal: INVALID ({detail})")
    if cert is not None:
        click.echo(f"Issued file: yes, certificate {cert.code} ({cert.number}), status {cert.public_status()}")
    else:
        click.echo("Issued file: NO - this file differs from every issued certificate")
    if not seal.ok or cert is None:
        raise SystemExit(1)
    click.echo("Result: intact/valid")


@certificates_cli.command("verify-all")
@click.option("--batch", default=500, show_default=True, help="Certificates read per query.")
def verify_all_command(batch: int) -> None:
    """Re-hash every stored PDF against its recorded SHA-256; exit 1 on any mismatch."""
    # Read the id first, then each PDF on its own, so a million certificates never sit in memory.
    ids = list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))
    checked, bad = 0, []
    for start in range(0, len(ids), batch):
        rows = db.session.execute(
            select(Certificate.code, Certificate.pdf, Certificate.pdf_sha256)
            .where(Certificate.id.in_(ids[start : start + batch]))
            .order_by(Certificate.id)
        )
        for code, pdf, recorded in rows:
            checked += 1
            if pdf is None:
                bad.append(f"{code}: no stored PDF")
            elif sha256_hex(pdf) != recorded:
                bad.append(f"{code}: stored PDF does not match its recorded SHA-256")
        db.session.expunge_all()
    for line in bad:
        click.echo(line, err=True)
    click.echo(f"{checked} certificates checked, {len(bad)} problems.")
    if bad:
        raise SystemExit(1)


@certificates_cli.command("bench")
@click.option("-n", "--count", default=20, show_default=True)
def bench_command(count: int) -> None:
    """Median time to render and to seal one certificate (nothing is stored).

    Uses the newest issued certificate's snapshot; the baseline renders a bare A4 page with the
    same shared WeasyPrint set-up, so figures compare across machines."""
    import statistics
    import time

    from lms.models import Agency
    from lms.pdf import render_pdf

    cert = db.session.scalar(select(Certificate).order_by(Certificate.id.desc()))
    if cert is None:
        raise click.ClickException("issue a certificate first (e.g. `lms demo`)")
    agency = db.session.get(Agency, cert.agency_id)
    assert agency is not None
    sealing.seal_pdf(rendering.render_certificate(cert.snapshot), agency, "warm-up")
    base, render, seal, total = [], [], [], []
    for _ in range(count):
        t0 = time.perf_counter()
        render_pdf("<style>@page{size:A4 landscape}</style><p>baseline</p>")
        t1 = time.perf_counter()
        pdf = rendering.render_certificate(cert.snapshot)
        t2 = time.perf_counter()
        sealing.seal_pdf(pdf, agency, "bench")
        t3 = time.perf_counter()
        base.append(t1 - t0)
        render.append(t2 - t1)
        seal.append(t3 - t2)
        total.append(t3 - t1)
    db.session.rollback()
    for label, values in (("baseline page", base), ("render", render), ("seal", seal), ("render+seal", total)):
        click.echo(f"{label:<14} median {statistics.median(values) * 1000:7.1f} ms")
