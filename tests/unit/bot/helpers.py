"""Small helpers for bot tests: audio and images."""

from __future__ import annotations

import io
import struct
import zlib

from bot.speech import wav_to_ogg_opus
from voice.tts import silence_wav, tone_wav


def tone_ogg(seconds: float = 1.0) -> bytes:
    """An OGG/Opus voice note holding a tone (passes the audio checks; fake ASR hears text)."""
    return wav_to_ogg_opus(tone_wav(seconds, freq=300.0))


def silent_ogg(seconds: float = 1.0) -> bytes:
    """An OGG/Opus voice note of silence."""
    return wav_to_ogg_opus(silence_wav(seconds))


def tiny_png() -> bytes:
    """A valid 2x2 PNG."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    buf = io.BytesIO()
    buf.write(b"\x89PNG\r\n\x1a\n")
    buf.write(chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)))
    buf.write(chunk(b"IDAT", zlib.compress(raw)))
    buf.write(chunk(b"IEND", b""))
    return buf.getvalue()


def tiny_jpeg() -> bytes:
    """Bytes that start like a JPEG (the bot checks magic bytes; the hub checks more)."""
    return b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"


async def eventually(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``condition()`` is true (fails the test after ``timeout`` seconds)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.02)
