"""Speech synthesis interface and the pyttsx3 (espeak-ng) engine."""

from __future__ import annotations

import ctypes
import io
import logging
import math
import threading
import wave
from abc import ABC, abstractmethod

from core.errors import LinliError
from voice.tts_text import clauses, speakable

logger = logging.getLogger(__name__)

DEFAULT_VOICE = "cmn-latn-pinyin"
"""espeak-ng voice that reads Mandarin (the voice named ``cmn`` reads pinyin as English)."""
COMMA_PAUSE_S = 0.25
"""Silence after a comma-like mark (espeak's own is barely audible): clauses heard apart."""
STOP_PAUSE_S = 0.5
"""Silence after a full stop, question or exclamation mark."""


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
    """espeak-ng through pyttsx3's own espeak binding, synchronously.

    pyttsx3 2.99's ``Engine`` loop (``save_to_file`` + ``runAndWait``) proved unreliable here:
    sometimes no file, and the rate applied a call late or not at all. Causes found in its
    espeak driver: it keeps the last text and file name and speaks them again on the next loop,
    and it drives espeak asynchronously (``AUDIO_OUTPUT_RETRIEVAL``) while queueing property
    changes behind a busy flag. So this class uses the same library and binding
    (``pyttsx3.drivers._espeak``) in espeak's synchronous mode: set voice, then rate and
    volume (espeak resets the rate on a voice change), synthesise, collect the samples from the
    callback, check there are some, retry once. A lock serialises calls (espeak is global state;
    pyttsx3 is not thread-safe). Do not mix with ``pyttsx3.init("espeak")`` in one process.

    For listeners: the text goes through ``voice.tts_text.speakable`` first (phone and case
    numbers digit by digit, 1 as 幺 in phones, 5号楼 as 五号楼, letters by their Chinese names:
    espeak would say 5678 as 五千六百七十八 and read "B S" as pinyin), then each clause is
    synthesised on its own and joined with a real pause (``COMMA_PAUSE_S``, ``STOP_PAUSE_S``).
    """

    def __init__(self, voice: str = DEFAULT_VOICE) -> None:
        """Initialise espeak lazily on first use (Debian ``espeak-ng`` must be installed)."""
        self._voice = voice
        self._espeak = None
        self._sample_rate = 22050
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()

    def _init(self):  # type: ignore[no-untyped-def]
        if self._espeak is None:
            try:
                from pyttsx3.drivers import _espeak
            except (ImportError, OSError, RuntimeError) as exc:  # espeak-ng not installed
                raise SynthesisError(f"espeak-ng unavailable: {exc}") from exc

            rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 500, None, 0)
            if rate <= 0:
                raise SynthesisError("espeak-ng could not be initialised")
            self._sample_rate = rate
            _espeak.SetSynthCallback(self._on_audio)
            if _espeak.SetVoiceByName(self._voice.encode("utf-8")) != 0:
                logger.warning("espeak-ng voice %s not found; using cmn", self._voice)
                self._voice = "cmn"
            self._espeak = _espeak
        return self._espeak

    def _on_audio(self, wav, numsamples, events) -> int:  # type: ignore[no-untyped-def]
        if numsamples > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        return 0

    @property
    def voice(self) -> str:
        """The espeak-ng voice name in use."""
        return self._voice

    def _synth_pcm(self, text: str, rate: int, volume: float) -> bytes:
        es = self._init()
        self._chunks = []
        es.SetVoiceByName(self._voice.encode("utf-8"))
        es.SetParameter(es.RATE, int(rate), 0)
        es.SetParameter(es.VOLUME, int(round(volume * 100)), 0)
        es.Synth(text, flags=es.CHARS_UTF8 | es.ENDPAUSE)
        pcm = b"".join(self._chunks)
        self._chunks = []
        return pcm

    def _synth_once(self, text: str, rate: int, volume: float) -> bytes:
        parts: list[bytes] = []
        for body, mark in clauses(text):
            pcm = self._synth_pcm(body + mark, rate, volume)
            if not pcm:  # a clause espeak has nothing for (symbols only): leave it out
                continue
            pause = COMMA_PAUSE_S if mark in "，、；：" else STOP_PAUSE_S
            parts += [pcm, b"\0\0" * int(self._sample_rate * pause)]
        pcm = b"".join(parts[:-1])
        if not pcm:
            return b""
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self._sample_rate)
            w.writeframes(pcm)
        return buf.getvalue()

    def synthesize(self, text: str, *, rate: int = 125, volume: float = 1.0) -> bytes:
        """Speak ``text`` to WAV bytes; raises SynthesisError when espeak produced nothing twice."""
        text = speakable(text)
        volume = min(max(volume, 0.0), 1.0)
        if not clauses(text):
            return silence_wav(0.2)
        with self._lock:
            for attempt in (1, 2):
                data = self._synth_once(text, rate, volume)
                if wav_is_valid(data):
                    return data
                logger.warning("espeak-ng produced no audio (attempt %d)", attempt)
        raise SynthesisError("espeak-ng produced no audio")


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
