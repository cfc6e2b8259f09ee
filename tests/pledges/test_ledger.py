"""The hash-chained ledger: `lms pledges verify-ledger` passes on an untouched ledger and names the
first bad entry for every kind of tampering; PostgreSQL refuses UPDATE/DELETE; concurrent signing
keeps one linear chain. On PostgreSQL the tampering tests switch the append-only trigger off for
the forged statement (as someone with the owner's rights could) and on again."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy import select, text

from lms.db import db
from lms.models import Program, User
from lms.security import sha256_hex
from pledges import ledger as ledger_
from pledges import services
from pledges.content import DEFAULT_KEY
from pledges.models import LedgerEntry, PledgeSignature
from tests.conftest import PASSWORD
from tests.pledges.conftest import data_url, png_bytes

ON_PG = bool(os.environ.get("LMS_TEST_DATABASE_URL"))


@dataclass
class Ledger:
    program_ids: list[int]
    user_ids: list[int]  # last one has not signed
    agency_ids: list[int]
    unit_ids: list[int]
    other_text_id: int


def sign_as(user_id: int, program_id: int, typed: bool = False) -> PledgeSignature:
    user = db.session.get(User, user_id)
    program = db.session.get(Program, program_id)
    template = services.text_for(DEFAULT_KEY, program.agency_id)
    sig, created = services.sign_pledge(
        user,
        program,
        template,
        services.SignInput(
            form_token=services.form_token_for(user, program, template),
            ticked=[str(c["id"]) for c in template.commitments],
            password=PASSWORD,
            signature_data_url=None if typed else data_url(png_bytes()),
            typed_name=user.name if typed else None,
            ip="10.0.0.7",
            user_agent="test",
        ),
    )
    assert created
    return sig


@pytest.fixture
def ledger(app, make, default_text) -> Ledger:
    a, b = make.agency(), make.agency()
    u1, u2 = make.unit(a), make.unit(a)
    users = [make.user(a, unit_id=u1.id) for _ in range(4)]
    p1 = make.program(a, requirements=[("pledge", DEFAULT_KEY)])
    p2 = make.program(a, requirements=[("pledge", DEFAULT_KEY)])
    with app.app_context():
        other = services.create_agency_version(
            db.session.get(type(b), b.id),
            services.TextInput(key=DEFAULT_KEY, title_id="T", title_en="T", preamble_id="P", preamble_en="P"),
            db.session.get(User, users[0].id),
        )
        for i, user in enumerate(users[:3]):
            sign_as(user.id, p1.id, typed=(i == 1))
        db.session.commit()
        other_id = other.id
    return Ledger([p1.id, p2.id], [u.id for u in users], [a.id, b.id], [u1.id, u2.id], other_id)


def verify(app):
    result = app.test_cli_runner().invoke(args=["pledges", "verify-ledger"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def raw(app, sql: str, **params):
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


TRIGGER = "pledges_ledger_no_update_delete"


def _trigger(enabled: bool) -> None:
    """PostgreSQL: switch the ledger's append-only trigger on or off (in the open transaction)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ALTER TABLE pledges_ledger {'ENABLE' if enabled else 'DISABLE'} TRIGGER {TRIGGER}"))


def tamper(app, *statements: str | tuple[str, dict]) -> None:
    """Run forged statements on the ledger tables as an attacker with the owner's rights would:
    on PostgreSQL with the append-only trigger switched off, then on again."""
    with app.app_context():
        _trigger(False)
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, {})
            db.session.execute(text(sql), params)
        _trigger(True)
        db.session.commit()
        if ON_PG:  # the trigger is back: the table is append-only again
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.session.execute(text("DELETE FROM pledges_ledger WHERE seq = 1"))
            db.session.rollback()


def test_untouched_ledger_passes(app, ledger):
    with app.app_context():
        head = db.session.scalar(select(LedgerEntry.entry_hash).where(LedgerEntry.seq == 3))
    code, output = verify(app)
    assert code == 0, output
    assert "OK: 3 entries" in output and head in output
    assert app.test_cli_runner().invoke(args=["pledges", "checkpoint"]).exit_code == 0
    code, output = verify(app)
    assert code == 0 and "1 checkpoints hold" in output


def test_empty_ledger_passes(app):
    code, output = verify(app)
    assert code == 0 and "OK: 0 entries" in output


