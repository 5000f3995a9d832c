"""Speech synthesis interface and the pyttsx3 (espeak-ng) engine."""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import tempfile
import threading
import wave
from abc import ABC, abstractmethod
from pathlib import Path

from core.errors import LinliError

logger = logging.getLogger(__name__)

DEFAULT_VOICE = "cmn-latn-pinyin"
"""espeak-ng voice that reads Mandarin (the voice named ``cmn`` reads pinyin as English)."""


class SynthesisError(LinliError):
    """The synthesiser produced no audio."""


class Synthesizer(ABC):
    """A speech synthesiser. ``synthesize`` blocks: call it via ``asyncio.to_thread``."""

    @abstractmethod
    def synthesize(self, text: str, *, rate: int = 125, volume: float = 1.0) -> bytes:
        """Speak ``text`` into a complete WAV file (bytes).

        Args:
            text: Simplified Chinese text.
            rate: Words per minute (espeak scale; 200 is espeak's default, ~125 is slow).
            volume: 0.0–1.0.
        """


def wav_is_valid(data: bytes) -> bool:
    """True when ``data`` is a WAV file holding at least one audio frame."""
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getnframes() > 0
    except (wave.Error, EOFError):
        return False


class Pyttsx3Synthesizer(Synthesizer):
    """pyttsx3 on espeak-ng, with its quirks worked around.

    Quirks seen: ``save_to_file`` + ``runAndWait`` sometimes writes no file, and property
    changes seem to apply one call late. Cause found in pyttsx3 2.99's espeak driver: it keeps
    the last text and file name and speaks them again on the next loop. So every call clears
    that state, sets the properties (voice first: espeak resets the rate on a voice change),
    saves, checks the file and retries once. pyttsx3 is not thread-safe: one lock serialises
    all calls.
    """

    def __init__(self, voice: str = DEFAULT_VOICE) -> None:
        """Create the engine lazily on first use (espeak-ng must be installed)."""
        self._voice = voice
        self._engine = None
        self._lock = threading.Lock()

    def _get_engine(self):  # type: ignore[no-untyped-def]
        if self._engine is None:
            import pyttsx3

            engine = pyttsx3.init("espeak")
            ids = [v.id for v in engine.getProperty("voices")]
            # espeak-ng lists voices as "<group>/<name>", e.g. "sit/cmn-latn-pinyin"
            match = next((i for i in ids if i == self._voice or i.endswith("/" + self._voice)), None)
            if match is None:
                logger.warning("espeak-ng voice %s not found; using the default voice", self._voice)
            else:
                self._voice = match
            self._engine = engine
        return self._engine

    def _save_once(self, text: str, rate: int, volume: float, path: Path) -> bytes:
        engine = self._get_engine()
        driver = getattr(getattr(engine, "proxy", None), "_driver", None)
        self._clear_stale(driver)
        with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved to …"
            # The espeak driver applies properties at once when idle; voice first, since
            # espeak resets the rate when the voice is set.
            engine.setProperty("voice", self._voice)
            engine.setProperty("rate", int(rate))
            engine.setProperty("volume", float(volume))
            engine.save_to_file(text, str(path))
            engine.runAndWait()
        self._clear_stale(driver)
        if not path.exists():
            return b""
        return path.read_bytes()

    @staticmethod
    def _clear_stale(driver: object) -> None:
        """The espeak driver keeps the last text and file name and re-speaks them on the next
        loop (a cause of "no file" and of settings that seem to apply one call late)."""
        for attr in ("_text_to_say", "_save_file"):
            if driver is not None and hasattr(driver, attr):
                setattr(driver, attr, None)

    def synthesize(self, text: str, *, rate: int = 125, volume: float = 1.0) -> bytes:
        """Speak ``text`` to WAV bytes; raises SynthesisError when espeak wrote nothing twice."""
        text = (text or "").strip()
        volume = min(max(volume, 0.0), 1.0)
        if not text:
            return silence_wav(0.2)
        with self._lock:
            fd, name = tempfile.mkstemp(prefix="linli-tts-", suffix=".wav")
            os.close(fd)
            path = Path(name)
            try:
                for attempt in (1, 2):
                    path.unlink(missing_ok=True)
                    data = self._save_once(text, rate, volume, path)
                    if wav_is_valid(data):
                        return data
                    logger.warning("pyttsx3 wrote no audio (attempt %d)", attempt)
            finally:
                path.unlink(missing_ok=True)
        raise SynthesisError("pyttsx3 produced no audio")


def silence_wav(seconds: float, sample_rate: int = 16000) -> bytes:
    """A WAV file of silence."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(b"\0\0" * int(sample_rate * seconds))
    return buf.getvalue()


def tone_wav(seconds: float, freq: float = 440.0, sample_rate: int = 16000) -> bytes:
    """A WAV file of a quiet sine tone (what the fake synthesiser 'says')."""
    n = int(sample_rate * seconds)
    frames = bytearray()
    for i in range(n):
        v = int(3000 * math.sin(2 * math.pi * freq * i / sample_rate))
        frames += v.to_bytes(2, "little", signed=True)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(bytes(frames))
    return buf.getvalue()


class FakeSynthesizer(Synthesizer):
    """Test double: a short tone whose length grows with the text; records every call."""

    def __init__(self) -> None:
        """Start with no calls recorded."""
        self.calls: list[tuple[str, int, float]] = []

    def synthesize(self, text: str, *, rate: int = 125, volume: float = 1.0) -> bytes:
        """Record the call and return a valid WAV."""
        self.calls.append((text, rate, volume))
        return tone_wav(min(0.05 + 0.01 * len(text), 0.5))
