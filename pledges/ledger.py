"""The hash-chained ledger of signatures: canonical JSON, the sealed signature record, the Merkle
tree, appends under one lock, verification and signed checkpoints. Functions flush; they never
commit (the CLI and the views do)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from lms import keys
from lms.db import db, utcnow
from lms.security import sha256_hex
from pledges.models import Checkpoint, LedgerEntry, LedgerHead, PledgeSignature, PledgeText

GENESIS_HASH = "0" * 64
# Key of the PostgreSQL transaction-level advisory lock that serialises ledger appends.
LEDGER_LOCK_KEY = 0x1C4A_2026
RECORD_VERSION = 1


# --- encoding -------------------------------------------------------------------------------------


def canonical_json(obj: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(seq: int, prev_hash: str, record_hash: str) -> str:
    return sha256_hex(f"{seq}|{prev_hash}|{record_hash}")


def record_dict(sig: PledgeSignature, pledge_text: PledgeText) -> dict[str, Any]:
    """The sealed record, rebuilt from the stored columns (so any edited column shows). Its keys
    are a sealed format (``RECORD_VERSION``): the pledge text stays under ``"template"``, the
    word it had when the first records were sealed."""
    return {
        "type": "ikrar.pledge-signature",
        "v": RECORD_VERSION,
        "user_id": sig.user_id,
        "program_id": sig.program_id,
        "agency_id": sig.agency_id,
        "unit_id": sig.unit_id,
        "template": {
            "id": sig.text_id,
            "key": sig.text_key,
            "version": sig.text_version,
            "text_sha256": pledge_text.text_sha256,
        },
        "shown_text_sha256": sig.text_sha256,
        "identity": sig.identity,
        "signature_png_sha256": sig.signature_png_sha256,
        "typed_name": sig.typed_name,
        "commitments_ticked": sig.commitments_ticked,
        "reauth": {"method": sig.reauth_method, "at": iso(sig.reauth_at)},
        "opened_at": iso(sig.opened_at),
        "signed_at": iso(sig.signed_at),
        "client_ip": sig.client_ip,
        "user_agent": sig.user_agent,
    }


def seal_record(sig: PledgeSignature, pledge_text: PledgeText) -> None:
    """Fill the signature's canonical record, its hash and its Ed25519 seal."""
    sig.canonical_record = canonical_json(record_dict(sig, pledge_text))
    sig.record_sha256 = sha256_hex(sig.canonical_record)
    seal = keys.sign(sig.canonical_record.encode())
    sig.seal_kid, sig.seal_signature = seal.kid, seal.value


# --- the Merkle tree ------------------------------------------------------------------------------


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: list[bytes]) -> str:
    """RFC 9162 Merkle Tree Hash: leaf = H(0x00 || d), node = H(0x01 || left || right)."""

    def mth(items: list[bytes]) -> bytes:
        n = len(items)
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n == 1:
            return _leaf(items[0])
        k = 1 << ((n - 1).bit_length() - 1)  # largest power of two smaller than n
        return _node(mth(items[:k]), mth(items[k:]))

    return mth(leaves).hex()


class MerkleAccumulator:
    """The same root as ``merkle_root`` computed incrementally: one perfect subtree per set bit of
    the size, so memory is O(log n) however long the ledger grows."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (subtree size, hash), largest first

    def add(self, data: bytes) -> None:
        self.size += 1
        self._stack.append((1, _leaf(data)))
        while len(self._stack) > 1 and self._stack[-1][0] == self._stack[-2][0]:
            (n, right), (_n, left) = self._stack.pop(), self._stack.pop()
            self._stack.append((2 * n, _node(left, right)))

    def root(self) -> str:
        if not self._stack:
            return hashlib.sha256(b"").hexdigest()
        acc = self._stack[-1][1]
        for _n, left in reversed(self._stack[:-1]):
            acc = _node(left, acc)
        return acc.hex()


# --- appending ------------------------------------------------------------------------------------


def append_lock() -> None:
    """Serialise appends so the chain stays linear: an advisory transaction lock on PostgreSQL;
    on SQLite an UPDATE of the one-row head table, which takes the database write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LEDGER_LOCK_KEY})
        return
    result = db.session.execute(text("UPDATE pledges_ledger_head SET appends = appends + 1 WHERE id = 1"))
    if result.rowcount == 0:
        db.session.add(LedgerHead(id=1, appends=1))
        db.session.flush()


def ledger_head() -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1))


