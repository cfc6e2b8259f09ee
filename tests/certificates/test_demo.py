"""The demo: certificates only for completed programs, QR codes for the address it is served on."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from certificates.models import Certificate
from lms.db import db
from lms.models import ProgramCompletion, User

ROOT = Path(__file__).resolve().parents[2]


def demo_base_url(**env: str) -> str:
    """The BASE_URL scripts/demo.sh would serve with (it stops before installing anything)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "LMS_BASE_URL")}
    result = subprocess.run(  # noqa: S603 - our own script
        ["bash", str(ROOT / "scripts" / "demo.sh"), "--print-base-url"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout.strip()


def test_demo_script_serves_base_url_from_host_and_port() -> None:
    assert demo_base_url() == "http://127.0.0.1:5000"
    assert demo_base_url(PORT="5050") == "http://127.0.0.1:5050"
    assert demo_base_url(HOST="192.168.1.20", PORT="8080") == "http://192.168.1.20:8080"
    assert demo_base_url(PORT="5050", LMS_BASE_URL="https://ikrar.example.go.id") == "https://ikrar.example.go.id"


def test_after_lms_demo_every_certificate_is_for_a_completed_program(app: Flask, monkeypatch) -> None:
    base = demo_base_url(PORT="5050")
    monkeypatch.setitem(app.config, "BASE_URL", base)  # the app is shared by the session
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        certs = list(db.session.scalars(select(Certificate)))
        assert certs, "the demo shows certificates"
        pairs = select(ProgramCompletion.user_id, ProgramCompletion.program_id)
        completed = {tuple(row) for row in db.session.execute(pairs)}
        for cert in certs:
            assert (cert.user_id, cert.program_id) in completed, cert.number
            # the QR code (and the printed address) point to where the demo is served
            assert cert.snapshot["verify_url"].lower().startswith(base + "/v/"), cert.snapshot["verify_url"]
        siti = db.session.scalar(select(User).where(User.nip == "199003152015032001"))
        assert siti is not None
        assert not any(c.user_id == siti.id for c in certs)  # she completed nothing in the demo
        assert sum(c.status == "revoked" for c in certs) == 1
