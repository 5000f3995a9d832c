"""Alembic migrations: head matches the ORM models on SQLite and PostgreSQL; idempotent."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from cases.db import make_engine
from cases.migrate import upgrade_to_head
from cases.models import Base


def test_head_matches_models(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to_head(engine)
    upgrade_to_head(engine)  # idempotent
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == [], diff
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_postgres_urls_use_psycopg3() -> None:
    from cases.db import normalize_url

    assert normalize_url("postgresql://u:p@h:5432/d").startswith("postgresql+psycopg://u:p@h")
    assert normalize_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_downgrade_to_base_and_back(db_url: str) -> None:
    from alembic import command

    from cases.migrate import alembic_config

    engine = make_engine(db_url)
    upgrade_to_head(engine)
    command.downgrade(alembic_config(engine), "base")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(engine)
    with engine.connect() as conn:
        assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
    engine.dispose()


def test_wait_for_database_retries_then_gives_up() -> None:
    import socket

    import pytest
    from sqlalchemy.exc import OperationalError

    from cases.db import wait_for_database

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here
    engine = make_engine(f"postgresql://nobody@127.0.0.1:{port}/none?connect_timeout=1")
    with pytest.raises(OperationalError):
        wait_for_database(engine, timeout_s=1.5)
    engine.dispose()


def test_wait_for_database_returns_when_up(tmp_path, monkeypatch) -> None:
    import time

    import cases.db
    from cases.db import wait_for_database

    def no_retry(seconds: float) -> None:
        raise AssertionError(f"retried (slept {seconds} s) although the database was up")

    monkeypatch.setattr(cases.db.time, "sleep", no_retry)
    engine = make_engine(f"sqlite:///{tmp_path / 'up.db'}")
    started = time.monotonic()
    assert wait_for_database(engine, timeout_s=1) is None  # returned: the database answered
    assert time.monotonic() - started < 0.5
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
