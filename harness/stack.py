"""Start the real Linli stack (Rasa with the trained model, action server, hub) for tests and
benchmarks.

Each process runs from the project's venvs exactly as ``./linli run`` starts it (its command line
is the Procfile's, read by ``core/procfile.py``), on free loopback ports, with its own data
directory. Processes can be stopped and started again one by one, which
the fault tests use (kill the action server mid-conversation, restart it, …).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.procfile import Process, process
from core.ready import http_ok, rasa_ready

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "nlu" / "models" / "linli.tar.gz"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    """The running processes and how to reach them."""

    data_dir: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    hub_port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    """Token of Rasa's HTTP API (``?token=``), as ``./linli run`` generates it."""
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        """Rasa's base URL."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        """The action server's base URL."""
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def hub_url(self) -> str:
        """The hub's base URL."""
        return f"http://127.0.0.1:{self.hub_port}"

    @property
    def env(self) -> dict[str, str]:
        """The environment every process gets."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("LINLI_", "KB_", "VOICE_", "BOT_", "CASES_"))
        }
        env.update(
            LINLI_DATA_DIR=str(self.data_dir),
            LINLI_SERVICE_TOKEN=self.token,
            LINLI_RASA_TOKEN=self.rasa_token,
            LINLI_HUB_URL=self.hub_url,
            LINLI_RASA_URL=self.rasa_url,
            LINLI_PORT=str(self.hub_port),
            LINLI_ACTIONS_PORT=str(self.actions_port),
            LINLI_RASA_PORT=str(self.rasa_port),
            LINLI_ACTION_ENDPOINT=f"{self.actions_url}/webhook",
            LINLI_RASA_TRACKER_DB=str(self.data_dir / "rasa_tracker.db"),
            RASA_TELEMETRY_ENABLED="false",
            SANIC_HOST="127.0.0.1",
            TF_CPP_MIN_LOG_LEVEL="2",
            PYTHONPATH=str(ROOT / "nlu"),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def commands(self) -> dict[str, Process]:
        """How each process is started: the Procfile's lines (``core.procfile``, the table
        ``./linli run`` gives honcho), without the supervisor (the fault tests stop and restart
        processes themselves and must see them exit)."""
        return {
            name: process(name, self.env, supervised=False) for name in ("hub", "actions", "rasa")
        }

    def ready(self, name: str) -> bool:
        """True when the named process answers its health check."""
        with httpx.Client(timeout=3) as client:
            if name == "rasa":
                return rasa_ready(client, self.rasa_url, self.rasa_token)
            if name == "actions":
                return http_ok(client, f"{self.actions_url}/health")
            return http_ok(client, f"{self.hub_url}/healthz")

    def start(self, name: str, timeout_s: float = 300) -> None:
        """Start one process and wait until it is ready."""
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        command = self.commands()[name]
        self.procs[name] = subprocess.Popen(
            command.argv,
            cwd=ROOT,
            env={**self.env, **command.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited early; log:\n{self.log_tail(name)}")
            if self.ready(name):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{name} not ready after {timeout_s}s; log:\n{self.log_tail(name)}")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop one process (SIGKILL to simulate a crash)."""
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def restart(self, name: str) -> None:
        """Stop and start one process."""
        self.stop(name)
        self.start(name)

    def start_all(self) -> None:
        """Hub and actions first, then Rasa (the slow one)."""
        for name in ("hub", "actions", "rasa"):
            self.start(name)

    def close(self) -> None:
        """Stop everything."""
        for name in list(self.procs):
            self.stop(name)

    def log_tail(self, name: str, lines: int = 60) -> str:
        """The end of a process's log."""
        path = self.data_dir / "logs" / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def say(self, sender: str, text: str, timeout_s: float = 60) -> list[dict]:
        """Send one message through Rasa's REST channel; return the bot's messages."""
        r = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=timeout_s,
        )
        r.raise_for_status()
        return r.json()

    def tracker(self, sender: str) -> dict:
        """Rasa's tracker of one conversation (its HTTP API, with the token)."""
        r = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.rasa_token},
            timeout=30,
        )
        r.raise_for_status()
        return r.json()

    def parse(self, text: str) -> dict:
        """Rasa's ``/model/parse`` of one text (with the token)."""
        r = httpx.post(
            f"{self.rasa_url}/model/parse",
            params={"token": self.rasa_token},
            json={"text": text},
            timeout=30,
        )
        r.raise_for_status()
        return r.json()

    def cases_of(self, sender: str) -> list[dict]:
        """Every case the hub stored for this sender."""
        with self.hub() as hub:
            r = hub.get("/api/cases", params={"sender_id": sender, "limit": 50})
            r.raise_for_status()
            return r.json()

    def hub(self) -> httpx.Client:
        """An HTTP client for the hub with the service token."""
        return httpx.Client(
            base_url=self.hub_url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )


def share_models(data_dir: Path) -> None:
    """Let a test data dir use the models provisioned under var/models (read-only use)."""
    src = ROOT / "var" / "models"
    if src.exists() and not (data_dir / "models").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            (data_dir / "models").symlink_to(src, target_is_directory=True)
        except OSError:
            shutil.copytree(src, data_dir / "models")


def web_sender() -> str:
    """A fresh resident of the REST channel for each conversation."""
    return f"web:{secrets.token_hex(6)}"


def texts(messages: list[dict]) -> str:
    """All the text the bot said, joined."""
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


def customs(messages: list[dict]) -> list[dict]:
    """The custom JSON payloads in the bot's messages."""
    return [m["custom"] for m in messages if m.get("custom")]
