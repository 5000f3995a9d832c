"""Settings of the Telegram bot process (env prefix ``BOT_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_TOKENS = frozenset({"", "changethis", "123:ABC", "token", "your-token-here"})
"""Values that are obviously not a real bot token."""


class BotSettings(BaseSettings):
    """Telegram bot settings (hub/Rasa URLs and the service token: ``CommonSettings``)."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    token: SecretStr
    """Bot token from @BotFather (required, no default)."""
    api_base_url: str = "https://api.telegram.org/bot"
    """Bot API base; the token is appended (``{token}`` may appear in it). Tests and
    self-hosted Bot API servers point this elsewhere."""
    file_base_url: str = "https://api.telegram.org/file/bot"
    """Bot API file download base; the token is appended."""
    allowed_chats: list[int] = Field(default_factory=list)
    """Chat ids the bot answers (JSON list, e.g. ``[123,456]``); empty means everyone."""
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    """Public HTTPS URL Telegram posts updates to (webhook mode only)."""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    poll_timeout_s: int = 20
    """Long-poll timeout of getUpdates."""
    push_interval_s: float = 5.0
    """How often the outboxes (case system, 议事) are polled for messages to residents."""
    notices_interval_s: float = 30.0
    """How often the community notice feed is read for new notices to push."""
    notice_max_age_h: float = 72.0
    """Notices published longer ago than this are not pushed any more (a new bot does not
    flood residents with old ones)."""
    notice_send_gap_s: float = 0.05
    """Pause between two notice messages (Telegram allows about 30 a second)."""
    retry_interval_s: float = 3.0
    """How often messages kept during an outage are retried."""
    actions_url: str = "http://127.0.0.1:5055"
    """Action server base URL (only its ``/health`` is used, to detect outages)."""
    health_cache_s: float = 0.0
    """Reuse a healthy check of Rasa/actions/hub this long (0: check before every message;
    concurrent checks are shared either way)."""
    rasa_timeout_s: float = 30.0
    uncertain_grace_s: float = 60.0
    """After Rasa timed out or failed on a message, wait this long before reading its tracker
    to decide whether the message must be sent again (Rasa may still be working on it)."""
    hub_timeout_s: float = 10.0
    state_db: Path | None = None
    """SQLite file for the durable queue and chat state; default ``<data_dir>/bot.db``."""
    max_voice_s: float = 60.0
    """Longest voice note accepted."""
    max_photo_bytes: int = 5 * 1024 * 1024
    """Largest photo kept for a case."""
    attach_window_s: float = 1800.0
    """A photo/location sent this soon after a case was created is attached to it directly."""
    tts_rate: int = 110
    """Speech rate of the voice replies in 长辈模式 (espeak words per minute, slow)."""
    voice_engine: Literal["whisper", "fake"] = "whisper"
    """Recogniser for voice notes; ``fake`` only in tests."""
    max_concurrent_updates: int = 64
    """Updates handled at once (per-chat order is kept by the bot itself)."""

    @field_validator("token")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value().strip() in PLACEHOLDER_TOKENS:
            raise ValueError("BOT_TOKEN is empty or a placeholder; set the token from @BotFather")
        return value

    def resolved_state_db(self, data_dir: Path) -> Path:
        """The bot's SQLite file, defaulting to ``bot.db`` in the data directory."""
        return self.state_db or data_dir / "bot.db"
