"""Community notices (停水, 议事会) pushed to Telegram residents, and each chat's notice setting.

The case system publishes notices to the whole community, to grids or to buildings
(``GET /api/notices/feed``). A background loop reads the feed from the last id it finished,
works out who should hear each new notice and sends it, one chat at a time:

* a chat that talked to the bot gets the whole community's notices published since (the
  default; a notice is news, not a backlog handed to whoever says hello first);
* a chat that told us its building (/tongzhi, 通知设置) also gets that building's and its grid's;
* 都要: every notice; 不要通知: none.

Each (notice, chat) is claimed in the store before it is sent, so a notice never reaches a chat
twice (not after a crash, not after a restart, not when two rounds overlap). A send that surely
did not happen (network down, flood limit) gives its claim back and the next round tries again;
the feed's watermark moves past a notice only once every chat in scope has been handled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot import texts
from bot.dialogue import speakable
from bot.ids import chat_ref
from bot.keyboards import notice_keyboard, notice_settings_button
from bot.store import BotStore, NoticePref, NoticeSend, NoticeWants
from cases.client import Building, CaseClient
from core.contracts import NoticeFeedItem
from core.errors import LinliError
from core.localtime import to_local

logger = logging.getLogger(__name__)

CURSOR = "notices"
"""Store watermark: the last notice id every chat in scope was handled for."""
BATCH = 50
"""Notices read per round."""
BUILDINGS_TTL_S = 3600.0
"""How long the building list is reused."""


class RoundStopped(Exception):
    """Telegram could not take more now (network, flood limit): finish the round, retry later."""


def building_code(value: str) -> str:
    """A building as the case system codes it: ``5号楼`` → ``5``."""
    return value.strip().removesuffix("号楼").removesuffix("栋").upper()


def notice_text(notice: NoticeFeedItem) -> str:
    """What a resident reads: the title, the body, until when it holds."""
    lines = [texts.NOTICE_HEAD.format(title=notice.title.strip())]
    if notice.body.strip():
        lines.append(notice.body.strip())
    until = to_local(notice.expires_at)
    if until is not None:
        lines.append(texts.NOTICE_UNTIL.format(when=f"{until.month}月{until.day}日 {until:%H:%M}"))
    return "\n".join(lines)


class NoticePusher:
    """Reads the notice feed and sends each new notice to the chats in its scope."""

    def __init__(
        self,
        cases: CaseClient,
        store: BotStore,
        *,
        max_age_s: float = 3 * 86400.0,
        send_gap_s: float = 0.05,
        speak: Callable[[int, str], Awaitable[None]] | None = None,
    ) -> None:
        """Args:
        cases: The case system (feed, buildings, who a grid covers).
        store: Notice settings, claims and the watermark.
        max_age_s: Notices published longer ago than this are not pushed any more.
        send_gap_s: Pause between two sends (Telegram allows about 30 messages a second).
        speak: Sends a voice note to a chat (长辈模式 hears the notice too).
        """
        self.cases = cases
        self.store = store
        self.max_age_s = max_age_s
        self.send_gap_s = send_gap_s
        self.speak = speak
        self.bot: Bot | None = None
        self._buildings: list[Building] = []
        self._buildings_at = 0.0
        self._round = asyncio.Lock()
        self._seen: set[int] = set()
        """Chats already recorded as seen in this process (saves a write per message)."""

    def bind(self, bot: Bot) -> None:
        """Use this bot to send."""
        self.bot = bot

    # --- the residents' side ------------------------------------------------------------------

    async def seen(self, chat_id: int) -> None:
        """A chat talked to the bot: it gets community notices from now on (unless it said no)."""
        if chat_id in self._seen:
            return
        await self.store.aio.seen_chat(chat_id)
        self._seen.add(chat_id)

    async def buildings(self) -> list[Building]:
        """The community's buildings ([] when the case system is away and none are known)."""
        if self._buildings and time.monotonic() - self._buildings_at < BUILDINGS_TTL_S:
            return list(self._buildings)
        try:
            found = await self.cases.buildings()
        except LinliError as exc:
            logger.info("Building list not reachable: %s", exc)
            return list(self._buildings)
        if found:
            self._buildings, self._buildings_at = list(found), time.monotonic()
        return list(self._buildings)

    async def menu(self, chat_id: int, *, elder_mode: bool) -> tuple[str, InlineKeyboardMarkup]:
        """The question 您住几号楼？ with the building buttons, 都要 and 不要通知."""
        pref = await self.store.aio.notice_pref(chat_id)
        buildings = await self.buildings()
        text = texts.NOTICE_ASK if buildings else texts.NOTICE_ASK_NO_BUILDINGS
        now = self._describe(pref)
        if now:
            text = f"{text}\n{now}"
        return text, notice_keyboard(buildings, elder_mode=elder_mode)

    def _describe(self, pref: NoticePref) -> str:
        if pref.wants == NoticeWants.BUILDING and pref.building:
            return texts.NOTICE_NOW_BUILDING.format(building=self._name(pref.building))
        if pref.wants == NoticeWants.ALL:
            return texts.NOTICE_NOW_ALL
        if pref.wants == NoticeWants.OFF:
            return texts.NOTICE_NOW_OFF
        return ""

    def _name(self, code: str) -> str:
        for building in self._buildings:
            if building.code == code:
                return building.name
        return f"{code}号楼"

    async def choose(self, chat_id: int, choice: str) -> str:
        """Save what the resident pressed (``all``, ``off`` or ``b:<code>``); what to say back."""
        if choice == "all":
            await self.store.aio.set_notice_pref(chat_id, NoticeWants.ALL)
            return texts.NOTICE_SET_ALL
        if choice == "off":
            await self.store.aio.set_notice_pref(chat_id, NoticeWants.OFF)
            return texts.NOTICE_SET_OFF
        if choice.startswith("b:"):
            code = building_code(choice[2:])
            known = {b.code for b in await self.buildings()}
            if code and (not known or code in known):
                await self.store.aio.set_notice_pref(chat_id, NoticeWants.BUILDING, code)
                return texts.NOTICE_SET_BUILDING.format(building=self._name(code))
        return texts.NOTICE_SET_UNKNOWN

    # --- the pushing side ---------------------------------------------------------------------

    async def run_forever(self, interval_s: float) -> None:
        """Background loop: a round every ``interval_s`` seconds (hub down: next round)."""
        while True:
            try:
                await self.push_once()
            except LinliError as exc:
                logger.info("Notice feed not reachable: %s", exc)
            except Exception:
                logger.exception("Notice round failed")
            await asyncio.sleep(interval_s)

    async def push_once(self) -> int:
        """One round: read new notices and send them; returns how many messages went out.

        Raises:
            LinliError: The case system is not reachable (nothing was sent).
        """
        async with self._round:
            after = await self.store.aio.cursor(CURSOR)
            notices = await self.cases.notices_feed(after=after, limit=BATCH)
            sent = 0
            for notice in sorted(notices, key=lambda n: n.id):
                if notice.id <= after:
                    continue
                try:
                    sent += await self._push(notice)
                except RoundStopped as exc:
                    logger.info("Notice %d paused: %s", notice.id, exc)
                    break
                await self.store.aio.advance_cursor(CURSOR, notice.id)
            return sent

    def _stale(self, notice: NoticeFeedItem) -> bool:
        now = datetime.now(UTC)
        if notice.expires_at is not None and notice.expires_at <= now:
            return True
        return notice.published_at < now - timedelta(seconds=self.max_age_s)

    async def _push(self, notice: NoticeFeedItem) -> int:
        """Send one notice to every chat in its scope that has not had it."""
        if self._stale(notice):
            logger.info("Notice %d is old or has ended; not pushed", notice.id)
            return 0
        published = notice.published_at.timestamp()
        audience = [
            p for p in await self.store.aio.notice_audience() if p.since <= published
        ]  # news: a chat that came later is not sent what was published before it came
        targets = await self._in_scope(notice, audience)
        text = notice_text(notice)
        sent = 0
        for pref in targets:
            if not await self.store.aio.claim_notice(notice.id, pref.chat_id):
                continue  # sent before (or being sent by a round that overlapped)
            if await self._send(notice.id, pref.chat_id, text):
                sent += 1
            await asyncio.sleep(self.send_gap_s)
        logger.info("Notice %d sent to %d chats", notice.id, sent)
        return sent

    async def _in_scope(
        self, notice: NoticeFeedItem, audience: Sequence[NoticePref]
    ) -> list[NoticePref]:
        """The chats that should hear the notice."""
        if notice.scope_kind == "community":
            return list(audience)
        wanted = [p for p in audience if p.wants == NoticeWants.ALL]
        local = [p for p in audience if p.wants == NoticeWants.BUILDING and p.building]
        if notice.scope_kind == "buildings":
            scope = {building_code(v) for v in notice.scope_values}
            covered = {p.building for p in local if p.building in scope}
        else:
            # a grid's buildings: the case system knows them (it answers per building)
            covered = set()
            for building in sorted({p.building for p in local if p.building}):
                if notice.id in await self.cases.notices_for_building(building):
                    covered.add(building)
        return sorted(wanted + [p for p in local if p.building in covered], key=lambda p: p.chat_id)

    async def _send(self, notice_id: int, chat_id: int, text: str) -> bool:
        """Send to one chat (its claim is already taken); True when it went out."""
        if self.bot is None:
            await self.store.aio.release_notice(notice_id, chat_id)
            raise RoundStopped("no bot bound yet")
        elder = (await self.store.aio.prefs(chat_id)).elder_mode
        markup = InlineKeyboardMarkup([[notice_settings_button(elder_mode=elder)]])
        try:
            await self.bot.send_message(chat_id, text, reply_markup=markup)
        except Forbidden:
            logger.info(
                "Notice %d: %s blocked the bot; no more notices", notice_id, chat_ref(chat_id)
            )
            await self.store.aio.finish_notice(notice_id, chat_id, NoticeSend.BLOCKED)
            self._seen.discard(chat_id)  # when it talks again it is reachable again
            return False
        except BadRequest as exc:
            logger.warning("Notice %d refused for %s: %s", notice_id, chat_ref(chat_id), exc)
            await self.store.aio.finish_notice(notice_id, chat_id, NoticeSend.FAILED)
            return False
        except TimedOut:
            # it may have gone out: keep the claim (never twice) and say so
            logger.warning(
                "Notice %d to %s timed out; counted as sent", notice_id, chat_ref(chat_id)
            )
            await self.store.aio.finish_notice(notice_id, chat_id, NoticeSend.SENT)
            return False
        except RetryAfter as exc:
            await self.store.aio.release_notice(notice_id, chat_id)
            raise RoundStopped(f"flood limit, retry after {exc.retry_after}") from exc
        except NetworkError as exc:
            await self.store.aio.release_notice(notice_id, chat_id)
            raise RoundStopped(f"Telegram not reachable: {type(exc).__name__}") from exc
        except TelegramError as exc:
            # anything else is about this chat (e.g. a group that moved): don't hold the rest up
            logger.warning("Notice %d not sent to %s: %s", notice_id, chat_ref(chat_id), exc)
            await self.store.aio.finish_notice(notice_id, chat_id, NoticeSend.FAILED)
            return False
        await self.store.aio.finish_notice(notice_id, chat_id, NoticeSend.SENT)
        if elder and self.speak is not None:
            await self.speak(chat_id, speakable(text))
        return True
