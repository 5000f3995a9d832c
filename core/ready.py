"""Readiness: wait until Rasa (model loaded), the action server and the hub answer, then print
the URLs.

Run by the process manager beside the services; it keeps watching and logs when one goes down.
Exits non-zero (so the process manager stops everything) when the stack does not come up in time.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import httpx

logger = logging.getLogger(__name__)


def rasa_ready(client: httpx.Client, url: str, token: str | None = None) -> bool:
    """Rasa answers /status (an API route: it needs the token) with a loaded model."""
    try:
        r = client.get(f"{url}/status", params={"token": token} if token else None)
        return r.status_code == 200 and bool(r.json().get("model_id"))
    except (httpx.HTTPError, ValueError):
        return False


def http_ok(client: httpx.Client, url: str) -> bool:
    """The URL answers 200."""
    try:
        return client.get(url).status_code == 200
    except httpx.HTTPError:
        return False


def checks(
    rasa_url: str, actions_url: str, hub_url: str, rasa_token: str | None = None
) -> dict[str, object]:
    """name → callable(client) -> bool for every service."""
    return {
        "rasa": lambda c: rasa_ready(c, rasa_url, rasa_token),
        "actions": lambda c: http_ok(c, f"{actions_url}/health"),
        "hub": lambda c: http_ok(c, f"{hub_url}/healthz"),
    }


def wait_until_ready(
    rasa_url: str, actions_url: str, hub_url: str, timeout_s: float, rasa_token: str | None = None
) -> list[str]:
    """Poll until every service is ready; returns the names still not ready at the deadline."""
    pending = checks(rasa_url, actions_url, hub_url, rasa_token)
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=3) as client:
        while pending and time.monotonic() < deadline:
            for name in [n for n, check in pending.items() if check(client)]:  # type: ignore[operator]
                logger.info("%s is ready", name)
                del pending[name]
            if pending:
                time.sleep(1)
    return list(pending)


def main() -> None:
    """Wait, print the URLs, keep watching."""
    parser = argparse.ArgumentParser(description="Wait for the Linli stack and print its URLs")
    parser.add_argument(
        "--timeout", type=float, default=float(os.environ.get("LINLI_READY_TIMEOUT", "600"))
    )
    parser.add_argument("--once", action="store_true", help="exit after the stack is ready")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rasa_url = os.environ.get("LINLI_RASA_URL", "http://127.0.0.1:5005")
    actions_url = f"http://127.0.0.1:{os.environ.get('LINLI_ACTIONS_PORT', '5055')}"
    hub_url = os.environ.get("LINLI_HUB_URL", "http://127.0.0.1:8000")
    rasa_token = os.environ.get("LINLI_RASA_TOKEN") or None
    missing = wait_until_ready(rasa_url, actions_url, hub_url, args.timeout, rasa_token)
    if missing:
        logger.error(
            "Not ready after %.0f s: %s — see their output above", args.timeout, ", ".join(missing)
        )
        sys.exit(1)
    banner = [
        "",
        "邻里 Linli is ready:",
        f"  网页对话 (居民):    POST {hub_url}/api/chat  "
        '{"message": "我要报事"}  (cookie 区分会话)',
        f"  大屏自助机 kiosk:   {hub_url}/kiosk/",
        f"  服务中心大屏:       {hub_url}/kiosk/dashboard",
        f"  工作人员后台:       {hub_url}/staff/",
        f"  Open311:            {hub_url}/open311/v2/services.json",
        f"  API docs:           {hub_url}/docs",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    logger.info("\n".join(banner))
    if args.once:
        return
    with httpx.Client(timeout=3) as client:
        down: set[str] = set()
        while True:
            time.sleep(30)
            for name, check in checks(rasa_url, actions_url, hub_url, rasa_token).items():
                ok = check(client)  # type: ignore[operator]
                if not ok and name not in down:
                    logger.warning("%s stopped answering", name)
                    down.add(name)
                elif ok and name in down:
                    logger.info("%s is back", name)
                    down.discard(name)


if __name__ == "__main__":
    main()
