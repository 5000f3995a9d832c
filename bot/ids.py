"""How the bot names a chat: to the hub (``tg:<chat id>``, outbox recipients) and in logs."""

from __future__ import annotations

import hashlib

TG_PREFIX = "tg:"
"""Sender-id prefix of Telegram chats (``cases.events.SENDER_CHANNELS``)."""


def sender_of(chat_id: int) -> str:
    """Sender id of a Telegram chat for Rasa and the hub."""
    return f"{TG_PREFIX}{chat_id}"


def chat_of(recipient: str) -> int | None:
    """The chat id of an outbox recipient: the hub strips the ``tg:`` of the sender id
    (``cases.events.channel_of``), so ``"12345"``; ``"tg:12345"`` is taken as well."""
    try:
        return int(recipient.removeprefix(TG_PREFIX))
    except ValueError:
        return None


def chat_ref(chat_id: int) -> str:
    """A chat as logs name it: a short hash, never the chat id in clear."""
    return "chat#" + hashlib.sha256(str(chat_id).encode()).hexdigest()[:10]
