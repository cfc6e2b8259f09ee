"""programs.period dropped: a program's wording and dates come from its election

Downgrade restores the column filled with the name of each program's election.

Revision ID: lms_0006
Revises: lms_0005
Create Date: 2026-12-04 21:55:00.000000
"""

import sqlalchemy as sa
from alembic import op

from lms.migrate import sqlite_foreign_keys

revision = 'lms_0006'
down_revision = 'lms_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        sqlite_foreign_keys(False)
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('period')
    if sqlite:
        sqlite_foreign_keys(True)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        sqlite_foreign_keys(False)
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sa.String(length=100), nullable=True))
    if sqlite:
        sqlite_foreign_keys(True)
    programs = sa.table('programs', sa.column('election_id'), sa.column('period'))
    elections = sa.table('elections', sa.column('id'), sa.column('name'))
    name = sa.select(sa.func.substr(elections.c.name, 1, 100)).where(elections.c.id == programs.c.election_id)
    op.execute(programs.update().values(period=name.scalar_subquery()))
