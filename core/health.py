"""Readiness of the hub's parts: each part may expose ``health(app) -> str | None`` (``None``
when ready, else a short reason); ``/healthz`` answers 200 only when every part is ready.

A database part checks that its database answers a trivial query, off the event loop and with
a bounded wait, so a hub whose database is gone stops claiming readiness (load balancers and
``linli-ready`` rely on it) instead of returning a constant.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 3.0


def _select_one(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


async def database_problem(engine: Engine, timeout_s: float = CHECK_TIMEOUT_S) -> str | None:
    """``None`` when ``engine``'s database answers ``SELECT 1`` within ``timeout_s``, else why."""
    try:
        await asyncio.wait_for(asyncio.to_thread(_select_one, engine), timeout_s)
    except TimeoutError:
        return "database does not answer"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; the reason is logged
        logger.warning("Readiness check failed: %s", type(exc).__name__)
        return f"database unavailable ({type(exc).__name__})"
    return None
