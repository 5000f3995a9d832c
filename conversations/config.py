"""Where Rasa's tracker store is (the hub reads it for residents' requests and retention)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TrackerSettings(BaseSettings):
    """The tracker store's setting (the names the case system read it by still work)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    rasa_tracker_db: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "CASES_RASA_TRACKER_URL", "LINLI_RASA_TRACKER_URL",
            "CASES_RASA_TRACKER_DB", "LINLI_RASA_TRACKER_DB",
        ),
    )  # fmt: skip
    """Rasa's SQL tracker store, for idle-conversation retention and residents' export and
    deletion requests: a SQLAlchemy URL (``CASES_RASA_TRACKER_URL`` / ``LINLI_RASA_TRACKER_URL``,
    e.g. the compose deployment's PostgreSQL database) or a SQLite file path
    (``CASES_RASA_TRACKER_DB`` / ``LINLI_RASA_TRACKER_DB``); a URL wins over a path.
    Default ``<LINLI_DATA_DIR>/rasa_tracker.db``."""
