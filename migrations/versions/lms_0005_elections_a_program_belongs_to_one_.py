"""elections: a program belongs to one election

Existing programs get an election each, made from their period (or title) with the deadline as a
provisional voting day; the platform admin corrects them on the elections page.

Revision ID: lms_0005
Revises: lms_0004
Create Date: 2026-12-04 21:27:33.329990
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

from lms.migrate import sqlite_foreign_keys

revision = 'lms_0005'
down_revision = 'lms_0004'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _backfill() -> None:
    bind = op.get_bind()
    programs = sa.table('programs', sa.column('id'), sa.column('title'), sa.column('period'),
                        sa.column('deadline'), sa.column('election_id'))
    elections = sa.table('elections', sa.column('id'), sa.column('kind'), sa.column('name'),
                         sa.column('voting_day'), sa.column('created_at'))
    made: dict[str, int] = {}
    for pid, title, period, deadline in bind.execute(
            sa.select(programs.c.id, programs.c.title, programs.c.period, programs.c.deadline)).all():
        name = (period or title)[:200]
        if name not in made:
            kind = 'pilkada_serentak' if 'pilkada' in name.lower() else 'pemilu'
            made[name] = bind.execute(elections.insert().values(
                kind=kind, name=name, voting_day=deadline,
                created_at=dt.datetime.now(dt.UTC)).returning(elections.c.id)).scalar_one()
        bind.execute(programs.update().where(programs.c.id == pid).values(election_id=made[name]))


def upgrade() -> None:
    op.create_table('elections',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('kind', sa.Enum('pemilu', 'pilkada_serentak', 'pilkada_ulang', name='election_kind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('voting_day', sa.Date(), nullable=False),
    sa.Column('campaign_starts_on', sa.Date(), nullable=True),
    sa.Column('campaign_ends_on', sa.Date(), nullable=True),
    sa.Column('region', sa.String(length=200), nullable=True),
    sa.Column('guidance', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elections'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('election_id', _ID, nullable=True))
    _backfill()
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        sqlite_foreign_keys(False)
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.alter_column('election_id', existing_type=_ID, nullable=False)
        batch_op.create_index(batch_op.f('ix_programs_election_id'), ['election_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_programs_election_id_elections'), 'elections', ['election_id'], ['id'])
    if sqlite:
        sqlite_foreign_keys(True)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        sqlite_foreign_keys(False)
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_programs_election_id_elections'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_programs_election_id'))
        batch_op.drop_column('election_id')
    if sqlite:
        sqlite_foreign_keys(True)
    op.drop_table('elections')
