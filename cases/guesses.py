"""Limits on guessing at a case look-up by number + phone last 4, for the dialogue channels.

The Telegram bot and the web chat look a case up through the dialogue with the resident's
sender id (``tg:…``, ``web:…``). The hub counts the misses here, with the kiosk's numbers
(``voice/kiosk/limits.py``): 4 misses per sender and 20 per channel within 15 minutes. The
channel-wide window matters for the web chat, where a new cookie is a new sender: trying
number after number stays slow however often the conversation is restarted. A successful
look-up does not count; it lets that sender answer 解决了 / 部分解决 / 没解决 for that case
for a while (``granted``), although the case was reported from another channel.

State lives in the hub process (like the staff login throttle); a restart forgets it.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PER_SENDER = 4
"""Misses allowed per sender (conversation) within the window."""
PER_CHANNEL = 20
"""Misses allowed for all senders of one channel together within the window."""
WINDOW = timedelta(minutes=15)
GRANT_TTL = timedelta(hours=24)
"""How long a successful look-up lets the sender confirm that case."""


def channel_key(sender_id: str) -> str:
    """The channel part of a sender id (``tg:42`` → ``tg``)."""
    prefix, sep, _ = sender_id.partition(":")
    return prefix if sep and prefix else "other"


@dataclass
class LookupGuard:
    """Counts look-up misses per sender and per channel; remembers successful look-ups."""

    per_sender: int = PER_SENDER
    per_channel: int = PER_CHANNEL
    window: timedelta = WINDOW
    grant_ttl: timedelta = GRANT_TTL
    _misses: dict[str, deque[datetime]] = field(default_factory=dict)
    _channels: dict[str, deque[datetime]] = field(default_factory=dict)
    _grants: dict[tuple[str, str], datetime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _trim(self, q: deque[datetime], now: datetime) -> deque[datetime]:
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def allowed(self, sender_id: str, now: datetime) -> bool:
        """Whether this sender may try another look-up now."""
        with self._lock:
            mine = self._trim(self._misses.get(sender_id, deque()), now)
            channel = self._trim(self._channels.get(channel_key(sender_id), deque()), now)
            return len(mine) < self.per_sender and len(channel) < self.per_channel

    def missed(self, sender_id: str, now: datetime) -> None:
        """Record a look-up that found nothing."""
        with self._lock:
            self._misses.setdefault(sender_id, deque()).append(now)
            self._channels.setdefault(channel_key(sender_id), deque()).append(now)
            stale = [k for k, q in self._misses.items() if not q or now - q[-1] > self.window]
            for key in stale:
                del self._misses[key]  # forget senders long gone

    def grant(self, sender_id: str, case_no: str, now: datetime) -> None:
        """This sender found this case with the right phone: it may confirm it for a while."""
        with self._lock:
            self._grants[(sender_id, case_no)] = now + self.grant_ttl
            for key in [k for k, until in self._grants.items() if until < now]:
                del self._grants[key]

    def granted(self, sender_id: str | None, case_no: str, now: datetime) -> bool:
        """Whether this sender found this case by number + phone recently."""
        if not sender_id:
            return False
        with self._lock:
            until = self._grants.get((sender_id, case_no))
            return until is not None and now <= until
