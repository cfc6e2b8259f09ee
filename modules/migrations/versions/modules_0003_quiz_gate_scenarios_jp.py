"""quiz gate, scenario questions, JP hours from the module's length

modules_modules.require_all_lessons_read (the quiz opens once every lesson is read; true for the
modules already imported), modules_questions.scenario (false), and modules_modules.jp_hours may be
NULL: a pack without jp_hours gets its JP hours from its reading time and quiz time limit.

Revision ID: modules_0003
Revises: modules_0002
Create Date: 2026-12-04 21:36:49.035850
"""
from alembic import op
import sqlalchemy as sa


revision = 'modules_0003'
down_revision = 'modules_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('modules_modules', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('require_all_lessons_read', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.alter_column('jp_hours', existing_type=sa.Float(), nullable=True)

    with op.batch_alter_table('modules_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scenario', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('modules_questions', schema=None) as batch_op:
        batch_op.drop_column('scenario')

    op.execute(sa.text('UPDATE modules_modules SET jp_hours = 0 WHERE jp_hours IS NULL'))
    with op.batch_alter_table('modules_modules', schema=None) as batch_op:
        batch_op.alter_column('jp_hours', existing_type=sa.Float(), nullable=False)
        batch_op.drop_column('require_all_lessons_read')
