"""Alembic environment of the FAQ store; run programmatically by ``knowledge.db.run_migrations``."""

from __future__ import annotations

from alembic import context

from knowledge.db import VERSION_TABLE
from knowledge.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the programmatic path is supported
    raise RuntimeError("run knowledge migrations through knowledge.db.run_migrations")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
