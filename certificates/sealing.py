"""PAdES seals (pyHanko, ECDSA P-256): who seals an agency's certificates, and checking a seal.

Production: a PKCS#12 file per agency (``CERTIFICATES_PKCS12 = {"CODE": {"path", "password"}}``)
or one for all (``CERTIFICATES_PKCS12_PATH`` / ``CERTIFICATES_PKCS12_PASSWORD``), e.g. a BSrE
electronic seal. Without one, a local CA and an agency seal certificate are generated once and
stored in ``certificates_seals`` with the private keys encrypted (``lms demo`` does this up front).
Signers are cached per agency and certificate, so a key is decrypted once per process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy import select

from lms.db import db, lock_table_for_create, utcnow
from lms.models import Agency

from .models import Seal, SealKind

T = TypeVar("T")
CA_YEARS = 20
SEAL_YEARS = 5
_cache: dict[tuple[str, str], signers.Signer] = {}
_lock = threading.Lock()
# Signature space pyHanko reserved for each cached signer: its estimate builds a whole dry-run CMS
# (about as costly as the real signature) and depends only on the signer's certificates here.
_reserved: dict[int, int] = {}
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]")


def _passphrase() -> bytes:
    cfg = current_app.config
    secret = cfg.get("SIGNING_KEY_PASSPHRASE") or cfg["SECRET_KEY"]
    return str(secret).encode()


def _name(common: str, org: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common[:64]),
        ]
    )


def _store(
    kind: SealKind,
    cert: x509.Certificate,
    key: ec.EllipticCurvePrivateKey,
    agency_id: int | None,
    issuer_id: int | None,
) -> Seal:
    row = Seal(
        kind=kind,
        agency_id=agency_id,
        issuer_id=issuer_id,
        subject=cert.subject.rfc4514_string()[:200],
        cert_der=cert.public_bytes(serialization.Encoding.DER),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_passphrase()),
        ),
        not_after=cert.not_valid_after_utc,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _load_key(row: Seal) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(row.key_pem, password=_passphrase())
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _latest(*where: Any) -> Seal | None:
    return db.session.scalar(select(Seal).where(*where).order_by(Seal.id.desc()))


def local_ca() -> Seal:
    """The deployment's local demo CA (created on first use)."""
    row = _latest(Seal.kind == SealKind.CA)
    if row is not None:
        return row
    lock_table_for_create(Seal.__tablename__)  # once, even when several workers start cold
    row = _latest(Seal.kind == SealKind.CA)
    if row is not None:
        return row
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Ikrar Local Demo CA", "Ikrar (demo, not a public CA)")
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _store(SealKind.CA, cert, key, None, None)


def local_seal(agency: Agency) -> Seal:
    """The agency's locally issued seal certificate (created on first use)."""
    mine = (Seal.kind == SealKind.SEAL, Seal.agency_id == agency.id)
    row = _latest(*mine)
    if row is not None:
        return row
    lock_table_for_create(Seal.__tablename__)  # once, even when several workers start cold
    row = _latest(*mine)
    if row is not None:
        return row
    ca_row = local_ca()
    ca_cert = x509.load_der_x509_certificate(ca_row.cert_der)
    ca_key = _load_key(ca_row)
    key = ec.generate_private_key(ec.SECP256R1())
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"Segel {agency.name}", agency.name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * SEAL_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return _store(SealKind.SEAL, cert, key, agency.id, ca_row.id)


def _pkcs12_config(agency: Agency) -> tuple[str, str | None] | None:
    cfg = current_app.config
    per_agency = (cfg.get("CERTIFICATES_PKCS12") or {}).get(agency.code)
    if per_agency:
        return per_agency["path"], per_agency.get("password")
    if cfg.get("CERTIFICATES_PKCS12_PATH"):
        return cfg["CERTIFICATES_PKCS12_PATH"], cfg.get("CERTIFICATES_PKCS12_PASSWORD")
    return None


def signer_for(agency: Agency) -> signers.Signer:
    """The agency's pyHanko signer, from configuration or the local seal; cached per process."""
    p12 = _pkcs12_config(agency)
    if p12 is not None:
        path, password = p12
        key = (str(agency.id), f"p12:{path}")
        with _lock:
            if key not in _cache:
                with open(path, "rb") as fh:
                    loaded = signers.SimpleSigner.load_pkcs12_data(
                        fh.read(), other_certs=[], passphrase=password.encode() if password else None
                    )
                if loaded is None:
                    raise RuntimeError(f"cannot load PKCS#12 {path}")
                _cache[key] = loaded
            return _cache[key]
    row = local_seal(agency)
    key = (str(agency.id), hashlib.sha256(row.cert_der).hexdigest())
    with _lock:
        if key not in _cache:
            ca_row = db.session.get(Seal, row.issuer_id) if row.issuer_id else None
            private = _load_key(row)
            chain = [asn1_x509.Certificate.load(ca_row.cert_der)] if ca_row else []
            _cache[key] = signers.SimpleSigner(
                signing_cert=asn1_x509.Certificate.load(row.cert_der),
                signing_key=asn1_keys.PrivateKeyInfo.load(
                    private.private_bytes(
                        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                    )
                ),
                cert_registry=SimpleCertificateStore.from_certs(chain),
            )
        return _cache[key]


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run pyHanko's coroutine to completion, also when the caller already runs an event loop
    (e.g. under Playwright's sync API), by using a short-lived thread then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def seal_pdf(pdf: bytes, agency: Agency, reason: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="IkrarSeal",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=agency.name,
        name=agency.name,
    )
    signer = signer_for(agency)
    pdf_signer = signers.PdfSigner(meta, signer=signer)
    reserved = _reserved.get(id(signer))
    out = _run(lambda: pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved)).getvalue()
    if reserved is None:  # remember pyHanko's own estimate: the gap between the byte ranges
        match = _BYTE_RANGE.search(out)
        if match:
            _reserved[id(signer)] = int(match.group(2)) - int(match.group(1)) - 2
    return out


def trust_roots() -> list[asn1_x509.Certificate]:
    """Local CAs from the database plus PEM/DER files listed in ``CERTIFICATES_TRUST_ROOTS``."""
    roots = [
        asn1_x509.Certificate.load(r.cert_der) for r in db.session.scalars(select(Seal).where(Seal.kind == SealKind.CA))
    ]
    for path in current_app.config.get("CERTIFICATES_TRUST_ROOTS") or []:
        with open(path, "rb") as fh:
            data = fh.read()
        cert = (
            x509.load_pem_x509_certificate(data)
            if data.lstrip().startswith(b"-----")
            else x509.load_der_x509_certificate(data)
        )
        roots.append(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))
    return roots


@dataclass(frozen=True)
class SealCheck:
    ok: bool  # intact, valid, trusted and covering the whole file
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer: str | None = None
    error: str | None = None


def check_pdf(data: bytes) -> SealCheck:
    """Validate the PDF's single PAdES seal against our trust roots; any failure is not ok."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
        if len(sigs) != 1:
            return SealCheck(ok=False, error=f"expected one signature, found {len(sigs)}")
        context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
        status = _run(lambda: async_validate_pdf_signature(sigs[0], context))
    except Exception as exc:  # noqa: BLE001 - a damaged file is simply "invalid"
        return SealCheck(ok=False, error=f"{type(exc).__name__}: {exc}")
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    return SealCheck(
        ok=bool(status.intact and status.valid and status.trusted and whole),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        whole_file=whole,
        signer=signer,
    )
