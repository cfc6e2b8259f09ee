"""quiz attempts and module versions: modules_attempts becomes modules_quiz_attempts

The glossary calls one sitting of a module's quiz an attempt (table modules_quiz_attempts) and a
numbered stored copy that replaces the one before a version: the module's revision column becomes
version, and the label the content pack gives itself (was version) becomes pack_version. The
tables' constraints and indexes (and on PostgreSQL the id sequence) are renamed to the naming
convention. No data changes.

Revision ID: modules_0002
Revises: modules_0001
Create Date: 2026-12-01 11:00:00.000000
"""
from alembic import op

from lms.migrate import sqlite_foreign_keys
import sqlalchemy as sa


revision = 'modules_0002'
down_revision = 'modules_0001'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
COLUMNS = (('version', 'pack_version'), ('revision', 'version'))  # in this order


def _modules(number: str) -> sa.Table:
    """modules_modules as it stands, its numbering column named ``number``."""
    t = 'modules_modules'
    return sa.Table(
        t, sa.MetaData(),
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('slug', sa.String(length=100), nullable=False),
        sa.Column(number, sa.Integer(), nullable=False),
        sa.Column('pack_version' if number == 'version' else 'version', sa.Integer(),
                  nullable=False),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('jp_hours', sa.Float(), nullable=False),
        sa.Column('pass_mark', sa.Integer(), nullable=False),
        sa.Column('questions_per_attempt', sa.Integer(), nullable=False),
        sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
        sa.Column('max_attempts', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=f'pk_{t}'),
        sa.UniqueConstraint('slug', number, name=f'uq_{t}_slug_{number}'),
        sa.Index(f'ix_{t}_slug', 'slug'),
    )


def _attempts(name: str) -> sa.Table:
    """The attempt table as it stands, with constraints and indexes named after ``name``."""
    return sa.Table(
        name, sa.MetaData(),
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('user_id', ID, nullable=False),
        sa.Column('module_id', ID, nullable=False),
        sa.Column('slug', sa.String(length=100), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('question_ids', sa.JSON(), nullable=False),
        sa.Column('choice_order', sa.JSON(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('passed', sa.Boolean(), nullable=True),
        sa.Column('answers', sa.JSON(), nullable=True),
        sa.Column('results', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['module_id'], ['modules_modules.id'],
                                name=f'fk_{name}_module_id_modules_modules'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=f'fk_{name}_user_id_users'),
        sa.PrimaryKeyConstraint('id', name=f'pk_{name}'),
        sa.UniqueConstraint('user_id', 'slug', 'number', name=f'uq_{name}_user_id_slug_number'),
        sa.Index(f'ix_{name}_module_id', 'module_id'),
        sa.Index(f'ix_{name}_slug_passed', 'slug', 'passed'),
        sa.Index(f'ix_{name}_user_id', 'user_id'),
    )


def _rename(old: str, new: str, columns: tuple[tuple[str, str], ...], number: str) -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if not postgresql:
        # modules_modules is copied into a new table while other tables point at it, which
        # SQLite's foreign key checks refuse (a deferred check counts the violation of the drop
        # and never uncounts it). They are switched off for the copy and the whole database is
        # checked after it. The pragma only changes outside a transaction: end the one the steps
        # before have opened (their work is complete).
        sqlite_foreign_keys(False)
    op.rename_table(old, new)
    for old_column, new_column in columns:
        op.execute(f'ALTER TABLE modules_modules RENAME COLUMN {old_column} TO {new_column}')
    if postgresql:
        before = 'version' if number == 'revision' else 'revision'
        op.execute(f'ALTER TABLE modules_modules RENAME CONSTRAINT '
                   f'uq_modules_modules_slug_{before} TO uq_modules_modules_slug_{number}')
        for kind in ('pk_{}', 'uq_{}_user_id_slug_number', 'fk_{}_module_id_modules_modules',
                     'fk_{}_user_id_users'):
            op.execute(f'ALTER TABLE {new} RENAME CONSTRAINT {kind.format(old)} '
                       f'TO {kind.format(new)}')
        for kind in ('ix_{}_module_id', 'ix_{}_slug_passed', 'ix_{}_user_id'):
            op.execute(f'ALTER INDEX {kind.format(old)} RENAME TO {kind.format(new)}')
        op.execute(f'ALTER SEQUENCE IF EXISTS {old}_id_seq RENAME TO {new}_id_seq')
    else:
        # SQLite keeps constraint names in the table's SQL: copy each table into one with the new
        # names (the indexes are made again with it)
        with op.batch_alter_table('modules_modules', recreate='always',
                                  copy_from=_modules(number)):
            pass
        with op.batch_alter_table(new, recreate='always', copy_from=_attempts(new)):
            pass
        sqlite_foreign_keys(True)


def upgrade() -> None:
    _rename('modules_attempts', 'modules_quiz_attempts', COLUMNS, 'version')


def downgrade() -> None:
    _rename('modules_quiz_attempts', 'modules_attempts',
            tuple((b, a) for a, b in reversed(COLUMNS)), 'revision')
