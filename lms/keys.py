"""The deployment's Ed25519 signing keys (pledge records, ledger checkpoints) and their public list.

Private keys are stored encrypted with ``SIGNING_KEY_PASSPHRASE`` (default: the SECRET_KEY), so a
database dump alone cannot forge records. Retired keys keep their public half for verification.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from lms.db import db, lock_table_for_create, utcnow
from lms.models import SigningKey


@dataclass(frozen=True)
class Signature:
    kid: str
    value: bytes

    @property
    def b64(self) -> str:
        return base64.b64encode(self.value).decode()


def _passphrase() -> bytes:
    secret = current_app.config.get("SIGNING_KEY_PASSPHRASE") or current_app.config["SECRET_KEY"]
    return str(secret).encode()


def create_key() -> SigningKey:
    """Generate a new active key; the previous active key is retired (kept for verification)."""
    for old in db.session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        old.retired_at = utcnow()
    private = Ed25519PrivateKey.generate()
    row = SigningKey(
        kid=secrets.token_hex(8),
        public_key=private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        private_key_pem=private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_passphrase()),
        ),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _current_key() -> SigningKey | None:
    return db.session.scalar(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at.desc())
    )


def active_key() -> SigningKey:
    """The active key, created on first use: once, even when several workers start cold."""
    row = _current_key()
    if row is not None:
        return row
    lock_table_for_create(SigningKey.__tablename__)
    return _current_key() or create_key()


def sign(data: bytes) -> Signature:
    row = active_key()
    assert row.private_key_pem is not None
    private = serialization.load_pem_private_key(row.private_key_pem, password=_passphrase())
    assert isinstance(private, Ed25519PrivateKey)
    return Signature(row.kid, private.sign(data))


def verify(kid: str, data: bytes, signature: bytes) -> bool:
    row = db.session.get(SigningKey, kid)
    if row is None:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(row.public_key).verify(signature, data)
    except InvalidSignature:
        return False
    return True


def public_list() -> dict[str, object]:
    keys = db.session.scalars(select(SigningKey).order_by(SigningKey.created_at))
    return {
        "keys": [
            {
                "kid": k.kid,
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(k.public_key).rstrip(b"=").decode(),
                "created_at": k.created_at.isoformat(),
                "retired_at": k.retired_at.isoformat() if k.retired_at else None,
                "status": "retired" if k.retired_at else "active",
            }
            for k in keys
        ]
    }
