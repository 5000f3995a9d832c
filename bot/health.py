"""Health checks of the services a bot turn needs (Rasa, the action server, the hub), for the
outage handling; Rasa itself is talked to through ``core.rasa_rest``."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import httpx

logger = logging.getLogger(__name__)


@dataclass
class Health:
    """Which backend services answered their health check."""

    rasa: bool
    actions: bool
    hub: bool

    @property
    def ok(self) -> bool:
        """True when all three are up."""
        return self.rasa and self.actions and self.hub


class HealthChecker:
    """Asks Rasa (``/``), the action server (``/health``) and the hub (``/healthz``)."""

    def __init__(
        self,
        rasa_url: str,
        actions_url: str,
        hub_url: str,
        *,
        timeout_s: float = 2.0,
        cache_s: float = 1.0,
    ) -> None:
        """Remember the base URLs; a healthy answer is reused for ``cache_s`` seconds."""
        self.cache_s = cache_s
        self._healthy_until = 0.0
        self._checking: asyncio.Task[Health] | None = None
        self.urls = {
            "rasa": rasa_url.rstrip("/") + "/",
            "actions": actions_url.rstrip("/") + "/health",
            "hub": hub_url.rstrip("/") + "/healthz",
        }
        self._client = httpx.AsyncClient(timeout=timeout_s)

    async def _up(self, url: str) -> bool:
        try:
            response = await self._client.get(url)
        except httpx.HTTPError:
            return False
        return response.status_code < 500

    async def check(self, *, fresh: bool = False) -> Health:
        """Check the three services (a recent healthy answer is reused unless ``fresh``)."""
        if not fresh and time.monotonic() < self._healthy_until:
            return Health(rasa=True, actions=True, hub=True)
        if self._checking is None or self._checking.done():
            self._checking = asyncio.ensure_future(self._check())
        return await asyncio.shield(self._checking)

    async def _check(self) -> Health:
        rasa, actions, hub = await asyncio.gather(*(self._up(u) for u in self.urls.values()))
        health = Health(rasa=rasa, actions=actions, hub=hub)
        if health.ok:
            self._healthy_until = time.monotonic() + self.cache_s
        else:
            self._healthy_until = 0.0
            logger.warning("Backend down: rasa=%s actions=%s hub=%s", rasa, actions, hub)
        return health

    def invalidate(self) -> None:
        """Forget the cached healthy answer (after a failure)."""
        self._healthy_until = 0.0

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
