"""The conversation pump: a durable per-chat queue in front of Rasa, replies rendered to Telegram.

Every resident message (typed, spoken, a pressed button) is first written to the bot's SQLite
inbox (deduplicated by Telegram ``update_id``), then sent to Rasa strictly in order per chat.
When Rasa, the action server or the hub is down, the message stays queued, the resident is told
kindly, and a background loop retries in order when they are back. A message is only sent again
when it provably did not reach Rasa (connection refused, or Rasa's tracker lacks its
``message_id``), so a retry never doubles a turn — and never a case.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from typing import Any

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot import texts
from bot.attachments import attach_pending, attached_message
from bot.health import HealthChecker
from bot.ids import chat_ref, sender_of
from bot.keyboards import rasa_keyboard_async, shown_buttons
from bot.speech import SpeechIO
from bot.store import BotStore, ChatPrefs, InboxItem, InboxState
from cases.client import CaseClient
from core.rasa_rest import NOT_SEEN, BotMessage, RasaClient, RasaUnavailable

logger = logging.getLogger(__name__)

CASE_NO_RE = re.compile(r"(?<![A-Z0-9])[A-Z]{2}-\d{8}-\d{4}(?!\d)")
"""Case numbers as the dialogue prints them, e.g. ``BS-20261121-0042``."""
STATUS_CASE = "status_case"
"""``custom`` key of a status reply: the case it shows (``actions/case_lookup.py``)."""
_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2705\u274c]")


def speakable(text: str) -> str:
    """Text for the synthesiser: no emoji, no bullets, no URLs."""
    text = _EMOJI_RE.sub("", text)
    text = re.sub(r"https?://\S+", "", text)
    text = re.sub(r"(?m)^\s*[•·\-*]\s*", "", text.replace("•", " "))
    return re.sub(r"[ \t]+", " ", text).strip()


_NOT_CHOICES = {"转人工", "都不是"}
"""Buttons that are a way out, not one of the questions offered after "您是想问："."""


def spoken_line(text: str, titles: list[str]) -> str:
    """What 长辈模式 says for one message with these buttons: a line ending in "想问：" (the
    FAQ's closest questions) gets the questions said right there, as the kiosk says them;
    other buttons are named at the end ("可以说：对、不对")."""
    line = speakable(text)
    if not titles:
        return line
    lines = line.split("\n")
    at = next(
        (i for i, part in enumerate(lines) if part.rstrip().endswith(("想问：", "想问:"))), None
    )
    choices = [t.rstrip("？?。 ") for t in titles if t not in _NOT_CHOICES]
    if at is not None and choices:
        said = choices[0] if len(choices) == 1 else "，".join(choices[:-1]) + "，还是" + choices[-1]
        lines[at] = lines[at].rstrip().rstrip("：:") + "：" + said + "？"
        return "".join(lines)
    options = "、".join(titles)
    sep = "" if not line or line[-1] in "。！？!?." else "。"
    return f"{line}{sep}可以说：{options}"


class Dialogue:
    """Queues resident messages per chat and relays them to Rasa in order."""

    def __init__(
        self,
        *,
        store: BotStore,
        rasa: RasaClient,
        health: HealthChecker,
        cases: CaseClient,
        speech: SpeechIO,
        attach_window_s: float = 1800.0,
        uncertain_grace_s: float = 60.0,
    ) -> None:
        """Wire the parts; ``bot`` is set when the application starts (``bind``)."""
        self.store = store
        self.rasa = rasa
        self.health = health
        self.cases = cases
        self.speech = speech
        self.attach_window_s = attach_window_s
        self.bot: Bot | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self.turns = 0
        self.uncertain_grace_s = uncertain_grace_s
        self.clock_skew_s = 0.0
        """Added to the clock when picking attachments to retry (tests skip the back-off)."""
        """Messages answered by Rasa and delivered, in this process's life (tests, benchmarks)."""

    def bind(self, bot: Bot) -> None:
        """Use this bot to send replies."""
        self.bot = bot

    def _lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    # --- entry points ----------------------------------------------------------------------

    async def submit(self, chat_id: int, update_id: int, text: str, kind: str = "text") -> bool:
        """Queue a message and process the chat's queue; False if the update was a duplicate."""
        if await self.store.aio.enqueue(chat_id, update_id, kind, text) is None:
            logger.info("Duplicate update %d for %s ignored", update_id, chat_ref(chat_id))
            return False
        await self.process_chat(chat_id, new_message=True)
        return True

    async def reserve(self, chat_id: int, update_id: int, kind: str = "voice") -> int | None:
        """Hold a place in the chat's queue for a message still being recognised."""
        return await self.store.aio.enqueue(chat_id, update_id, kind, None, waiting=True)

    async def complete(self, chat_id: int, item_id: int, text: str | None) -> None:
        """Fill a reserved place (None drops it) and process the chat's queue."""
        await self.store.aio.fill(item_id, text)
        await self.process_chat(chat_id, new_message=text is not None)

    async def retry_all(self) -> None:
        """Retry every chat with kept messages (chats not already busy), then attachments."""
        chats = [c for c in await self.store.aio.chats_with_work() if not self._lock(c).locked()]
        if chats:
            await asyncio.gather(*(self.process_chat(c) for c in chats))
        retry = await self.store.aio.attachments_to_retry(time.time() + self.clock_skew_s)
        for chat_id, case_no in retry:
            kinds = await attach_pending(self.store, self.cases, chat_id, case_no)
            line = attached_message(kinds, case_no)
            if line:
                await self._send_text(chat_id, line)

    async def retry_forever(self, interval_s: float) -> None:
        """Background loop: retry kept messages every ``interval_s`` seconds."""
        while True:
            try:
                await self.retry_all()
            except Exception:
                logger.exception("Retry loop failed; trying again later")
            await asyncio.sleep(interval_s)

    # --- the pump ---------------------------------------------------------------------------

    async def process_chat(self, chat_id: int, *, new_message: bool = False) -> None:
        """Send the chat's queued messages to Rasa, oldest first, until done or blocked."""
        async with self._lock(chat_id):
            while True:
                item = await self.store.aio.next_item(chat_id)
                if item is None or item.state == InboxState.WAITING:
                    return
                if not await self._process_item(item, new_message=new_message):
                    return

    async def _process_item(self, item: InboxItem, *, new_message: bool) -> bool:
        """Handle one message; False when the chat must wait (outage)."""
        chat_id = item.chat_id
        sender = sender_of(chat_id)
        health = await self.health.check()
        if not health.ok:
            await self._outage(chat_id, new_message)
            return False
        if item.state == InboxState.UNCERTAIN:
            if item.last_try and time.time() - item.last_try < self.uncertain_grace_s:
                return False  # Rasa may still be working on it: look at its tracker later
            replies = await self.rasa.replies_to(sender, item.message_id)
            if replies is None:
                await self._outage(chat_id, new_message)
                return False
            if replies is not NOT_SEEN:
                logger.info("Message %s already reached Rasa; not sent again", item.message_id)
                await self.store.aio.set_state(item.id, InboxState.DONE)
                await self._recovered(chat_id, item)
                if replies:
                    await self.deliver(chat_id, replies)
                else:
                    elder = (await self.store.aio.prefs(chat_id)).elder_mode
                    await self._send_text(chat_id, texts.for_mode(texts.SLOW_LOST, elder))
                self.turns += 1
                return True
        await self._typing(chat_id)
        prefs = await self.store.aio.prefs(chat_id)
        metadata: dict[str, Any] = {
            "message_id": item.message_id,
            "channel": "telegram",
            "kind": item.kind,
            "elder_mode": prefs.elder_mode,
        }
        # Until Rasa's answer is in, the message counts as "maybe delivered": a crash right
        # after Rasa answered must not make a restarted bot send it a second time.
        await self.store.aio.set_state(item.id, InboxState.UNCERTAIN, attempted=True)
        try:
            messages = await self.rasa.send(sender, item.text or "", metadata)
        except RasaUnavailable as exc:
            logger.warning("Rasa unavailable for %s: %s", item.message_id, exc)
            self.health.invalidate()
            state = InboxState.UNCERTAIN if exc.maybe_delivered else InboxState.PENDING
            await self.store.aio.set_state(item.id, state)
            await self._outage(chat_id, new_message)
            return False
        if not messages and not (await self.health.check(fresh=True)).ok:
            # Rasa took the turn but an action failed (its events are lost): send it again later.
            await self.store.aio.set_state(item.id, InboxState.PENDING)
            await self._outage(chat_id, new_message)
            return False
        await self.store.aio.set_state(item.id, InboxState.DONE)
        await self._recovered(chat_id, item)
        await self.deliver(chat_id, messages)
        self.turns += 1
        return True

    async def _recovered(self, chat_id: int, item: InboxItem) -> None:
        """After an outage, say that we carry on with what the resident sent."""
        before, _ = await self.store.aio.update_prefs(chat_id, _outage_over)
        if not before.outage_notified:
            return
        said = item.text or ""
        if item.kind == "button" or said.startswith("/") or not said:
            await self._send_text(chat_id, texts.RECOVERED_PLAIN)
        else:
            await self._send_text(chat_id, texts.RECOVERED.format(text=said))

    async def _outage(self, chat_id: int, new_message: bool) -> None:
        """Tell the resident (once per outage, then briefly per new message) that we kept it."""
        before, prefs = await self.store.aio.update_prefs(chat_id, _outage_told)
        if not before.outage_notified:
            await self._send_text(chat_id, texts.for_mode(texts.OUTAGE, prefs.elder_mode))
        elif new_message:
            await self._send_text(chat_id, texts.OUTAGE_QUEUED)

    # --- rendering --------------------------------------------------------------------------

    async def deliver(self, chat_id: int, messages: list[BotMessage]) -> None:
        """Show Rasa's reply: texts with inline keyboards, the voice note in 长辈模式."""
        prefs = await self.store.aio.prefs(chat_id)
        expect: str | None = None
        spoken: list[str] = []
        case_nos: list[str] = []  # the chat's own new case first, per message
        # a case shown by a status check (maybe reported elsewhere) is never a photo's case
        looked_up = {m.custom.get(STATUS_CASE) for m in messages} - {None}
        for message in messages:
            if message.expect:
                expect = message.expect
            custom_case = message.custom.get("case_no")
            if isinstance(custom_case, str) and CASE_NO_RE.fullmatch(custom_case):
                case_nos.insert(0, custom_case)
            text = message.text
            if message.image and not text:
                text = message.image
            if not text and not message.buttons:
                continue
            markup = await rasa_keyboard_async(
                message.buttons, chat_id=chat_id, store=self.store, elder_mode=prefs.elder_mode
            )
            await self._send_text(chat_id, text or "请选择：", reply_markup=markup)
            spoken.append(spoken_line(text, [b.title for b in shown_buttons(message.buttons)]))
            found = CASE_NO_RE.findall(text)
            if found:
                # "您的编号是 X。……邻居已经反映过了（编号 Y）": the resident's own case comes first.
                case_nos.append(found[0])
        case_nos = [c for c in case_nos if c not in looked_up]
        own_case = case_nos[0] if case_nos else None

        def remember(prefs: ChatPrefs) -> None:
            prefs.expect = expect
            if own_case:
                prefs.last_case_no = own_case
                prefs.last_case_at = time.time()

        _, prefs = await self.store.aio.update_prefs(chat_id, remember)
        if prefs.elder_mode and spoken:
            await self.send_voice(chat_id, "。".join(s for s in spoken if s))
        if own_case:
            kinds = await attach_pending(self.store, self.cases, chat_id, own_case)
            line = attached_message(kinds, own_case)
            if line:
                await self._send_text(chat_id, line)

    async def send_voice(self, chat_id: int, text: str) -> None:
        """Speak ``text`` as a voice note (no-op without a synthesiser)."""
        if self.bot is None:
            return
        with contextlib.suppress(TelegramError):
            await self.bot.send_chat_action(chat_id, ChatAction.RECORD_VOICE)
        ogg = await self.speech.speak(text)
        if ogg is None:
            return
        try:
            await self.bot.send_voice(chat_id, voice=ogg, filename="reply.ogg")
        except TelegramError:
            logger.exception("Could not send a voice reply to %s", chat_ref(chat_id))

    async def _typing(self, chat_id: int) -> None:
        if self.bot is None:
            return
        with contextlib.suppress(TelegramError):
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING)

    async def _send_text(self, chat_id: int, text: str, **kwargs: Any) -> None:
        if self.bot is None:
            logger.warning("No bot bound; dropping a message to %s", chat_ref(chat_id))
            return
        try:
            await self.bot.send_message(chat_id, text, **kwargs)
        except TelegramError:
            logger.exception("Could not send a message to %s", chat_ref(chat_id))


def _outage_told(prefs: ChatPrefs) -> bool:
    """Mark the outage as told (nothing written when it already was)."""
    if prefs.outage_notified:
        return False
    prefs.outage_notified = True
    return True


def _outage_over(prefs: ChatPrefs) -> bool:
    """Clear the told outage (nothing written when none was told)."""
    if not prefs.outage_notified:
        return False
    prefs.outage_notified = False
    return True
