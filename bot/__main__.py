"""Run the Telegram bot: ``python -m bot`` (polling by default, webhook optional)."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError
from telegram import Update

from bot.app import build_application
from bot.config import BotSettings
from core.config import CommonSettings
from core.logging import setup_logging

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Build the settings and the application, then poll (or serve the webhook) until stopped."""
    parser = argparse.ArgumentParser(description="Linli Telegram bot")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    common = CommonSettings()
    setup_logging("DEBUG" if args.debug else common.log_level)
    try:
        settings = BotSettings()  # type: ignore[call-arg]
    except ValidationError as exc:
        logger.error("Bot not started: %s", exc.errors()[0].get("msg", exc))
        return 2
    application = build_application(settings, common)
    if settings.mode == "webhook":
        if not settings.webhook_url:
            logger.error("BOT_MODE=webhook needs BOT_WEBHOOK_URL")
            return 2
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=settings.webhook_url,
            secret_token=(
                settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            ),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(
            allowed_updates=Update.ALL_TYPES, timeout=settings.poll_timeout_s, poll_interval=0.0
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
