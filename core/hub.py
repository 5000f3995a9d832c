"""The hub process: one FastAPI app composed of the case system, knowledge base and kiosk parts.

Each part is a module exposing ``register(app, settings)`` and, optionally, async
``startup(app)`` / ``shutdown(app)`` hooks run in the app's lifespan (migrations, seeding,
index building) and an async ``health(app)`` readiness check (``None`` when ready, else a
reason; see ``core/health.py``). Parts not installed in this deployment are skipped with a log
line.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from core.config import HubSettings
from core.logging import setup_logging
from core.resident_data import ResidentDataOwner, register_owner

logger = logging.getLogger(__name__)

PARTS = ("cases.api", "knowledge.api", "voice.kiosk.app", "chat.api", "deliberation.api")
"""Modules composed into the hub, in order."""

OWNERS = ("actions.resident_data", "conversations.resident_data")
"""Modules outside the hub's parts that own residents' data the hub can reach (the action
server's queue in its data directory, the conversations in Rasa's tracker store); each offers
``resident_data_owner(settings)`` (``core/resident_data.py``) and the hub registers it, so a
privacy request covers it without a part importing another."""


def _load_parts() -> list[ModuleType]:
    return _load(PARTS)


def _load_owners() -> list[ModuleType]:
    return _load(OWNERS)


def _load(names: tuple[str, ...]) -> list[ModuleType]:
    parts = []
    for name in names:
        if importlib.util.find_spec(name.split(".")[0]) is None:
            logger.info("Hub part %s not installed, skipped", name)
            continue
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            logger.info("Hub part %s not present, skipped", name)
            continue
        parts.append(importlib.import_module(name))
    return parts


def resident_data_owners(settings: HubSettings) -> list[ResidentDataOwner]:
    """The owners of residents' data (``core/resident_data.py``) of every installed part that
    offers one to tools outside the hub process (``resident_data_owner(settings)``), and of
    ``OWNERS``."""
    return [
        part.resident_data_owner(settings)
        for part in _load_parts() + _load_owners()
        if hasattr(part, "resident_data_owner")
    ]


def create_app(settings: HubSettings | None = None) -> FastAPI:
    """Build the hub app with every available part registered."""
    settings = settings or HubSettings()
    settings.ensure_data_dir()
    parts = _load_parts()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for part in parts:
            if hasattr(part, "startup"):
                await part.startup(app)
        yield
        for part in reversed(parts):
            if hasattr(part, "shutdown"):
                await part.shutdown(app)

    app = FastAPI(title="邻里 Linli hub", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    for part in parts:
        part.register(app, settings)
    for owner in _load_owners():
        register_owner(app.state, owner.resident_data_owner(settings))

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        """Readiness of the hub: 200 when every part is ready, else 503 with each part's reason."""
        problems: dict[str, str] = {}
        for part in parts:
            if hasattr(part, "health"):
                problem = await part.health(app)
                if problem:
                    problems[part.__name__] = problem
        body = {
            "status": "unavailable" if problems else "ok",
            "parts": [p.__name__ for p in parts],
            "problems": problems,
        }
        return JSONResponse(status_code=503 if problems else 200, content=body)

    return app


def main() -> None:
    """Run the hub with uvicorn."""
    parser = argparse.ArgumentParser(description="Linli hub: cases, knowledge base, kiosk")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    settings = HubSettings()
    setup_logging("DEBUG" if args.debug else settings.log_level)
    import uvicorn

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