def _mutated(column: sa.Column, value, ledger: Ledger):
    """A different but well-formed value for one stored column (what a forger would write)."""
    name = column.name
    kind = column.type.impl if isinstance(column.type, sa.TypeDecorator) else column.type
    fk = {
        "user_id": ledger.user_ids[3],
        "program_id": ledger.program_ids[1],
        "agency_id": ledger.agency_ids[1],
        "unit_id": ledger.unit_ids[1],
        "text_id": ledger.other_text_id,
        "signature_id": None,
    }
    if name in fk:
        return fk[name]
    if isinstance(kind, sa.JSON):
        data = json.loads(value) if isinstance(value, str) else value
        if isinstance(data, dict):
            data["name"] = "Nama Palsu"
        else:
            data = data[:-1]
        return json.dumps(data)
    if isinstance(kind, sa.DateTime):
        if isinstance(value, dt.datetime):  # PostgreSQL
            return value + dt.timedelta(seconds=1)
        return str(dt.datetime.fromisoformat(str(value)) + dt.timedelta(seconds=1))
    if isinstance(kind, sa.LargeBinary):
        value = bytes(value) if value is not None else None
        return (value or b"x")[:-1] + bytes([(value or b"x")[-1] ^ 1])
    if isinstance(kind, sa.Integer | sa.BigInteger):
        return value + 1
    if value is None:
        return "x"
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return ("1" if value[0] != "1" else "2") + value[1:]
    return value + " "


SIGNATURE_COLUMNS = [c.name for c in PledgeSignature.__table__.columns if c.name != "id"]
LEDGER_COLUMNS = [c.name for c in LedgerEntry.__table__.columns if c.name != "id"]


@pytest.mark.parametrize("column", SIGNATURE_COLUMNS)
def test_edit_of_any_signature_field_is_detected(app, ledger, column):
    """Signature rows are not under the trigger: on both databases any edit must show."""
    table = PledgeSignature.__table__
    with app.app_context():
        sig_id, value = db.session.execute(
            select(table.c.id, sa.literal_column(column)).order_by(table.c.id).offset(1).limit(1)
        ).one()
    raw(
        app,
        f"UPDATE pledges_signatures SET {column} = :v WHERE id = :id",
        v=_mutated(table.c[column], value, ledger),
        id=sig_id,
    )
    code, output = verify(app)
    assert code == 1, f"editing {column} went unnoticed: {output}"
    assert "entry seq 2" in output


@pytest.mark.parametrize("column", LEDGER_COLUMNS)
def test_edit_of_any_ledger_field_is_detected(app, ledger, column):
    table = LedgerEntry.__table__
    with app.app_context():
        value = db.session.scalar(select(sa.literal_column(column)).select_from(table).where(table.c.seq == 2))
    new = _mutated(table.c[column], value, ledger)
    if column == "seq":
        new = 7
    if column == "kind":
        new = "correction"
    tamper(app, (f"UPDATE pledges_ledger SET {column} = :v WHERE seq = 2", {"v": new}))
    code, output = verify(app)
    assert code == 1, f"editing {column} went unnoticed: {output}"
    assert "entry seq 2" in output


@pytest.mark.skipif(ON_PG, reason="PostgreSQL's column types refuse a value that is no time")
def test_unreadable_value_is_reported_not_crashed(app, ledger):
    raw(app, "UPDATE pledges_signatures SET signed_at = 'not a time' WHERE id = 2")
    code, output = verify(app)
    assert code == 1 and "entry seq 2" in output and "cannot be read" in output


def test_deleted_entry_in_the_middle_is_detected(app, ledger):
    tamper(app, "DELETE FROM pledges_ledger WHERE seq = 2")
    code, output = verify(app)
    assert code == 1 and "entry seq 2" in output and "expected seq 2, found 3" in output


def test_deleted_last_entry_is_detected(app, ledger):
    tamper(app, "DELETE FROM pledges_ledger WHERE seq = 3")
    code, output = verify(app)
    assert code == 1 and "entry seq 3" in output and "not in the ledger" in output


def test_truncation_below_a_checkpoint_is_detected(app, ledger):
    assert app.test_cli_runner().invoke(args=["pledges", "checkpoint"]).exit_code == 0
    tamper(
        app,
        "DELETE FROM pledges_ledger WHERE seq = 3",
        "DELETE FROM pledges_ledger_head",
        # also hide the orphan by removing the signature (its entry is gone already)
        "DELETE FROM pledges_signatures WHERE id = (SELECT max(id) FROM pledges_signatures)",
    )
    code, output = verify(app)
    assert code == 1 and "checkpoint" in output and "covers 3 entries" in output


def test_inserted_entry_with_consistent_hashes_is_detected(app, ledger):
    """A forger appends a well-chained entry for a forged record: the seal gives it away."""
    with app.app_context():
        head = ledger_.ledger_head()
        sig = db.session.scalar(select(PledgeSignature).order_by(PledgeSignature.id))
        record = json.loads(sig.canonical_record)
        record["user_id"] = ledger.user_ids[3]
        record["identity"]["name"] = "Pegawai Fiktif"
        forged = ledger_.canonical_json(record)
        forged_hash = sha256_hex(forged)
        cols = {c.name: getattr(sig, c.name) for c in PledgeSignature.__table__.columns if c.name != "id"}
        cols.update(
            user_id=ledger.user_ids[3], canonical_record=forged, record_sha256=forged_hash, identity=record["identity"]
        )
        new_id = db.session.execute(PledgeSignature.__table__.insert().values(**cols)).inserted_primary_key[0]
        seq = head.seq + 1
        db.session.execute(
            LedgerEntry.__table__.insert().values(
                seq=seq,
                kind="signature",
                signature_id=new_id,
                record_hash=forged_hash,
                prev_hash=head.entry_hash,
                entry_hash=ledger_.entry_hash(seq, head.entry_hash, forged_hash),
                created_at=head.created_at,
            )
        )
        db.session.commit()
    code, output = verify(app)
    assert code == 1 and "entry seq 4" in output


