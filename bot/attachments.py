"""Photos and locations for a case: kept per chat until the case number is known, then attached."""

from __future__ import annotations

import asyncio
import logging
import time

from bot import texts
from bot.ids import sender_of
from bot.store import BotStore, ChatPrefs
from cases.client import CaseClient
from core.errors import InvalidInput, ServiceUnavailable

logger = logging.getLogger(__name__)

KIND_WORDS = {"photo": "照片", "location": "位置"}
ATTACHMENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
"""Photo types the bot forwards to the case system."""

_sending: dict[tuple[int, int], asyncio.Lock] = {}
"""One sender of a chat's attachments at a time (per event loop): the reply that announces the
case number and the retry loop must not both upload the same photo."""


def _chat_lock(chat_id: int) -> asyncio.Lock:
    key = (id(asyncio.get_running_loop()), chat_id)
    lock = _sending.get(key)
    if lock is None:
        lock = _sending[key] = asyncio.Lock()
    return lock


def recent_case(prefs: ChatPrefs, window_s: float) -> str | None:
    """The case the chat (of these preferences) created within ``window_s`` seconds, if any."""
    if prefs.last_case_no and prefs.last_case_at and time.time() - prefs.last_case_at <= window_s:
        return prefs.last_case_no
    return None


async def attach_pending(
    store: BotStore, cases: CaseClient, chat_id: int, case_no: str
) -> list[str]:
    """Send the chat's kept photos/locations to the case; returns what was attached (kinds).

    Attachments the hub cannot take right now stay kept for this case and are retried by the
    retry loop; attachments it refuses for good are dropped with a log line.
    """
    async with _chat_lock(chat_id):
        return await _send_pending(store, cases, chat_id, case_no)


async def _send_pending(
    store: BotStore, cases: CaseClient, chat_id: int, case_no: str
) -> list[str]:
    attached: list[str] = []
    for item in await store.aio.attachments_for(chat_id, case_no):
        try:
            await cases.add_attachment(
                case_no,
                sender_of(chat_id),
                kind=item.kind,
                data=item.data,
                content_type=item.content_type,
                filename=item.filename,
                latitude=item.latitude,
                longitude=item.longitude,
            )
        except ServiceUnavailable as exc:
            logger.warning("Attachment %d for %s kept for later: %s", item.id, case_no, exc)
            await store.aio.attachment_failed(item.id)
            continue
        except InvalidInput as exc:
            logger.warning("Attachment %d refused for %s: %s", item.id, case_no, exc)
            await store.aio.mark_attached(item.id, f"refused:{case_no}")
            continue
        await store.aio.mark_attached(item.id, case_no)
        attached.append(item.kind)
    return attached


def attached_message(kinds: list[str], case_no: str) -> str | None:
    """The line telling the resident their kept attachments reached the case."""
    if not kinds:
        return None
    words = "和".join(dict.fromkeys(KIND_WORDS.get(k, k) for k in kinds))
    return texts.ATTACHED_LATER.format(what=words, case_no=case_no)