def append_entry(
    record_hash: str, signature_id: int | None, created_at: dt.datetime, kind: str = "signature"
) -> LedgerEntry:
    """Append one entry; call ``append_lock()`` first in the same transaction. UNIQUE(seq) is the
    final guard against a fork."""
    head = ledger_head()
    seq = (head.seq + 1) if head else 1
    prev = head.entry_hash if head else GENESIS_HASH
    entry = LedgerEntry(
        seq=seq,
        kind=kind,
        signature_id=signature_id,
        record_hash=record_hash,
        prev_hash=prev,
        entry_hash=entry_hash(seq, prev, record_hash),
        created_at=created_at,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def entry_for(sig: PledgeSignature) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.signature_id == sig.id))


# --- verification ---------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    entries: int = 0
    head_hash: str = GENESIS_HASH
    bad_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None


def signature_problem(sig: PledgeSignature, entry: LedgerEntry) -> str | None:
    """What is wrong with one signature and its ledger entry, or None when everything holds."""
    pledge_text = db.session.get(PledgeText, sig.text_id)
    if pledge_text is None:
        return "pledge text of the signature is missing"
    if sha256_hex(pledge_text.canonical_text) != pledge_text.text_sha256:
        return f"pledge text {pledge_text.id} does not match its SHA-256"
    if sha256_hex(sig.canonical_record) != sig.record_sha256:
        return "stored canonical record does not match the signature's record hash"
    if sig.record_sha256 != entry.record_hash:
        return "ledger record hash differs from the signature's record hash"
    if canonical_json(record_dict(sig, pledge_text)) != sig.canonical_record:
        return "signature fields differ from the sealed canonical record"
    if sha256_hex(sig.shown_text) != sig.text_sha256:
        return "signed text does not match its SHA-256"
    png_hash = sha256_hex(sig.signature_png) if sig.signature_png is not None else None
    if png_hash != sig.signature_png_sha256:
        return "signature image does not match its SHA-256"
    if not keys.verify(sig.seal_kid, sig.canonical_record.encode(), sig.seal_signature):
        return "Ed25519 seal of the record is invalid"
    return None


def _entry_batches(batch: int = 1000):
    """Ledger entries in seq order, in keyset-paged batches with their signatures preloaded;
    the session is emptied between batches so memory stays flat on a long ledger."""
    last = None
    while True:
        stmt = select(LedgerEntry).order_by(LedgerEntry.seq).limit(batch)
        if last is not None:
            stmt = stmt.where(LedgerEntry.seq > last)
        entries = list(db.session.scalars(stmt))
        if not entries:
            return
        ids = [e.signature_id for e in entries if e.signature_id is not None]
        try:
            with db.session.begin_nested():  # a failed read rolls back to here, not further
                sigs = {s.id: s for s in db.session.scalars(select(PledgeSignature).where(PledgeSignature.id.in_(ids)))}
            error = None
        except Exception as exc:  # noqa: BLE001 - one forged value may not parse; check singly
            sigs, error = {}, exc
        yield entries, sigs, error
        last = entries[-1].seq
        db.session.expunge_all()


def _load_signature(
    entry: LedgerEntry, sigs: dict[int, PledgeSignature], batch_error: Exception | None
) -> PledgeSignature | None:
    if entry.signature_id is None:
        return None
    if batch_error is None:
        return sigs.get(entry.signature_id)
    return db.session.get(PledgeSignature, entry.signature_id)


