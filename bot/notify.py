"""Pushes from the hub's outboxes: poll an outbox (the case system's, the deliberation part's),
feed one update per message through the update queue (PTB custom-update pattern), deliver it,
then acknowledge it. A message is recorded as delivered before it is acknowledged, so a crash or
a hub outage in between never sends it twice; a chat that blocked the bot is acknowledged too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.ids import chat_of, chat_ref
from bot.keyboards import rating_keyboard
from bot.state import CustomContext
from bot.store import CASES_SOURCE, BotStore
from core.errors import LinliError

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
RESOLVED = "resolved"
"""Case status after which the resident is asked to confirm (解决了 / 部分解决 / 没解决)."""
DELIBERATION_SOURCE = "yishi"
"""Outbox source name of the deliberation part (议事)."""


CONFIRM_WORDS = ("解决了", "办结", "处理好了")
"""Words of the case system's "resolved" notice (the outbox carries no status field yet)."""


def asks_confirmation(text: str, status: str) -> bool:
    """Whether this push is the resolution notice that gets 解决了 / 部分解决 / 没解决 buttons."""
    return status == RESOLVED and any(word in text for word in CONFIRM_WORDS)


class OutboxItemLike(Protocol):
    """What every hub outbox row has (``OutboxItem`` of the cases, ``OutboxOut`` of 议事)."""

    id: int
    recipient: str
    text: str


class Outbox(Protocol):
    """An outbox of the hub: ``CaseClient`` and ``DeliberationClient`` both are one."""

    async def fetch_outbox(
        self, channel: str, after: int = 0, limit: int = 100
    ) -> Sequence[OutboxItemLike]:
        """Undelivered messages of a channel."""
        ...

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        """Mark messages delivered."""
        ...


@dataclass
class Push:
    """A message from an outbox for one resident (one outbox row)."""

    SOURCE: ClassVar[str] = ""
    """Which outbox it came from (its key in the store's ``outbox_pushes``)."""

    outbox_id: int
    """Outbox row id (acknowledged after delivery)."""
    chat_id: int
    text: str

    @classmethod
    def from_item(cls, item: OutboxItemLike, chat_id: int) -> Push:
        """The update for an outbox row."""
        return cls(outbox_id=item.id, chat_id=chat_id, text=item.text)


@dataclass
class CaseUpdate(Push):
    """A message from the case system (status changes, the resolution question)."""

    SOURCE: ClassVar[str] = CASES_SOURCE
    case_no: str = ""

    @classmethod
    def from_item(cls, item: OutboxItemLike, chat_id: int) -> CaseUpdate:
        """The update for a case outbox row."""
        case_no = str(getattr(item, "case_no", ""))
        return cls(outbox_id=item.id, chat_id=chat_id, text=item.text, case_no=case_no)


@dataclass
class DeliberationUpdate(Push):
    """A message from 议事: a proposal approved, merged or declined, a poll's outcome, a
    decision's progress."""

    SOURCE: ClassVar[str] = DELIBERATION_SOURCE
    ref: str = ""
    """What it is about (``proposal:3``, ``poll:2``, ``decision:1``)."""

    @classmethod
    def from_item(cls, item: OutboxItemLike, chat_id: int) -> DeliberationUpdate:
        """The update for a deliberation outbox row."""
        ref = str(getattr(item, "ref", ""))
        return cls(outbox_id=item.id, chat_id=chat_id, text=item.text, ref=ref)


