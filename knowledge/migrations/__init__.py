"""Alembic migrations of the FAQ store."""
