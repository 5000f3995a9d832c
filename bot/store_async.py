"""``BotStore`` for coroutines (``store.aio``): every call off the event loop, one at a time."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from bot import records
from bot.records import CASES_SOURCE

if TYPE_CHECKING:
    from bot.store import BotStore

P = ParamSpec("P")
T = TypeVar("T")


class AsyncBotStore:
    """``BotStore`` for coroutines (``store.aio``): the same methods, awaited. Each call runs on
    the store's single worker thread, so calls run one at a time in the order they were made
    (the order the event loop made them in, as when the store was called directly) and never
    block the loop; the statements, their lock and what they keep are ``BotStore``'s."""

    def __init__(self, store: BotStore) -> None:
        """Wrap ``store`` (its methods are looked up at each call)."""
        self.sync = store
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bot-store")

    async def _run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, functools.partial(fn, *args, **kwargs))

    async def close(self) -> None:
        """Close the connection, then the worker thread."""
        try:
            await self._run(self.sync.close)
        finally:
            self._worker.shutdown(wait=False)

    # inbox
    async def enqueue(
        self, chat_id: int, update_id: int, kind: str, text: str | None, *, waiting: bool = False
    ) -> int | None:
        """See ``BotStore.enqueue``."""
        return await self._run(self.sync.enqueue, chat_id, update_id, kind, text, waiting=waiting)

    async def fill(self, item_id: int, text: str | None) -> None:
        """See ``BotStore.fill``."""
        await self._run(self.sync.fill, item_id, text)

    async def next_item(self, chat_id: int) -> records.InboxItem | None:
        """See ``BotStore.next_item``."""
        return await self._run(self.sync.next_item, chat_id)

    async def set_state(
        self, item_id: int, state: records.InboxState, *, attempted: bool = False
    ) -> None:
        """See ``BotStore.set_state``."""
        await self._run(self.sync.set_state, item_id, state, attempted=attempted)

    async def chats_with_work(self) -> list[int]:
        """See ``BotStore.chats_with_work``."""
        return await self._run(self.sync.chats_with_work)

    async def count(
        self, chat_id: int | None = None, state: records.InboxState | None = None
    ) -> int:
        """See ``BotStore.count``."""
        return await self._run(self.sync.count, chat_id, state)

    # chat preferences
    async def prefs(self, chat_id: int) -> records.ChatPrefs:
        """See ``BotStore.prefs``."""
        return await self._run(self.sync.prefs, chat_id)

    async def save_prefs(self, prefs: records.ChatPrefs) -> None:
        """See ``BotStore.save_prefs``."""
        await self._run(self.sync.save_prefs, prefs)

    async def update_prefs(
        self, chat_id: int, change: Callable[[records.ChatPrefs], bool | None]
    ) -> tuple[records.ChatPrefs, records.ChatPrefs]:
        """See ``BotStore.update_prefs`` (``change`` runs on the worker thread: keep it pure)."""
        return await self._run(self.sync.update_prefs, chat_id, change)

    # attachments
    async def add_attachment(self, chat_id: int, kind: str, **fields: Any) -> int:
        """See ``BotStore.add_attachment``."""
        return await self._run(self.sync.add_attachment, chat_id, kind, **fields)

    async def pending_attachments(
        self, chat_id: int, case_no: str | None = None
    ) -> list[records.Attachment]:
        """See ``BotStore.pending_attachments``."""
        return await self._run(self.sync.pending_attachments, chat_id, case_no)

    async def assign_case(self, chat_id: int, case_no: str) -> None:
        """See ``BotStore.assign_case``."""
        await self._run(self.sync.assign_case, chat_id, case_no)

    async def attachments_for(self, chat_id: int, case_no: str) -> list[records.Attachment]:
        """See ``BotStore.attachments_for``."""
        return await self._run(self.sync.attachments_for, chat_id, case_no)

    async def attachments_to_retry(self, now: float | None = None) -> list[tuple[int, str]]:
        """See ``BotStore.attachments_to_retry``."""
        return await self._run(self.sync.attachments_to_retry, now)

    async def attachment_failed(self, attachment_id: int, *, give_up_after: int = 12) -> None:
        """See ``BotStore.attachment_failed``."""
        await self._run(self.sync.attachment_failed, attachment_id, give_up_after=give_up_after)

    async def mark_attached(self, attachment_id: int, case_no: str) -> None:
        """See ``BotStore.mark_attached``."""
        await self._run(self.sync.mark_attached, attachment_id, case_no)

    # long button payloads
    async def save_button(self, token: str, chat_id: int, title: str, payload: str) -> None:
        """See ``BotStore.save_button``."""
        await self._run(self.sync.save_button, token, chat_id, title, payload)

    async def button(self, token: str, chat_id: int | None = None) -> tuple[str, str] | None:
        """See ``BotStore.button``."""
        return await self._run(self.sync.button, token, chat_id)

    # pushes
    async def push_delivered(self, outbox_id: int, source: str = CASES_SOURCE) -> bool:
        """See ``BotStore.push_delivered``."""
        return await self._run(self.sync.push_delivered, outbox_id, source)

    async def mark_push_delivered(self, outbox_id: int, source: str = CASES_SOURCE) -> None:
        """See ``BotStore.mark_push_delivered``."""
        await self._run(self.sync.mark_push_delivered, outbox_id, source)

    async def mark_push_acked(self, outbox_ids: list[int], source: str = CASES_SOURCE) -> None:
        """See ``BotStore.mark_push_acked``."""
        await self._run(self.sync.mark_push_acked, outbox_ids, source)

    async def unacked_pushes(self, source: str = CASES_SOURCE) -> list[int]:
        """See ``BotStore.unacked_pushes``."""
        return await self._run(self.sync.unacked_pushes, source)

    # community notices
    async def seen_chat(self, chat_id: int) -> None:
        """See ``BotStore.seen_chat``."""
        await self._run(self.sync.seen_chat, chat_id)

    async def notice_pref(self, chat_id: int) -> records.NoticePref:
        """See ``BotStore.notice_pref``."""
        return await self._run(self.sync.notice_pref, chat_id)

    async def set_notice_pref(
        self, chat_id: int, wants: records.NoticeWants, building: str | None = None
    ) -> None:
        """See ``BotStore.set_notice_pref``."""
        await self._run(self.sync.set_notice_pref, chat_id, wants, building)

    async def notice_audience(self) -> list[records.NoticePref]:
        """See ``BotStore.notice_audience``."""
        return await self._run(self.sync.notice_audience)

    async def claim_notice(self, notice_id: int, chat_id: int) -> bool:
        """See ``BotStore.claim_notice``."""
        return await self._run(self.sync.claim_notice, notice_id, chat_id)

    async def finish_notice(self, notice_id: int, chat_id: int, state: records.NoticeSend) -> None:
        """See ``BotStore.finish_notice``."""
        await self._run(self.sync.finish_notice, notice_id, chat_id, state)

    async def release_notice(self, notice_id: int, chat_id: int) -> None:
        """See ``BotStore.release_notice``."""
        await self._run(self.sync.release_notice, notice_id, chat_id)

    async def notice_sends(self, notice_id: int) -> dict[int, records.NoticeSend]:
        """See ``BotStore.notice_sends``."""
        return await self._run(self.sync.notice_sends, notice_id)

    async def cursor(self, name: str) -> int:
        """See ``BotStore.cursor``."""
        return await self._run(self.sync.cursor, name)

    async def advance_cursor(self, name: str, value: int) -> None:
        """See ``BotStore.advance_cursor``."""
        await self._run(self.sync.advance_cursor, name, value)
