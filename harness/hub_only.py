"""A real hub process with a scripted dialogue instead of Rasa (no Rasa, no action server).

The kiosk's browser tests (``tests/e2e/voice``) and the voice benchmark use it: the hub runs the
case system, the kiosk and 议事 with the real recogniser and synthesiser (unless ``extra_env``
overrides them); the dialogue is ``harness/fakes/fake_rasa.py`` in a uvicorn thread.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from harness.fakes.fake_rasa import create_app as fake_rasa_app
from harness.stack import ROOT, free_port, share_models


@dataclass
class HubOnly:
    """A real hub process plus the scripted fake dialogue server."""

    url: str
    token: str
    data_dir: Path
    proc: subprocess.Popen
    dialogue: list[dict] = field(default_factory=list)
    """What the scripted dialogue was sent (``{"sender", "message"}``), oldest first."""

    def client(self) -> httpx.Client:
        """HTTP client with the service token."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )


def start_hub_only(
    data_dir: Path, extra_env: dict[str, str] | None = None
) -> tuple[HubOnly, object]:
    """Start the hub (real engines unless overridden) and the fake dialogue in a thread."""
    import uvicorn

    share_models(data_dir)
    hub_port, rasa_port = free_port(), free_port()
    token = "voice-e2e-token"
    hub_url = f"http://127.0.0.1:{hub_port}"
    dialogue = fake_rasa_app(hub_url, token)
    server = uvicorn.Server(
        uvicorn.Config(dialogue, host="127.0.0.1", port=rasa_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "VOICE_"))}
    env.update(
        LINLI_DATA_DIR=str(data_dir),
        LINLI_SERVICE_TOKEN=token,
        LINLI_PORT=str(hub_port),
        LINLI_RASA_URL=f"http://127.0.0.1:{rasa_port}",
        LINLI_HUB_URL=hub_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    log = open(data_dir / "hub.log", "ab")  # noqa: SIM115 - closed after the process
    # Only the parts these tests use (the knowledge part would rebuild its index for a minute).
    parts = ("cases.api", "voice.kiosk.app", "deliberation.api")
    launcher = f"import core.hub as h; h.PARTS = {parts!r}; h.main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", launcher],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((data_dir / "hub.log").read_text(errors="replace")[-3000:])
        try:
            if httpx.get(f"{hub_url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("hub did not start")
    hub = HubOnly(url=hub_url, token=token, data_dir=data_dir, proc=proc)
    hub.dialogue = dialogue.state.received
    return hub, server


def stop_hub_only(hub: HubOnly, server: object) -> None:
    """Stop the hub process and the fake dialogue."""
    try:
        os.killpg(hub.proc.pid, signal.SIGTERM)
        hub.proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        hub.proc.kill()
    server.should_exit = True  # type: ignore[attr-defined]
