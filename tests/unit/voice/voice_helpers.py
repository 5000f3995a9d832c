"""Helpers for the voice tests: reading and writing WAV clips."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

REAL_CLIP = ("aishell1_devtest_misc", "wav/BAC009S0724W0123.wav", "相比于其他一线城市")
"""A real recording (AISHELL-1 dev, speaker S0724, 3.2 s): folder, file, reference."""


def read_wav(path: Path) -> np.ndarray:
    """int16 samples of a 16 kHz mono WAV."""
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy()


def wav_bytes(samples: np.ndarray, rate: int = 16000, channels: int = 1, width: int = 2) -> bytes:
    """Samples (int16, interleaved if channels > 1) as a WAV file."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        if width == 1:
            w.writeframes(((samples.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes())
        else:
            w.writeframes(samples.astype("<i2").tobytes())
    return buf.getvalue()
