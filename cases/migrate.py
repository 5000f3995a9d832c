"""Run the case database's Alembic migrations programmatically (hub startup, CLI, tests)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

logger = logging.getLogger(__name__)

ALEMBIC_DIR = Path(__file__).parent / "alembic"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config for this engine, without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database schema to the newest revision (``alembic upgrade head``)."""
    logger.info("Migrating the case database to head")
    command.upgrade(alembic_config(engine), "head")