def verify_ledger() -> VerifyResult:
    """Recompute every entry, its signature record and seal, the chain links and the sequence;
    then check that every signature is in the ledger and that every checkpoint still holds.
    Streams the ledger: memory does not grow with its length. Reads only; the caller ends the
    transaction."""
    result = VerifyResult()
    checkpoints_ = [
        (cp.id, cp.size, cp.head_hash, cp.merkle_root)
        for cp in db.session.scalars(select(Checkpoint).order_by(Checkpoint.size))
    ]
    at_size: dict[int, tuple[str, str]] = {}  # size -> (head hash, Merkle root) there
    wanted_sizes = {size for _id, size, _h, _m in checkpoints_}
    tree = MerkleAccumulator()
    prev, expected = GENESIS_HASH, 1

    def bad(seq: int, problem: str) -> VerifyResult:
        result.bad_seq, result.problem = seq, problem
        return result

    for entries, sigs, batch_error in _entry_batches():
        for entry in entries:
            seq = entry.seq
            if seq != expected:
                return bad(
                    expected,
                    f"sequence broken: expected seq {expected}, found {seq} (entry deleted, inserted or reordered)",
                )
            if entry.prev_hash != prev:
                return bad(seq, "prev_hash does not link to the previous entry")
            if entry_hash(seq, entry.prev_hash, entry.record_hash) != entry.entry_hash:
                return bad(seq, "entry_hash does not match seq|prev_hash|record_hash")
            if entry.kind != "signature":
                return bad(seq, f"unknown entry kind {entry.kind!r}")
            try:
                sig = _load_signature(entry, sigs, batch_error)
                problem = signature_problem(sig, entry) if sig is not None else None
            except Exception as exc:  # noqa: BLE001 - a forged value may not even parse
                # (the caller ends the read transaction, which may be aborted now)
                return bad(seq, f"the signature record cannot be read ({exc.__class__.__name__}: {str(exc)[:120]})")
            if sig is None:
                return bad(seq, "the signature record of this entry is missing")
            if problem:
                return bad(seq, problem)
            if entry.created_at != sig.signed_at:
                return bad(seq, "entry time differs from the signed record's time")
            prev, expected = entry.entry_hash, expected + 1
            tree.add(bytes.fromhex(entry.record_hash))
            if tree.size in wanted_sizes:
                at_size[tree.size] = (prev, tree.root())
    result.entries, result.head_hash = tree.size, prev
    orphan = db.session.scalar(
        select(func.min(PledgeSignature.id)).where(
            PledgeSignature.id.notin_(select(LedgerEntry.signature_id).where(LedgerEntry.signature_id.is_not(None)))
        )
    )
    if orphan is not None:
        return bad(tree.size + 1, f"signature {orphan} is not in the ledger (an entry was removed from the end)")
    at_size[0] = (GENESIS_HASH, merkle_root([]))
    for cp in db.session.scalars(select(Checkpoint).order_by(Checkpoint.id)):
        result.checkpoints += 1
        problem = None
        if not keys.verify(cp.kid, cp.statement.encode(), cp.signature):
            problem = "its Ed25519 signature is invalid"
        elif cp.statement != canonical_json(checkpoint_statement(cp)):
            problem = "its fields differ from the signed statement"
        elif cp.size > tree.size:
            problem = f"it covers {cp.size} entries but the ledger has {tree.size}"
        elif at_size[cp.size][0] != cp.head_hash:
            problem = "the entry at its size no longer has its head hash"
        elif at_size[cp.size][1] != cp.merkle_root:
            problem = "the Merkle root of the first entries differs"
        if problem:
            return bad(min(cp.size, tree.size + 1) or 1, f"checkpoint {cp.id} fails: {problem}")
    return result


# --- checkpoints ----------------------------------------------------------------------------------


def checkpoint_statement(cp: Checkpoint) -> dict[str, Any]:
    return {
        "type": "ikrar.ledger-checkpoint",
        "size": cp.size,
        "head_hash": cp.head_hash,
        "merkle_root": cp.merkle_root,
        "time": iso(cp.created_at),
    }


def create_checkpoint() -> Checkpoint:
    """Sign the current size, head hash and Merkle root (under the append lock)."""
    append_lock()
    tree, head, last = MerkleAccumulator(), GENESIS_HASH, 0
    while True:  # keyset-paged, constant memory
        rows = db.session.execute(
            select(LedgerEntry.seq, LedgerEntry.entry_hash, LedgerEntry.record_hash)
            .where(LedgerEntry.seq > last)
            .order_by(LedgerEntry.seq)
            .limit(5000)
        ).all()
        if not rows:
            break
        for seq, entry_hash_, record_hash in rows:
            tree.add(bytes.fromhex(record_hash))
            head, last = entry_hash_, seq
    cp = Checkpoint(size=tree.size, head_hash=head, merkle_root=tree.root(), created_at=utcnow())
    cp.statement = canonical_json(checkpoint_statement(cp))
    seal = keys.sign(cp.statement.encode())
    cp.kid, cp.signature = seal.kid, seal.value
    db.session.add(cp)
    db.session.flush()
    return cp


def checkpoint_json(cp: Checkpoint) -> dict[str, Any]:
    return {
        **checkpoint_statement(cp),
        "id": cp.id,
        "kid": cp.kid,
        "signature": base64.b64encode(cp.signature).decode(),
    }


def checkpoints() -> list[Checkpoint]:
    return list(db.session.scalars(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(200)))
