"""The baseline of the verification benchmark: a bare Flask app doing the same indexed lookup
(``SELECT ... FROM certificates_certificates WHERE code = %s`` with psycopg, autocommit, one
connection per worker) and rendering a template padded to the byte size of the real page.

    BENCH_DSN=postgresql://postgres@127.0.0.1:5432/ikrar_bench_verify BENCH_PAD=9000 \
        gunicorn -k sync -w 4 --chdir bench verify_baseline:app
"""

from __future__ import annotations

import os

import psycopg
from flask import Flask, abort, render_template

app = Flask(__name__, template_folder="templates")
PAD = "x" * int(os.environ.get("BENCH_PAD", "0"))
_conn: psycopg.Connection | None = None


def conn() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["BENCH_DSN"], autocommit=True)
    return _conn


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.get("/v/<code>")
def verify(code: str) -> str:
    row = (
        conn()
        .execute(
            "SELECT code, number, status, issued_at, expires_at, pdf_sha256, snapshot "
            "FROM certificates_certificates WHERE code = %s",
            (code.upper(),),
        )
        .fetchone()
    )
    if row is None:
        abort(404)
    code, number, status, issued_at, expires_at, sha, snap = row
    return render_template(
        "verify_baseline.html",
        code=code,
        number=number,
        status=status,
        issued_at=issued_at,
        expires_at=expires_at,
        sha=sha,
        s=snap,
        pad=PAD,
    )
