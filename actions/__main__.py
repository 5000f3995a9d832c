"""Run the rasa-sdk action server with Linli's actions: ``python -m actions``."""

from __future__ import annotations

import argparse
import logging
import os

from actions import runtime
from core.config import ActionsSettings
from core.logging import setup_logging

logger = logging.getLogger(__name__)


def main() -> None:
    """Build settings and the actions' dependencies, configure logging, serve the actions."""
    parser = argparse.ArgumentParser(description="Linli action server (rasa-sdk)")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("LINLI_ACTIONS_PORT", "5055"))
    )
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    settings = ActionsSettings()
    setup_logging("DEBUG" if args.debug else settings.log_level)
    if not settings.service_token:
        logger.warning("LINLI_SERVICE_TOKEN is not set: the hub will refuse case submissions")
    deps = runtime.ActionDeps(settings)
    runtime.install(deps)
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")
    os.environ.setdefault("ACTION_SERVER_SANIC_WORKERS", "1")

    from rasa_sdk.endpoint import run

    from actions.executor import ResumingExecutor

    executor = ResumingExecutor(deps)
    executor.register_package("actions")
    run(executor, port=args.port)


if __name__ == "__main__":
    main()
