"""action_tokens becomes one_time_links (the glossary's word), with its keys and index renamed

Revision ID: lms_0004
Revises: lms_0003
Create Date: 2027-01-10 09:00:00
"""
from alembic import op

revision = 'lms_0004'
down_revision = 'lms_0003'
branch_labels = None
depends_on = None

_FKS = (("user_id", "CASCADE"), ("issued_by_id", "SET NULL"))


def _rename(old: str, new: str) -> None:
    op.rename_table(old, new)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
        for column, _ondelete in _FKS:
            op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT fk_{old}_{column}_users "
                       f"TO fk_{new}_{column}_users")
        op.execute(f"ALTER INDEX ix_{old}_user_id RENAME TO ix_{new}_user_id")
        return
    # SQLite cannot rename a constraint: the batch copies the table with the new names.
    with op.batch_alter_table(new, recreate="always") as batch_op:
        for column, ondelete in _FKS:
            batch_op.drop_constraint(f"fk_{old}_{column}_users", type_="foreignkey")
            batch_op.create_foreign_key(f"fk_{new}_{column}_users", "users", [column], ["id"],
                                        ondelete=ondelete)
        batch_op.drop_index(f"ix_{old}_user_id")
        batch_op.create_index(f"ix_{new}_user_id", ["user_id"], unique=False)


def upgrade() -> None:
    _rename("action_tokens", "one_time_links")


def downgrade() -> None:
    _rename("one_time_links", "action_tokens")
