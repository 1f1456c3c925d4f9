"""Alembic environment for Livedesk recordings (run programmatically, see console.recorder.db)."""

from __future__ import annotations

from alembic import context

from console.recorder.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when run from an alembic CLI
    import sqlalchemy as sa
    connection = sa.create_engine(config.get_main_option("sqlalchemy.url") or "").connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
