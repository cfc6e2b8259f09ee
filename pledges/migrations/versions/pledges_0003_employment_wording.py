"""pledge texts: employment_wording (signer-dependent values per employment type)

A pledge text version may name different rules for a PNS, a PPPK and a non-ASN signer (the
sanction clause). Their values are part of the version, stored in this column (NULL for the
versions before it).

Revision ID: pledges_0003
Revises: pledges_0002
Create Date: 2026-12-04 22:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'pledges_0003'
down_revision = 'pledges_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pledges_texts') as batch_op:
        batch_op.add_column(sa.Column('employment_wording', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('pledges_texts') as batch_op:
        batch_op.drop_column('employment_wording')
