"""Browser sessions of the web chat: an unguessable cookie and the Rasa sender id behind it."""

from __future__ import annotations

import hashlib
import re
import secrets

COOKIE_NAME = "linli_chat"
SENDER_PREFIX = "web:"
_COOKIE_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
"""``secrets.token_urlsafe(32)``: 256 random bits."""


def new_session_id() -> str:
    """A fresh session secret for the cookie."""
    return secrets.token_urlsafe(32)


def valid_session_id(value: str | None) -> str | None:
    """The cookie value when it has the shape of one we issue, else None (a new one is issued)."""
    if value and _COOKIE_RE.fullmatch(value):
        return value
    return None


def sender_for(session_id: str) -> str:
    """The Rasa sender id of a session.

    A one-way hash of the secret: staff see sender ids on cases, and must not be able to turn one
    back into a cookie that opens the resident's conversation.
    """
    digest = hashlib.sha256(f"linli-web-chat:{session_id}".encode()).hexdigest()
    return f"{SENDER_PREFIX}{digest[:32]}"
