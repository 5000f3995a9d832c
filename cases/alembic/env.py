"""Alembic environment of the case database (SQLite with batch mode, or PostgreSQL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from cases.db import lock_for_setup, make_engine
from cases.models import Base

config = context.config
target_metadata = Base.metadata


def _run(engine: Engine) -> None:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            lock_for_setup(connection)  # another replica migrating? wait, then find head
            context.run_migrations()
        connection.commit()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it."""
    url = config.get_main_option("url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the engine passed by cases.migrate (or one built from the URL)."""
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("url") or "")
    _run(engine)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
