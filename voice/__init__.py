"""Voice: speech recognition and synthesis engines, audio I/O and the kiosk (长辈版) pages."""

from voice.asr import Expectation, Recognizer, Transcript, expectation_for
from voice.audio import (
    AudioClip,
    AudioError,
    AudioNoisy,
    AudioSilent,
    AudioTooLong,
    AudioTooShort,
    AudioUndecodable,
    decode_audio,
    validate_clip,
)
from voice.tts import Synthesizer

__all__ = [
    "AudioClip",
    "AudioError",
    "AudioNoisy",
    "AudioSilent",
    "AudioTooLong",
    "AudioTooShort",
    "AudioUndecodable",
    "Expectation",
    "Recognizer",
    "Synthesizer",
    "Transcript",
    "decode_audio",
    "expectation_for",
    "validate_clip",
]
