"""initial schema: sessions, events, snapshots, first_purchases

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("room", sa.String(256)),
        sa.Column("title", sa.String(512)),
        sa.Column("platform", sa.String(64)),
        sa.Column("currency", sa.String(16)),
        sa.Column("started_at", sa.Float),
        sa.Column("ended_at", sa.Float),
        sa.Column("source_url", sa.String(1024)),
        sa.Column("meta", sa.JSON),
        sa.Column("events", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("gmv", sa.Float, nullable=False, server_default="0"),
        sa.Column("orders", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("buyers", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("peak_online", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_feed_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.Float),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_table(
        "events",
        sa.Column("session_id", sa.String(128), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("feed_seq", sa.BigInteger, nullable=True),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("session_id", "seq", name="uq_events_session_id_seq"),
        sa.UniqueConstraint("session_id", "feed_seq", name="uq_events_session_id_feed_seq"),
    )
    op.create_index("ix_events_session_ts", "events", ["session_id", "ts"])
    op.create_index("ix_events_session_type_seq", "events", ["session_id", "type", "seq"])
    op.create_table(
        "snapshots",
        sa.Column("session_id", sa.String(128), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("session_id", "seq", name="pk_snapshots"),
    )
    op.create_table(
        "first_purchases",
        sa.Column("session_id", sa.String(128), nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("session_id", "key", name="pk_first_purchases"),
    )


def downgrade() -> None:
    op.drop_table("first_purchases")
    op.drop_table("snapshots")
    op.drop_index("ix_events_session_type_seq", table_name="events")
    op.drop_index("ix_events_session_ts", table_name="events")
    op.drop_table("events")
    op.drop_table("sessions")
