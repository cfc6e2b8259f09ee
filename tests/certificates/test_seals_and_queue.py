"""Production seals from a PKCS#12 file, and ZIP jobs through RQ when Redis is configured."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import Flask

from certificates import jobs, sealing
from certificates.models import Job, JobStatus
from lms.db import db
from lms.models import Program, User

from .conftest import issue, load


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pkcs12(tmp_path) -> tuple[str, str]:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Root"))
        .issuer_name(_name("Test Root"))
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Segel BSrE Uji"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, *[False] * 7), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", key, cert, [ca], serialization.BestAvailableEncryption(b"rahasia")
        )
    )
    root = tmp_path / "root.pem"
    root.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return str(p12), str(root)


def test_pkcs12_from_config_seals_and_verifies_with_its_root(app: Flask, world, tmp_path) -> None:
    p12, root = _pkcs12(tmp_path)
    saved = {k: app.config[k] for k in ("CERTIFICATES_PKCS12", "CERTIFICATES_TRUST_ROOTS")}
    app.config["CERTIFICATES_PKCS12"] = {"BANGKA": {"path": p12, "password": "rahasia"}}
    try:
        issued = issue(app, world["learner"], world["program"])
        with app.app_context():
            app.config["CERTIFICATES_TRUST_ROOTS"] = []
            untrusted = sealing.check_pdf(issued.pdf)
            assert untrusted.intact and not untrusted.trusted and not untrusted.ok
            app.config["CERTIFICATES_TRUST_ROOTS"] = [root]
            check = sealing.check_pdf(issued.pdf)
            assert check.ok and "Segel BSrE Uji" in (check.signer or "")
    finally:
        app.config.update(saved)


@pytest.mark.redis
def test_zip_job_goes_through_rq_when_redis_is_configured(app: Flask, world, redis_url: str) -> None:
    url = redis_url
    from redis import Redis
    from rq import Queue, SimpleWorker

    issue(app, world["learner"], world["program"])
    queue_name = f"certificates-test-{os.getpid()}"
    saved = app.config.get("REDIS_URL"), app.config["JOB_QUEUE"]
    app.config["REDIS_URL"], app.config["JOB_QUEUE"] = url, queue_name
    connection = Redis.from_url(url)
    queue = Queue(queue_name, connection=connection)
    try:
        with app.app_context():
            program = db.session.get(Program, world["program"].id)
            job = jobs.create_zip_job(program, db.session.get(User, world["admin"].id))
            db.session.commit()
            job_id = job.id
            jobs.dispatch(job_id)
            assert queue.count == 1
            assert db.session.get(Job, job_id).status == JobStatus.QUEUED
        with app.app_context():
            SimpleWorker([queue], connection=connection).work(burst=True)
        with app.app_context():
            job = db.session.get(Job, job_id)
            assert job.status == JobStatus.DONE and job.done == job.total == 1
            assert len(zipfile.ZipFile(io.BytesIO(job.result)).namelist()) == 1
    finally:
        app.config["REDIS_URL"], app.config["JOB_QUEUE"] = saved
        queue.empty()
        queue.delete(delete_jobs=True)
    assert load(app, issue(app, world["learner"], world["program"]).code).status == "valid"
