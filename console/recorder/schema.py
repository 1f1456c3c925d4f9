"""Table definitions (SQLAlchemy Core) for recordings."""

from __future__ import annotations

import sqlalchemy as sa

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id", sa.String(128), primary_key=True),
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
)

events = sa.Table(
    "events", metadata,
    sa.Column("session_id", sa.String(128), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("feed_seq", sa.BigInteger, nullable=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("session_id", "seq"),
    sa.UniqueConstraint("session_id", "feed_seq"),
    sa.Index("ix_events_session_ts", "session_id", "ts"),
    sa.Index("ix_events_session_type_seq", "session_id", "type", "seq"),
)

snapshots = sa.Table(
    "snapshots", metadata,
    sa.Column("session_id", sa.String(128), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)

#: The log seq at which each buyer key first paid. Keyed in seq order (not by buyer key): the
#: recorder appends at the end of the tree instead of inserting at random buyer ids all over
#: it, which rewrote most of its pages into the WAL on every commit (migration 0003).
first_purchases = sa.Table(
    "first_purchases", metadata,
    sa.Column("session_id", sa.String(128), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sqlite_with_rowid=False,
)
