"""certificate designs: certificates_templates becomes certificates_designs

The glossary keeps "template" for Jinja files; the look of an agency's certificates is its
certificate design. The table, its constraints (and on PostgreSQL its id sequence) are renamed
to the naming convention; no data changes.

Revision ID: certificates_0003
Revises: certificates_0002
Create Date: 2026-12-01 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'certificates_0003'
down_revision = 'certificates_0002'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _table(name: str) -> sa.Table:
    """The table as it stands, with constraints named after ``name`` (for SQLite's batch copy)."""
    return sa.Table(
        name, sa.MetaData(),
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('agency_id', ID, nullable=False),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_mime', sa.String(length=40), nullable=True),
        sa.Column('primary_color', sa.String(length=7), nullable=False),
        sa.Column('accent_color', sa.String(length=7), nullable=False),
        sa.Column('title_id', sa.String(length=200), nullable=False),
        sa.Column('title_en', sa.String(length=200), nullable=False),
        sa.Column('signer_name', sa.String(length=200), nullable=True),
        sa.Column('signer_title', sa.String(length=200), nullable=True),
        sa.Column('signature', sa.LargeBinary(), nullable=True),
        sa.Column('jp_hours', sa.Float(), nullable=True),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                                name=f'fk_{name}_agency_id_agencies'),
        sa.PrimaryKeyConstraint('id', name=f'pk_{name}'),
        sa.UniqueConstraint('agency_id', name=f'uq_{name}_agency_id'),
    )


def _rename(old: str, new: str) -> None:
    op.rename_table(old, new)
    if op.get_bind().dialect.name == 'postgresql':
        for kind in ('pk_{}', 'uq_{}_agency_id', 'fk_{}_agency_id_agencies'):
            op.execute(f'ALTER TABLE {new} RENAME CONSTRAINT {kind.format(old)} '
                       f'TO {kind.format(new)}')
        op.execute(f'ALTER SEQUENCE IF EXISTS {old}_id_seq RENAME TO {new}_id_seq')
    else:
        # SQLite keeps constraint names in the table's SQL: copy it into one with the new names
        with op.batch_alter_table(new, recreate='always', copy_from=_table(new)):
            pass


def upgrade() -> None:
    _rename('certificates_templates', 'certificates_designs')


def downgrade() -> None:
    _rename('certificates_designs', 'certificates_templates')
