"""Settings for every Linli process, read from the environment / .env (built in main(), never
at import)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """Settings every process shares."""

    model_config = SettingsConfigDict(env_prefix="LINLI_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    """Where databases, provisioned models, uploads and indexes live."""
    log_level: str = "INFO"
    hub_url: str = "http://127.0.0.1:8000"
    """Base URL of the hub (case system, knowledge base) for the actions and the bot."""
    rasa_url: str = "http://127.0.0.1:5005"
    """Base URL of the Rasa server (REST channel, /model/parse)."""
    rasa_token: SecretStr | None = None
    """Token of Rasa's HTTP API (``/conversations/…``, ``/model/…``, ``/status``).

    No default: ``./linli run`` generates one into ``var/secrets.env`` and starts Rasa with it
    (``nlu/serve.py``); the REST channel itself needs none, but it listens on loopback only.
    """
    timezone: str = "Asia/Shanghai"
    """The one time zone of times shown to people (slips, console, CSV, replies); stored times
    are UTC (``core/localtime.py``)."""
    service_token: str | None = None
    """Shared secret the actions and the bot send to the hub's internal endpoints.

    No default: ``./linli run`` generates one into ``var/secrets.env`` on first use.
    """

    def rasa_token_value(self) -> str | None:
        """The Rasa API token as a plain string (None when not configured)."""
        return self.rasa_token.get_secret_value() if self.rasa_token else None

    def ensure_data_dir(self) -> Path:
        """Create the data directory if needed and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


class HubSettings(CommonSettings):
    """Settings of the hub process (FastAPI)."""

    host: str = "127.0.0.1"
    port: int = 8000
    cases_database_url: str | None = None
    """SQLAlchemy URL of the case database; default ``sqlite:///<data_dir>/cases.db``."""
    kb_database_url: str | None = None
    """SQLAlchemy URL of the FAQ store; default ``sqlite:///<data_dir>/knowledge.db``."""

    def resolved_cases_url(self) -> str:
        """The case database URL, defaulting to SQLite in the data directory."""
        return self.cases_database_url or f"sqlite:///{self.data_dir.resolve() / 'cases.db'}"

    def resolved_kb_url(self) -> str:
        """The FAQ store URL, defaulting to SQLite in the data directory."""
        return self.kb_database_url or f"sqlite:///{self.data_dir.resolve() / 'knowledge.db'}"


class ActionsSettings(CommonSettings):
    """Settings of the rasa-sdk action server."""

    hub_timeout_s: float = 10.0
    pending_retry_s: float = 15.0
    """How often confirmed submissions waiting for an unreachable hub are sent again."""
