"""Fake recogniser for tests: maps clips to canned text."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from voice.asr import Expectation, Recognizer, Transcript
from voice.audio import AudioClip


def clip_key(clip: AudioClip) -> str:
    """A stable key for a clip's samples (sha1 of the int16 bytes)."""
    return hashlib.sha1(clip.samples.astype("<i2").tobytes()).hexdigest()


class FakeRecognizer(Recognizer):
    """Returns text from a mapping keyed by ``clip_key``, a queue, or a function of the clip.

    Every call is recorded in ``calls`` with the expectation it got, so tests can check the
    kiosk steered the recogniser.
    """

    def __init__(
        self,
        mapping: dict[str, str] | None = None,
        *,
        queue: list[str] | None = None,
        func: Callable[[AudioClip, Expectation | None], str] | None = None,
        default: str = "",
    ) -> None:
        """Set the answers: mapping by clip key first, then the queue, then func, then default."""
        self.mapping = dict(mapping or {})
        self.queue = list(queue or [])
        self.func = func
        self.default = default
        self.calls: list[tuple[AudioClip, Expectation | None]] = []

    def transcribe(self, clip: AudioClip, expect: Expectation | None = None) -> Transcript:
        """Look up the canned text."""
        self.calls.append((clip, expect))
        key = clip_key(clip)
        if key in self.mapping:
            text = self.mapping[key]
        elif self.queue:
            text = self.queue.pop(0)
        elif self.func is not None:
            text = self.func(clip, expect)
        else:
            text = self.default
        return Transcript(text=text, confidence=1.0 if text else None, seconds=0.0)
