"""Per-app state of the deliberation part (``app.state.deliberation``)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cases.client import CaseClient, CaseClientProtocol
from cases.clock import Clock, SystemClock
from core.config import HubSettings
from deliberation.config import DeliberationSettings
from deliberation.households import PhoneGuard


@dataclass
class DeliberationState:
    """Settings, database, clock, guess limits and the case client."""

    hub: HubSettings
    settings: DeliberationSettings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    guard: PhoneGuard = field(default_factory=PhoneGuard)
    sqlite_lock: threading.Lock | None = None
    """Serialises request transactions on SQLite (None on PostgreSQL)."""
    sweeper: asyncio.Task[None] | None = None
    case_client: CaseClientProtocol | None = None
    """Set to inject a client (tests); otherwise one is made for the hub's own case API."""

    def cases(self) -> CaseClientProtocol:
        """The case system's client (through its HTTP API, with the service token)."""
        if self.case_client is None:
            self.case_client = CaseClient(
                self.hub.hub_url, self.hub.service_token, timeout=self.settings.case_timeout_s
            )
        return self.case_client
