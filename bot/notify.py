"""Case-status pushes: poll the case system's outbox, feed ``CaseUpdate``s through the update
queue (PTB custom-update pattern), deliver them, then acknowledge them."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.cases_gateway import CaseGateway
from bot.keyboards import rating_keyboard
from bot.state import CustomContext
from bot.store import BotStore
from core.errors import LinliError

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
RESOLVED = "resolved"
"""Case status after which the resident is asked to confirm (解决了 / 部分解决 / 没解决)."""


CONFIRM_WORDS = ("解决了", "办结", "处理好了")
"""Words of the case system's "resolved" notice (the outbox carries no status field yet)."""


def asks_confirmation(text: str, status: str) -> bool:
    """Whether this push is the resolution notice that gets 解决了 / 部分解决 / 没解决 buttons."""
    return status == RESOLVED and any(word in text for word in CONFIRM_WORDS)


@dataclass
class CaseUpdate:
    """A message from the case system for one resident (an outbox row)."""

    outbox_id: int
    """Outbox row id (acknowledged after delivery)."""
    case_no: str
    chat_id: int
    text: str


class OutboxPoller:
    """Polls ``GET /api/outbox?channel=telegram`` and puts ``CaseUpdate``s on the update queue."""

    def __init__(self, application: Application, cases: CaseGateway, store: BotStore) -> None:
        """Remember where to put updates and how to reach the case system."""
        self.application = application
        self.cases = cases
        self.store = store
        self._in_flight: set[int] = set()

    async def poll_once(self) -> int:
        """Fetch undelivered messages once; returns how many were queued for delivery."""
        await self._ack_leftovers()
        items = await self.cases.fetch_outbox(CHANNEL, after=0)
        queued = 0
        for item in items:
            if item.id in self._in_flight:
                continue
            if self.store.push_delivered(item.id):
                # Delivered before a crash, never acknowledged: acknowledge, don't send twice.
                await self._ack([item.id])
                continue
            try:
                chat_id = int(item.recipient)
            except ValueError:
                logger.warning("Outbox %d has a bad recipient; skipped", item.id)
                continue
            self._in_flight.add(item.id)
            await self.application.update_queue.put(
                CaseUpdate(outbox_id=item.id, case_no=item.case_no, chat_id=chat_id, text=item.text)
            )
            queued += 1
        return queued

    def done(self, outbox_id: int) -> None:
        """The handler finished with this message (delivered or not)."""
        self._in_flight.discard(outbox_id)

    async def _ack(self, ids: list[int]) -> None:
        try:
            await self.cases.ack_outbox(ids, CHANNEL)
        except LinliError as exc:
            logger.warning("Outbox ack failed (kept for later): %s", exc)
            return
        self.store.mark_push_acked(ids)

    async def _ack_leftovers(self) -> None:
        leftovers = self.store.unacked_pushes()
        if leftovers:
            await self._ack(leftovers)

    async def run_forever(self, interval_s: float) -> None:
        """Background loop: poll every ``interval_s`` seconds."""
        while True:
            try:
                await self.poll_once()
            except LinliError as exc:
                logger.info("Outbox not reachable: %s", exc)
            except Exception:
                logger.exception("Outbox poll failed")
            await asyncio.sleep(interval_s)

    async def acknowledge(self, outbox_id: int) -> None:
        """Record delivery and tell the case system."""
        self.store.mark_push_delivered(outbox_id)
        await self._ack([outbox_id])


async def push_case_update(update: CaseUpdate, context: CustomContext) -> None:
    """Deliver one case-status change, with the confirmation buttons once it is resolved."""
    services = context.services
    poller = services.poller
    try:
        markup = None
        try:
            case = await services.cases.get_case(update.case_no)
        except LinliError:
            case = None
        prefs = services.store.prefs(update.chat_id)
        if case is not None and asks_confirmation(update.text, case.status):
            markup = rating_keyboard(update.case_no, elder_mode=prefs.elder_mode)
        try:
            await context.bot.send_message(update.chat_id, update.text, reply_markup=markup)
        except (Forbidden, BadRequest) as exc:
            # Blocked bot or unknown chat: it will never go through; don't let it pile up.
            logger.warning("Push %d undeliverable (%s); acknowledged", update.outbox_id, exc)
            if poller is not None:
                await poller.acknowledge(update.outbox_id)
            return
        except TelegramError:
            logger.exception("Push %d not delivered; will retry", update.outbox_id)
            return
        if poller is not None:
            await poller.acknowledge(update.outbox_id)
        else:
            services.store.mark_push_delivered(update.outbox_id)
        if prefs.elder_mode:
            await services.dialogue.send_voice(update.chat_id, update.text)
    finally:
        if poller is not None:
            poller.done(update.outbox_id)
