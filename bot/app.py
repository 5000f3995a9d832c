"""Build the PTB application: services, handlers, background loops (retry queue, the case and
议事 outboxes, community notices)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import handlers, texts
from bot.config import BotSettings
from bot.dialogue import Dialogue
from bot.health import HealthChecker
from bot.notices import NoticePusher
from bot.notify import (
    CaseUpdate,
    DeliberationUpdate,
    Outbox,
    OutboxPoller,
    push_case_update,
    push_deliberation_update,
)
from bot.speech import SpeechIO, build_speech
from bot.state import BotData, ChatData, CustomContext, Services
from bot.store import BotStore
from cases.client import CaseClient
from core.config import CommonSettings
from core.rasa_rest import RasaClient
from deliberation.client import DeliberationClient

logger = logging.getLogger(__name__)


def build_application(
    settings: BotSettings,
    common: CommonSettings,
    *,
    cases: CaseClient | None = None,
    deliberation: Outbox | None = None,
    speech: SpeechIO | None = None,
    store: BotStore | None = None,
) -> Application:
    """The bot application with every handler registered (not started).

    Args:
        settings: Bot settings (token, Bot API URLs, intervals).
        common: Shared settings (Rasa and hub URLs, service token, data dir).
        cases: The case system (default: ``CaseClient`` to the hub).
        deliberation: The 议事 outbox (default: ``DeliberationClient`` to the hub).
        speech: Voice engines (default: Whisper base + pyttsx3, when installed).
        store: Durable state (default: ``<data_dir>/bot.db``).
    """
    data_dir = common.ensure_data_dir()
    store = store or BotStore(settings.resolved_state_db(data_dir))
    rasa = RasaClient(
        common.rasa_url,
        timeout_s=settings.rasa_timeout_s,
        token=common.rasa_token_value(),
    )
    health = HealthChecker(
        common.rasa_url, settings.actions_url, common.hub_url, cache_s=settings.health_cache_s
    )
    cases = cases or CaseClient(
        common.hub_url, common.service_token, timeout=settings.hub_timeout_s
    )
    deliberation = deliberation or DeliberationClient(
        common.hub_url, common.service_token, timeout=settings.hub_timeout_s
    )
    if speech is None:
        speech = build_speech(
            settings.voice_engine,
            data_dir,
            max_seconds=settings.max_voice_s,
            tts_rate=settings.tts_rate,
        )
    dialogue = Dialogue(
        store=store,
        rasa=rasa,
        health=health,
        cases=cases,
        speech=speech,
        attach_window_s=settings.attach_window_s,
        uncertain_grace_s=settings.uncertain_grace_s,
    )
    context_types = ContextTypes(context=CustomContext, chat_data=ChatData, bot_data=BotData)
    application = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)
        .context_types(context_types)
        .concurrent_updates(settings.max_concurrent_updates)
        .request(HTTPXRequest(connection_pool_size=128, read_timeout=30.0, write_timeout=30.0))
        .get_updates_request(HTTPXRequest(read_timeout=settings.poll_timeout_s + 10.0))
        .post_init(start_background)
        .post_stop(stop_background)
        .post_shutdown(close_services)
        .build()
    )
    services = Services(
        settings=settings,
        store=store,
        rasa=rasa,
        health=health,
        cases=cases,
        speech=speech,
        dialogue=dialogue,
        deliberation=deliberation,
    )
    services.pollers = {
        CaseUpdate.SOURCE: OutboxPoller(application, cases, store, CaseUpdate),
        DeliberationUpdate.SOURCE: OutboxPoller(
            application, deliberation, store, DeliberationUpdate
        ),
    }
    services.notices = NoticePusher(
        cases,
        store,
        max_age_s=settings.notice_max_age_h * 3600.0,
        send_gap_s=settings.notice_send_gap_s,
        speak=dialogue.send_voice,
    )
    application.bot_data.services = services
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    """Register the gate, commands, message handlers, the push handler and the error handler."""
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("status", handlers.status))
    application.add_handler(CommandHandler("mode", handlers.mode))
    application.add_handler(CommandHandler("human", handlers.human))
    application.add_handler(CommandHandler("tongzhi", handlers.notice_settings))
    words = "|".join(texts.NOTICE_WORDS)
    application.add_handler(
        MessageHandler(
            filters.Regex(rf"^\s*({words})\s*$") & ~filters.COMMAND, handlers.notice_settings
        )
    )
    application.add_handler(MessageHandler(filters.VOICE | filters.AUDIO, handlers.on_voice))
    application.add_handler(
        MessageHandler(filters.PHOTO | filters.Document.IMAGE, handlers.on_photo)
    )
    application.add_handler(MessageHandler(filters.Document.ALL, handlers.on_photo))
    application.add_handler(MessageHandler(filters.LOCATION, handlers.on_location))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.on_text))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(TypeHandler(CaseUpdate, push_case_update))
    application.add_handler(TypeHandler(DeliberationUpdate, push_deliberation_update))
    application.add_error_handler(handlers.error_handler)


def _services(application: Application) -> Services:
    services = application.bot_data.services
    assert services is not None
    return services


async def start_background(application: Application) -> None:
    """Bind the bot, then start the retry loop (kept messages) and the outbox poller."""
    services = _services(application)
    settings = services.settings
    services.dialogue.bind(application.bot)
    tasks = [
        asyncio.create_task(
            services.dialogue.retry_forever(settings.retry_interval_s), name="bot-retry"
        )
    ]
    for source, poller in services.pollers.items():
        tasks.append(
            asyncio.create_task(
                poller.run_forever(settings.push_interval_s), name=f"bot-outbox-{source}"
            )
        )
    if services.notices is not None:
        services.notices.bind(application.bot)
        tasks.append(
            asyncio.create_task(
                services.notices.run_forever(settings.notices_interval_s), name="bot-notices"
            )
        )
    application.bot_data.tasks = tasks  # type: ignore[attr-defined]


async def stop_background(application: Application) -> None:
    """Stop the background loops."""
    tasks = getattr(application.bot_data, "tasks", [])
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def close_services(application: Application) -> None:
    """Close HTTP clients and the store."""
    services = _services(application)
    await services.rasa.aclose()
    await services.health.aclose()
    for client in (services.cases, services.deliberation):
        aclose = getattr(client, "aclose", None)
        if aclose is not None:
            await aclose()
    await services.store.aio.close()


@contextlib.asynccontextmanager
async def running(
    application: Application, *, poll_timeout_s: int = 1
) -> AsyncIterator[Application]:
    """Run the application with polling inside an existing event loop (tests, benchmarks)."""
    await application.initialize()
    await start_background(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout_s)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await stop_background(application)
        await application.shutdown()
        await close_services(application)
