"""Alembic environment of the deliberation database; run by ``deliberation.db.run_migrations``."""

from __future__ import annotations

from alembic import context

from deliberation.db import VERSION_TABLE
from deliberation.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the programmatic path is supported
    raise RuntimeError("run these migrations through deliberation.db.run_migrations")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
