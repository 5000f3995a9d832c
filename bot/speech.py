"""Voice notes in and out: OGG/Opus → text via a ``voice.asr.Recognizer``; text → OGG/Opus via
a ``voice.tts.Synthesizer`` and ffmpeg. Every blocking step runs in a worker thread."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from core.case_numbers import say_case_numbers
from core.errors import LinliError

if TYPE_CHECKING:
    from voice.asr import Recognizer, Transcript
    from voice.tts import Synthesizer

logger = logging.getLogger(__name__)

MIN_CONFIDENCE = 0.3
"""Transcripts the engine is less sure of than this count as unclear (ask again)."""


class Unclear(LinliError):
    """Nothing usable was heard; ``user_message`` is the gentle request to repeat."""

    def __init__(self, detail: str, user_message: str) -> None:
        """Keep the resident-facing message."""
        super().__init__(detail)
        self.user_message = user_message


def wav_to_ogg_opus(wav: bytes) -> bytes:
    """Convert WAV bytes to an OGG/Opus voice note with ffmpeg (blocking)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise LinliError("ffmpeg is not installed (apt-get install ffmpeg)")
    cmd = [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "wav", "-i", "pipe:0",
        "-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "24k", "-application", "voip",
        "-f", "ogg", "pipe:1",
    ]  # fmt: skip
    proc = subprocess.run(cmd, input=wav, capture_output=True, timeout=60, check=False)
    if proc.returncode != 0 or not proc.stdout:
        raise LinliError(f"ffmpeg could not encode opus: {proc.stderr[-200:]!r}")
    return proc.stdout


class SpeechIO:
    """Recognises voice notes and speaks replies (长辈模式)."""

    def __init__(
        self,
        recognizer: Recognizer | None,
        synthesizer: Synthesizer | None,
        *,
        max_seconds: float = 60.0,
        tts_rate: int = 110,
    ) -> None:
        """Either engine may be missing: voice input or voice replies are then switched off."""
        self.recognizer = recognizer
        self.synthesizer = synthesizer
        self.max_seconds = max_seconds
        self.tts_rate = tts_rate

    def _recognise_blocking(self, data: bytes, expect_kind: str | None) -> Transcript:
        from voice.asr import expectation_for
        from voice.audio import AudioError, decode_audio, validate_clip

        assert self.recognizer is not None
        try:
            clip = decode_audio(data, max_seconds=self.max_seconds)
            clip = validate_clip(clip, max_seconds=self.max_seconds)
        except AudioError as exc:
            raise Unclear(str(exc), exc.user_message) from exc
        return self.recognizer.transcribe(clip, expectation_for(expect_kind or "free"))

    async def recognise(self, data: bytes, expect_kind: str | None = None) -> str:
        """The words in a voice note.

        Raises:
            Unclear: Bad, silent, noisy or unintelligible audio (never a guess).
        """
        from bot import texts

        if self.recognizer is None:
            raise Unclear("no recogniser configured", texts.VOICE_FAILED)
        transcript = await asyncio.to_thread(self._recognise_blocking, data, expect_kind)
        text = transcript.text.strip(" 。，,.")
        if not text:
            raise Unclear("empty transcript", texts.VOICE_UNCLEAR)
        if transcript.confidence is not None and transcript.confidence < MIN_CONFIDENCE:
            raise Unclear(f"low confidence {transcript.confidence:.2f}", texts.VOICE_UNCLEAR)
        logger.info("Voice note recognised in %.2f s", transcript.seconds)
        return transcript.text.strip()

    def _speak_blocking(self, text: str) -> bytes:
        assert self.synthesizer is not None
        # a case number by its tail, as the kiosk says it (the chat text shows the whole number)
        wav = self.synthesizer.synthesize(say_case_numbers(text), rate=self.tts_rate, volume=1.0)
        return wav_to_ogg_opus(wav)

    async def speak(self, text: str) -> bytes | None:
        """An OGG/Opus voice note saying ``text`` (None when no synthesiser or it failed)."""
        if self.synthesizer is None or not text.strip():
            return None
        try:
            return await asyncio.to_thread(self._speak_blocking, text)
        except LinliError:
            logger.exception("Voice reply failed")
            return None


def build_speech(engine: str, data_dir: Path, *, max_seconds: float, tts_rate: int) -> SpeechIO:
    """The voice engines of ``voice.factory`` (``VOICE_*`` settings: Whisper base, and the
    kiosk's synthesiser — espeak-ng, or the opt-in neural voice); ``engine="fake"`` for tests."""
    recognizer: Recognizer | None = None
    synthesizer: Synthesizer | None = None
    try:
        from voice.config import VoiceSettings
        from voice.factory import make_recognizer, make_synthesizer

        voice = VoiceSettings().model_copy(update={"engine": engine})  # BOT_VOICE_ENGINE
        recognizer = make_recognizer(voice, data_dir)
        synthesizer = make_synthesizer(voice, data_dir)
    except ImportError:
        logger.warning("Voice engines not installed: no voice notes in or out")
    return SpeechIO(recognizer, synthesizer, max_seconds=max_seconds, tts_rate=tts_rate)
