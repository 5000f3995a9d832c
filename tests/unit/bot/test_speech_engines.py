"""The bot's voice engines come from ``voice.factory``, like the kiosk's: the same settings
choose the same voice (the opt-in neural voice reaches Telegram's 长辈模式 too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.speech import build_speech
from voice.engines.fake import FakeRecognizer
from voice.tts import FakeSynthesizer, Pyttsx3Synthesizer


def test_the_kiosks_synthesiser_setting_is_the_bots(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VOICE_TTS_ENGINE", "fake")
    speech = build_speech("fake", tmp_path, max_seconds=60, tts_rate=110)
    assert isinstance(speech.recognizer, FakeRecognizer)
    assert isinstance(speech.synthesizer, FakeSynthesizer)


def test_espeak_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VOICE_TTS_ENGINE", raising=False)
    speech = build_speech("fake", tmp_path, max_seconds=60, tts_rate=110)
    assert isinstance(speech.synthesizer, Pyttsx3Synthesizer)
