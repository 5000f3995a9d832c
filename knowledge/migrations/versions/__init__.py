"""Alembic revision files of the FAQ store."""