def test_entry_inserted_in_the_middle_is_detected(app, ledger):
    with app.app_context():
        _trigger(False)
        for seq in (3, 2):
            db.session.execute(text("UPDATE pledges_ledger SET seq = seq + 1 WHERE seq = :s"), {"s": seq})
        prev = db.session.scalar(select(LedgerEntry.entry_hash).where(LedgerEntry.seq == 1))
        record_hash = "ab" * 32
        db.session.execute(
            LedgerEntry.__table__.insert().values(
                seq=2,
                kind="signature",
                signature_id=None,
                record_hash=record_hash,
                prev_hash=prev,
                entry_hash=ledger_.entry_hash(2, prev, record_hash),
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        _trigger(True)
        db.session.commit()
    code, output = verify(app)
    assert code == 1 and "entry seq 2" in output and "missing" in output


def test_reordered_entries_are_detected(app, ledger):
    tamper(
        app,
        "UPDATE pledges_ledger SET seq = -1 WHERE seq = 2",
        "UPDATE pledges_ledger SET seq = 2 WHERE seq = 3",
        "UPDATE pledges_ledger SET seq = 3 WHERE seq = -1",
    )
    code, output = verify(app)
    assert code == 1 and "entry seq 2" in output and "prev_hash" in output


def test_edited_checkpoint_is_detected(app, ledger):
    assert app.test_cli_runner().invoke(args=["pledges", "checkpoint"]).exit_code == 0
    raw(app, "UPDATE pledges_checkpoints SET head_hash = :h", h="f" * 64)
    code, output = verify(app)
    assert code == 1 and "checkpoint" in output


def test_merkle_root_follows_rfc_9162():
    import hashlib

    leaves = [bytes([i]) for i in range(5)]
    h = lambda b: hashlib.sha256(b).digest()  # noqa: E731
    leaf = [h(b"\x00" + d) for d in leaves]
    node = lambda a, b: h(b"\x01" + a + b)  # noqa: E731
    expected = node(node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])), leaf[4])
    assert ledger_.merkle_root(leaves) == expected.hex()
    assert ledger_.merkle_root([]) == hashlib.sha256(b"").hexdigest()


@pytest.mark.postgres_only
def test_postgres_trigger_refuses_update_and_delete_of_ledger_rows(app, ledger):
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(text("UPDATE pledges_ledger SET record_hash = 'x' WHERE seq = 1"))
        db.session.rollback()
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(text("DELETE FROM pledges_ledger WHERE seq = 1"))
        db.session.rollback()
    assert verify(app)[0] == 0


def test_concurrent_signing_keeps_one_linear_chain(app, make, default_text):
    agency = make.agency()
    programs = [make.program(agency, requirements=[("pledge", DEFAULT_KEY)]) for _ in range(2)]
    threads_n, per_thread = 8, 3
    users = [make.user(agency) for _ in range(threads_n * per_thread)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def worker(chunk: list[int]) -> None:
        try:
            barrier.wait()
            for user_id in chunk:
                for program in programs:
                    # Signing happens in a POST request (on SQLite it then takes the write lock first).
                    with app.test_request_context(method="POST"):
                        sign_as(user_id, program.id)
                        db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=([u.id for u in users[i::threads_n]],)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    total = len(users) * len(programs)
    with app.app_context():
        rows = db.session.execute(
            select(LedgerEntry.seq, LedgerEntry.prev_hash, LedgerEntry.entry_hash).order_by(LedgerEntry.seq)
        ).all()
    assert [r.seq for r in rows] == list(range(1, total + 1))
    assert rows[0].prev_hash == ledger_.GENESIS_HASH
    assert all(rows[i].prev_hash == rows[i - 1].entry_hash for i in range(1, total))
    code, output = verify(app)
    assert code == 0 and f"OK: {total} entries" in output


def test_incremental_merkle_root_equals_the_recursive_definition():
    tree = ledger_.MerkleAccumulator()
    leaves = []
    for i in range(70):
        data = i.to_bytes(4, "big")
        leaves.append(data)
        tree.add(data)
        assert tree.root() == ledger_.merkle_root(leaves), f"size {i + 1}"


def test_verification_streams_in_batches(app, ledger, monkeypatch):
    """With a batch of 2 entries the verifier pages through the ledger and still finds tampering
    in a later batch."""
    original = ledger_._entry_batches
    monkeypatch.setattr(ledger_, "_entry_batches", lambda batch=1000: original(batch=2))
    assert verify(app)[0] == 0
    raw(app, "UPDATE pledges_signatures SET typed_name = 'x' WHERE id = 3")
    code, output = verify(app)
    assert code == 1 and "entry seq 3" in output
