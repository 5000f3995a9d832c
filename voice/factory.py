"""Build the configured recogniser and synthesiser from settings."""

from __future__ import annotations

from pathlib import Path

from voice.asr import Recognizer
from voice.config import VoiceSettings
from voice.tts import Synthesizer


def make_recognizer(settings: VoiceSettings, data_dir: Path) -> Recognizer:
    """The recogniser named by ``VOICE_ENGINE``."""
    if settings.engine == "vosk":
        from voice.engines.vosk import VoskRecognizer

        if settings.vosk_model is None:
            raise ValueError("VOICE_ENGINE=vosk needs VOICE_VOSK_MODEL (a vosk model folder)")
        return VoskRecognizer(settings.vosk_model)
    if settings.engine == "fake":
        from voice.engines.fake import FakeRecognizer

        return FakeRecognizer()
    from voice.engines.whisper import WhisperRecognizer

    return WhisperRecognizer(
        settings.resolved_whisper_model(data_dir),
        settings.whisper_compute_type,
        cpu_threads=settings.whisper_threads,
        beam_size=settings.whisper_beam_size,
    )


def make_synthesizer(settings: VoiceSettings) -> Synthesizer:
    """The synthesiser named by ``VOICE_TTS_ENGINE``."""
    if settings.tts_engine == "fake":
        from voice.tts import FakeSynthesizer

        return FakeSynthesizer()
    from voice.tts import Pyttsx3Synthesizer

    return Pyttsx3Synthesizer(settings.tts_voice)