class OutboxPoller:
    """Polls one outbox (``GET …outbox?channel=telegram``) and puts its updates on the queue."""

    def __init__(
        self,
        application: Application,
        outbox: Outbox,
        store: BotStore,
        push_type: type[Push] = CaseUpdate,
    ) -> None:
        """Remember where to put updates, how to reach the outbox and what updates to make."""
        self.application = application
        self.outbox = outbox
        self.store = store
        self.push_type = push_type
        self.source = push_type.SOURCE
        self._in_flight: set[int] = set()

    async def poll_once(self) -> int:
        """Fetch undelivered messages once; returns how many were queued for delivery."""
        await self._ack_leftovers()
        items = await self.outbox.fetch_outbox(CHANNEL, after=0)
        queued = 0
        for item in items:
            if item.id in self._in_flight:
                continue
            if await self.store.aio.push_delivered(item.id, self.source):
                # Delivered before a crash, never acknowledged: acknowledge, don't send twice.
                await self._ack([item.id])
                continue
            chat_id = chat_of(item.recipient)
            if chat_id is None:
                logger.warning("%s outbox %d has a bad recipient; skipped", self.source, item.id)
                continue
            self._in_flight.add(item.id)
            await self.application.update_queue.put(self.push_type.from_item(item, chat_id))
            queued += 1
        return queued

    def done(self, outbox_id: int) -> None:
        """The handler finished with this message (delivered or not)."""
        self._in_flight.discard(outbox_id)

    async def _ack(self, ids: list[int]) -> None:
        try:
            await self.outbox.ack_outbox(ids, CHANNEL)
        except LinliError as exc:
            logger.warning("%s outbox ack failed (kept for later): %s", self.source, exc)
            return
        await self.store.aio.mark_push_acked(ids, self.source)

    async def _ack_leftovers(self) -> None:
        leftovers = await self.store.aio.unacked_pushes(self.source)
        if leftovers:
            await self._ack(leftovers)

    async def run_forever(self, interval_s: float) -> None:
        """Background loop: poll every ``interval_s`` seconds (hub down: next round)."""
        while True:
            try:
                await self.poll_once()
            except LinliError as exc:
                logger.info("%s outbox not reachable: %s", self.source, exc)
            except Exception:
                logger.exception("%s outbox poll failed", self.source)
            await asyncio.sleep(interval_s)

    async def acknowledge(self, outbox_id: int) -> None:
        """Record delivery and tell the outbox's owner."""
        await self.store.aio.mark_push_delivered(outbox_id, self.source)
        await self._ack([outbox_id])


async def deliver_push(
    update: Push, context: CustomContext, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send one push, record it and acknowledge it (also when the chat blocked the bot); on any
    other Telegram error it stays in the outbox and the next round tries again."""
    services = context.services
    poller = services.pollers.get(update.SOURCE)
    try:
        try:
            await context.bot.send_message(update.chat_id, update.text, reply_markup=markup)
        except (Forbidden, BadRequest) as exc:
            # Blocked bot or unknown chat: it will never go through; don't let it pile up.
            logger.warning(
                "%s push %d to %s undeliverable (%s); acknowledged",
                update.SOURCE,
                update.outbox_id,
                chat_ref(update.chat_id),
                exc,
            )
            if poller is not None:
                await poller.acknowledge(update.outbox_id)
            return
        except TelegramError:
            logger.exception(
                "%s push %d not delivered; will retry", update.SOURCE, update.outbox_id
            )
            return
        if poller is not None:
            await poller.acknowledge(update.outbox_id)
        else:
            await services.store.aio.mark_push_delivered(update.outbox_id, update.SOURCE)
        if (await services.store.aio.prefs(update.chat_id)).elder_mode:
            await services.dialogue.send_voice(update.chat_id, update.text)
    finally:
        if poller is not None:
            poller.done(update.outbox_id)


async def push_case_update(update: CaseUpdate, context: CustomContext) -> None:
    """Deliver one case-status change, with the confirmation buttons once it is resolved."""
    services = context.services
    markup = None
    try:
        case = await services.cases.get_case(update.case_no)
    except Exception as exc:  # the push goes out without buttons rather than not at all
        logger.info("Case of push %d not readable: %s", update.outbox_id, type(exc).__name__)
        case = None
    if case is not None and asks_confirmation(update.text, case.status):
        elder = (await services.store.aio.prefs(update.chat_id)).elder_mode
        markup = rating_keyboard(update.case_no, elder_mode=elder)
    await deliver_push(update, context, markup)


async def push_deliberation_update(update: DeliberationUpdate, context: CustomContext) -> None:
    """Deliver one 议事 message (the hub wrote its words)."""
    await deliver_push(update, context)
