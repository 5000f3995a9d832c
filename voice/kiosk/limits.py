"""Limits on guessing at the kiosk's case look-up (number + phone last 4).

A miss counts against the kiosk session and against the whole kiosk: a fresh session (page
reload, 重新开始) starts with its own allowance, but the kiosk-wide window still holds, so
trying number after number stays slow however the screen is reset. A successful look-up does
not count.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

PER_SESSION = 4
"""Misses allowed per kiosk session within the window."""
PER_KIOSK = 20
"""Misses allowed for all sessions together within the window."""
WINDOW_S = 15 * 60.0


@dataclass
class GuessLimiter:
    """Counts misses in a sliding window, per session and overall."""

    per_session: int = PER_SESSION
    per_kiosk: int = PER_KIOSK
    window_s: float = WINDOW_S
    clock: Callable[[], float] = time.monotonic
    _misses: dict[str, deque[float]] = field(default_factory=dict)
    _all: deque[float] = field(default_factory=deque)

    def _trim(self, q: deque[float], now: float) -> None:
        while q and now - q[0] > self.window_s:
            q.popleft()

    def allowed(self, session_id: str) -> bool:
        """Whether this session may try another look-up now."""
        now = self.clock()
        self._trim(self._all, now)
        mine = self._misses.get(session_id)
        if mine is not None:
            self._trim(mine, now)
        return len(self._all) < self.per_kiosk and len(mine or ()) < self.per_session

    def missed(self, session_id: str) -> None:
        """Record a look-up that found nothing."""
        now = self.clock()
        self._misses.setdefault(session_id, deque()).append(now)
        self._all.append(now)
        for key in [k for k, q in self._misses.items() if q and now - q[-1] > self.window_s]:
            del self._misses[key]  # forget sessions long gone
