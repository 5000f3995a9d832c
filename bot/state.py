"""Typed per-chat and per-process state for the handlers (PTB ``ContextTypes``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.config import BotSettings
    from bot.dialogue import Dialogue
    from bot.health import HealthChecker
    from bot.notices import NoticePusher
    from bot.notify import Outbox, OutboxPoller
    from bot.speech import SpeechIO
    from bot.store import BotStore
    from cases.client import CaseClient
    from core.rasa_rest import RasaClient


class ChatData:
    """Per-chat, in-memory state (durable per-chat state lives in ``BotStore.prefs``)."""

    def __init__(self) -> None:
        """A new chat has heard nothing yet."""
        self.last_heard: str | None = None
        """The last voice note's transcript (shown as 我听到的是：…)."""
        self.voice_notes: int = 0
        """Voice notes received in this process's life."""


@dataclass
class Services:
    """What the handlers use: built once in ``build_application``."""

    settings: BotSettings
    store: BotStore
    rasa: RasaClient
    health: HealthChecker
    cases: CaseClient
    speech: SpeechIO
    dialogue: Dialogue
    deliberation: Outbox | None = None
    """The deliberation part's outbox (``deliberation.client.DeliberationClient``)."""
    pollers: dict[str, OutboxPoller] = field(default_factory=dict)
    """Outbox pollers by source (``cases``, ``yishi``)."""
    notices: NoticePusher | None = None
    """Pushes community notices and keeps each chat's notice setting."""


class BotData:
    """Process-wide state: the services (set right after the application is built)."""

    def __init__(self) -> None:
        """Empty until ``build_application`` fills it."""
        self.services: Services | None = None


class CustomContext(CallbackContext[ExtBot, dict, ChatData, BotData]):
    """Callback context with typed chat data and the bot's services."""

    @property
    def services(self) -> Services:
        """The bot's services."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("bot services not set up")
        return services


LinliApplication = Application[ExtBot, CustomContext, dict, ChatData, BotData, object]
"""The application type of this bot."""
