"""first_purchases indexed by (session_id, seq)

A replay folding the log events a..b needs the first purchases that happened in a..b; with
this index that is one range read instead of a primary-key probe per buyer key.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_first_purchases_session_seq", "first_purchases", ["session_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_first_purchases_session_seq", table_name="first_purchases")
