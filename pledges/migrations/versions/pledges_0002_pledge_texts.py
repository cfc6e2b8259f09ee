"""pledge texts: pledges_templates becomes pledges_texts, signatures name it text_*

The glossary keeps "template" for Jinja files; the stored wording a learner signs is a pledge
text. The table, its constraints and indexes (and on PostgreSQL its id sequence) are renamed to
the naming convention, and the signature columns template_id, template_key and template_version
become text_id, text_key and text_version. No data changes (the sealed records keep their own
format and are not touched).

Revision ID: pledges_0002
Revises: pledges_0001
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op

from lms.migrate import sqlite_foreign_keys
import sqlalchemy as sa


revision = 'pledges_0002'
down_revision = 'pledges_0001'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
COLUMNS = (('template_id', 'text_id'), ('template_key', 'text_key'),
           ('template_version', 'text_version'))


def _texts(name: str) -> sa.Table:
    """The pledge text table as it stands, with constraints named after ``name``."""
    return sa.Table(
        name, sa.MetaData(),
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('agency_id', ID, nullable=True),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('version', ID, nullable=False),
        sa.Column('title_id', sa.String(length=200), nullable=False),
        sa.Column('title_en', sa.String(length=200), nullable=False),
        sa.Column('preamble_id', sa.Text(), nullable=False),
        sa.Column('preamble_en', sa.Text(), nullable=False),
        sa.Column('commitments', sa.JSON(), nullable=False),
        sa.Column('closing_id', sa.Text(), nullable=False),
        sa.Column('closing_en', sa.Text(), nullable=False),
        sa.Column('signer_name', sa.String(length=200), nullable=True),
        sa.Column('signer_title', sa.String(length=200), nullable=True),
        sa.Column('canonical_text', sa.Text(), nullable=False),
        sa.Column('text_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', ID, nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                                name=f'fk_{name}_agency_id_agencies'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=f'fk_{name}_created_by_id_users'),
        sa.PrimaryKeyConstraint('id', name=f'pk_{name}'),
        sa.UniqueConstraint('agency_id', 'key', 'version',
                            name=f'uq_{name}_agency_id_key_version'),
        sa.Index(f'ix_{name}_agency_id', 'agency_id'),
        sa.Index(f'ix_{name}_key', 'key'),
    )


def _signatures(texts: str, prefix: str) -> sa.Table:
    """pledges_signatures as it stands, its pledge text columns named ``<prefix>_*``."""
    t = 'pledges_signatures'
    return sa.Table(
        t, sa.MetaData(),
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('user_id', ID, nullable=False),
        sa.Column('program_id', ID, nullable=False),
        sa.Column('agency_id', ID, nullable=False),
        sa.Column('unit_id', ID, nullable=True),
        sa.Column(f'{prefix}_id', ID, nullable=False),
        sa.Column(f'{prefix}_key', sa.String(length=80), nullable=False),
        sa.Column(f'{prefix}_version', ID, nullable=False),
        sa.Column('shown_text', sa.Text(), nullable=False),
        sa.Column('text_sha256', sa.String(length=64), nullable=False),
        sa.Column('identity', sa.JSON(), nullable=False),
        sa.Column('signature_png', sa.LargeBinary(), nullable=True),
        sa.Column('signature_png_sha256', sa.String(length=64), nullable=True),
        sa.Column('typed_name', sa.String(length=200), nullable=True),
        sa.Column('commitments_ticked', sa.JSON(), nullable=False),
        sa.Column('reauth_method', sa.String(length=40), nullable=False),
        sa.Column('reauth_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('client_ip', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.String(length=400), nullable=True),
        sa.Column('canonical_record', sa.Text(), nullable=False),
        sa.Column('record_sha256', sa.String(length=64), nullable=False),
        sa.Column('seal_kid', sa.String(length=32), nullable=False),
        sa.Column('seal_signature', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=f'fk_{t}_agency_id_agencies'),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'],
                                name=f'fk_{t}_program_id_programs'),
        sa.ForeignKeyConstraint([f'{prefix}_id'], [f'{texts}.id'],
                                name=f'fk_{t}_{prefix}_id_{texts}'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=f'fk_{t}_unit_id_units'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=f'fk_{t}_user_id_users'),
        sa.PrimaryKeyConstraint('id', name=f'pk_{t}'),
        sa.UniqueConstraint('record_sha256', name=f'uq_{t}_record_sha256'),
        sa.UniqueConstraint('user_id', 'program_id', f'{prefix}_id',
                            name=f'uq_{t}_user_id_program_id_{prefix}_id'),
        sa.Index(f'ix_{t}_agency_id', 'agency_id'),
        sa.Index('ix_pledges_signatures_program_user', 'program_id', 'user_id'),
        sa.Index(f'ix_{t}_user_id', 'user_id'),
    )


def _rename(old: str, new: str, old_prefix: str, new_prefix: str) -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if not postgresql:
        # The tables are copied into new ones below while other tables point at them, which
        # SQLite's foreign key checks refuse (a deferred check counts the violation of the drop
        # and never uncounts it). They are switched off for the copy and the whole database is
        # checked after it. The pragma only changes outside a transaction: end the one the steps
        # before have opened (their work is complete).
        sqlite_foreign_keys(False)
    op.rename_table(old, new)
    for old_column, new_column in COLUMNS if old_prefix == 'template' else \
            [(b, a) for a, b in COLUMNS]:
        op.execute(f'ALTER TABLE pledges_signatures RENAME COLUMN {old_column} TO {new_column}')
    if postgresql:
        for kind in ('pk_{}', 'uq_{}_agency_id_key_version', 'fk_{}_agency_id_agencies',
                     'fk_{}_created_by_id_users'):
            op.execute(f'ALTER TABLE {new} RENAME CONSTRAINT {kind.format(old)} '
                       f'TO {kind.format(new)}')
        for kind in ('ix_{}_agency_id', 'ix_{}_key'):
            op.execute(f'ALTER INDEX {kind.format(old)} RENAME TO {kind.format(new)}')
        op.execute(f'ALTER SEQUENCE IF EXISTS {old}_id_seq RENAME TO {new}_id_seq')
        op.execute('ALTER TABLE pledges_signatures RENAME CONSTRAINT '
                   f'fk_pledges_signatures_{old_prefix}_id_{old} '
                   f'TO fk_pledges_signatures_{new_prefix}_id_{new}')
        op.execute('ALTER TABLE pledges_signatures RENAME CONSTRAINT '
                   f'uq_pledges_signatures_user_id_program_id_{old_prefix}_id '
                   f'TO uq_pledges_signatures_user_id_program_id_{new_prefix}_id')
    else:
        # SQLite keeps constraint names in the table's SQL: copy each table into one with the new
        # names (the indexes are made again with it)
        with op.batch_alter_table(new, recreate='always', copy_from=_texts(new)):
            pass
        with op.batch_alter_table('pledges_signatures', recreate='always',
                                  copy_from=_signatures(new, new_prefix)):
            pass
        sqlite_foreign_keys(True)


def upgrade() -> None:
    _rename('pledges_templates', 'pledges_texts', 'template', 'text')


def downgrade() -> None:
    _rename('pledges_texts', 'pledges_templates', 'text', 'template')
