"""Telegram front end of Linli (python-telegram-bot 22): ``python -m bot``."""

from bot.app import build_application, running
from bot.config import BotSettings

__all__ = [
    "BotSettings",
    "build_application",
    "running",
]
