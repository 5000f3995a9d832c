"""Telegram front end of Linli (python-telegram-bot 22): ``python -m bot``."""

from bot.app import build_application, running
from bot.config import BotSettings
from bot.rasa_client import BotMessage, Button, RasaClient, RasaUnavailable

__all__ = [
    "BotMessage",
    "BotSettings",
    "Button",
    "RasaClient",
    "RasaUnavailable",
    "build_application",
    "running",
]
