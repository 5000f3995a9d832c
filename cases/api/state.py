"""Per-app state of the case system (``app.state.cases``)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cases.auth import LoginThrottle
from cases.clock import Clock, SystemClock
from cases.config import CasesSettings
from cases.crud import RoutingCache
from cases.guesses import LookupGuard
from core.config import HubSettings
from core.resident_data import ResidentDataOwner


@dataclass
class CasesState:
    """What the case routes need: settings, the database and the clock (tests swap the clock)."""

    hub: HubSettings
    settings: CasesSettings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    sweeper: asyncio.Task[None] | None = None
    routing: RoutingCache = field(default_factory=RoutingCache)
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    lookup_guard: LookupGuard = field(default_factory=LookupGuard)
    """Guess limits of the dialogue channels' case look-up (number + phone last 4)."""
    sqlite_lock: threading.Lock | None = None
    """Serialises request transactions on SQLite (None on PostgreSQL)."""
    resident_data: Callable[[], list[ResidentDataOwner]] = list
    """The hub's owners of residents' data (``core/resident_data.py``); read when needed (the
    hub registers some after its parts)."""
