"""Voice unit-test fixtures: real speech clips, the hub app with fake engines and dialogue."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.paths import speech_dir
from tests.unit.voice.voice_helpers import REAL_CLIP, read_wav


@pytest.fixture
def speech_clip() -> np.ndarray:
    """A real Mandarin recording (AISHELL-1, 3.2 s: 相比于其他一线城市); fails when the shared
    data is missing. Tests with the fake recogniser use it as speech whose words do not matter."""
    folder, name, _text = REAL_CLIP
    return read_wav(speech_dir(folder) / name)


@dataclass
class FakeDialogue:
    """A scripted dialogue server behind httpx.MockTransport; records what it was sent."""

    script: list[list[dict]] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)
    down: bool = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer one REST-channel call with the next scripted reply."""
        body = json.loads(request.content)
        self.received.append(body)
        if self.down:
            return httpx.Response(502)
        reply = self.script.pop(0) if self.script else [{"text": "好的。"}]
        return httpx.Response(200, json=[{"recipient_id": body["sender"], **m} for m in reply])


@pytest.fixture
def kiosk_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable]:
    """Build the real hub app with fake recogniser/synthesiser and a scripted dialogue."""
    import core.hub
    from core.config import HubSettings
    from core.hub import create_app
    from core.rasa_rest import RasaClient
    from voice.engines.fake import FakeRecognizer

    # only the parts the kiosk needs (the knowledge part builds its index at startup)
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "voice.kiosk.app"))
    monkeypatch.setenv("VOICE_ENGINE", "fake")
    monkeypatch.setenv("VOICE_TTS_ENGINE", "fake")
    monkeypatch.setenv("VOICE_PRELOAD", "false")

    def build(
        queue: list[str] | None = None,
        script: list[list[dict]] | None = None,
        idle_timeout_s: float = 90.0,
    ):
        monkeypatch.setenv("VOICE_IDLE_TIMEOUT_S", str(idle_timeout_s))
        app = create_app(HubSettings(data_dir=tmp_path, service_token="test-token"))
        dialogue = FakeDialogue(script=list(script or []))
        service = app.state.kiosk
        service.recognizer = FakeRecognizer(queue=list(queue or []))
        service.rasa = RasaClient(
            "http://rasa.test", transport=httpx.MockTransport(dialogue.handler)
        )
        return app, service, dialogue

    yield build
