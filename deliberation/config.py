"""Settings of the deliberation part (env prefix ``DELIB_``), built by the hub in ``register``."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeliberationSettings(BaseSettings):
    """Tunables of proposals and polls; every value has a safe default."""

    model_config = SettingsConfigDict(env_prefix="DELIB_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DELIB_DATABASE_URL", "LINLI_DELIBERATION_DATABASE_URL"),
    )
    """SQLAlchemy URL of the deliberation database; default
    ``sqlite:///<LINLI_DATA_DIR>/deliberation.db``. It may be the case database on PostgreSQL:
    the tables are prefixed ``delib_`` and the migrations keep their own version table."""
    seed_demo_households: bool = True
    """Seed the demo community's household register (buildings 1–20) when it is empty."""
    max_text_chars: int = 1000
    """Longest 'what' or 'why' of a proposal."""
    duplicate_threshold: float = 0.5
    """Similarity (0–1, character bigrams) above which a proposal is flagged as a likely
    duplicate of an open one."""
    default_poll_days: int = 7
    """A poll opened without a closing time closes after this many days."""
    sweep_interval_s: float = 60.0
    """How often the hub tells the participants of newly closed polls their outcome (0: never;
    staff can still announce from the console)."""
    case_timeout_s: float = 10.0
    """Timeout of the call to the case system when a decision spawns a case."""
