"""Audio I/O: decode uploads (WAV, OGG/Opus, …) to 16 kHz mono int16 and validate them."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import wave
from dataclasses import dataclass

import numpy as np

from core.errors import InvalidInput

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
"""The sample rate every recogniser gets."""

SILENCE_RMS = 100.0
"""Clips whose loudest 100 ms window is quieter than this (int16 RMS) count as silent."""


class AudioError(InvalidInput):
    """Audio from a resident that cannot be used; ``user_message`` is what we tell them."""

    user_message = "没听清楚，请您再说一遍。"

    def __init__(self, detail: str = "", user_message: str | None = None) -> None:
        super().__init__(detail or self.__class__.__name__)
        if user_message is not None:
            self.user_message = user_message


class AudioTooLong(AudioError):
    """The recording is longer than allowed."""

    user_message = "这段话有点长，请您分成几句，慢慢说。"


class AudioTooShort(AudioError):
    """The recording is too short to hold a word."""

    user_message = "没听清楚，请您按住按钮，再说一遍。"


class AudioSilent(AudioError):
    """Nothing but silence (or a muted microphone)."""

    user_message = "没听到声音，请您靠近一点，大声说一遍。"


class AudioNoisy(AudioError):
    """Steady noise (hiss, hum of a fan) without speech in it."""

    user_message = "这边有点吵，没听清，请您靠近话筒再说一遍。"


class AudioUndecodable(AudioError):
    """The bytes are not audio we can read."""

    user_message = "这段录音打不开，请您再说一遍。"


@dataclass
class AudioClip:
    """A mono int16 PCM clip."""

    samples: np.ndarray
    """Mono int16 samples."""
    sample_rate: int = SAMPLE_RATE
    """Samples per second."""

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return float(len(self.samples)) / float(self.sample_rate) if self.sample_rate else 0.0

    @classmethod
    def from_pcm16(cls, data: bytes, sample_rate: int = SAMPLE_RATE) -> AudioClip:
        """Build a clip from raw little-endian int16 mono bytes (odd trailing byte dropped)."""
        usable = len(data) - (len(data) % 2)
        return cls(np.frombuffer(data[:usable], dtype="<i2").astype(np.int16), sample_rate)

    def to_float32(self) -> np.ndarray:
        """Samples scaled to [-1, 1] as float32 (what faster-whisper takes)."""
        return self.samples.astype(np.float32) / 32768.0

    def to_wav_bytes(self) -> bytes:
        """The clip as a complete WAV file."""
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(self.samples.astype("<i2").tobytes())
        return buf.getvalue()


def resample(samples: np.ndarray, src_rate: int, dst_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Resample int16 mono audio by linear interpolation (good enough for speech at 16 kHz)."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples.astype(np.int16)
    n_out = int(round(len(samples) * dst_rate / src_rate))
    x_old = np.arange(len(samples), dtype=np.float64) / src_rate
    x_new = np.arange(n_out, dtype=np.float64) / dst_rate
    out = np.interp(x_new, x_old, samples.astype(np.float64))
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def _decode_wav(data: bytes) -> AudioClip:
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioUndecodable(f"bad WAV: {exc}") from exc
    if rate <= 0 or channels <= 0:
        raise AudioUndecodable("WAV without rate or channels")
    if width == 2:
        pcm = np.frombuffer(frames[: len(frames) - len(frames) % (2 * channels)], dtype="<i2")
    elif width == 1:
        pcm = ((np.frombuffer(frames, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    elif width == 4:
        raw = np.frombuffer(frames[: len(frames) - len(frames) % (4 * channels)], dtype="<i4")
        pcm = (raw >> 16).astype(np.int16)
    else:
        raise AudioUndecodable(f"unsupported sample width {width}")
    if channels > 1:
        usable = len(pcm) - len(pcm) % channels
        pcm = pcm[:usable].reshape(-1, channels).astype(np.int32).mean(axis=1).astype(np.int16)
    return AudioClip(resample(pcm, rate), SAMPLE_RATE)


def _decode_ffmpeg(data: bytes, *, max_seconds: float) -> AudioClip:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AudioUndecodable("ffmpeg is not installed (apt-get install ffmpeg)")
    cmd = [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin",
        "-i", "pipe:0",
        # read a little more than allowed so that validation can still say "too long"
        "-t", f"{max_seconds + 1.0:.2f}",
        "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "pipe:1",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioUndecodable("ffmpeg timed out") from exc
    if proc.returncode != 0 or not proc.stdout:
        logger.info("ffmpeg could not decode %d bytes: %s", len(data), proc.stderr[-300:])
        raise AudioUndecodable("ffmpeg could not decode the audio")
    return AudioClip.from_pcm16(proc.stdout, SAMPLE_RATE)


def decode_audio(data: bytes, *, max_seconds: float) -> AudioClip:
    """Decode audio bytes to a 16 kHz mono int16 clip.

    WAV is read directly (any rate/width/channels, resampled); anything else (OGG/Opus voice
    notes, MP3, WebM …) goes through the ``ffmpeg`` command line.

    Args:
        data: The file's bytes.
        max_seconds: Longest clip the caller accepts (ffmpeg stops reading a bit past it).

    Raises:
        AudioUndecodable: Empty or unreadable bytes.
    """
    if not data:
        raise AudioUndecodable("no bytes")
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _decode_wav(data)
    return _decode_ffmpeg(data, max_seconds=max_seconds)


def peak_rms(samples: np.ndarray, sample_rate: int = SAMPLE_RATE, window_s: float = 0.1) -> float:
    """RMS of the loudest window (int16 units)."""
    if len(samples) == 0:
        return 0.0
    win = max(1, int(sample_rate * window_s))
    x = samples.astype(np.float64)
    n = len(x) // win
    if n == 0:
        return float(np.sqrt(np.mean(x**2)))
    frames = x[: n * win].reshape(n, win)
    return float(np.sqrt((frames**2).mean(axis=1)).max())


def spectral_flatness(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Median spectral flatness of the louder frames (0 = speech-like, ~0.56 = white noise)."""
    frame = int(sample_rate * 0.032)
    x = samples.astype(np.float64)
    n = len(x) // frame
    if n == 0:
        return 0.0
    frames = x[: n * frame].reshape(n, frame)
    energy = (frames**2).mean(axis=1)
    audible = energy > SILENCE_RMS**2  # digital silence has a perfectly flat (empty) spectrum
    if not audible.any():
        return 0.0
    energy, frames = energy[audible], frames[audible]
    loud = frames[energy >= np.percentile(energy, 50)]
    spec = np.abs(np.fft.rfft(loud * np.hanning(frame), axis=1)) ** 2 + 1e-10
    flat = np.exp(np.log(spec).mean(axis=1)) / spec.mean(axis=1)
    return float(np.median(flat))


NOISE_FLATNESS = 0.35
"""Clips whose louder frames are flatter than this are steady noise, not speech."""


def validate_clip(clip: AudioClip, *, max_seconds: float, min_seconds: float = 0.3) -> AudioClip:
    """Check a clip is usable speech input and return it (16 kHz mono int16).

    Raises:
        AudioTooShort: Shorter than ``min_seconds`` (includes empty clips).
        AudioTooLong: Longer than ``max_seconds``.
        AudioSilent: No window louder than the silence threshold.
        AudioNoisy: Steady broadband noise without speech.
    """
    samples = np.asarray(clip.samples)
    if samples.ndim != 1:
        samples = samples.reshape(-1)
    if samples.dtype != np.int16:
        if np.issubdtype(samples.dtype, np.floating):
            samples = np.clip(samples * 32768.0, -32768, 32767).astype(np.int16)
        else:
            samples = samples.astype(np.int16)
    if clip.sample_rate != SAMPLE_RATE:
        if clip.sample_rate <= 0:
            raise AudioUndecodable(f"bad sample rate {clip.sample_rate}")
        samples = resample(samples, clip.sample_rate, SAMPLE_RATE)
    clip = AudioClip(samples, SAMPLE_RATE)
    if clip.duration_s < min_seconds:
        raise AudioTooShort(f"{clip.duration_s:.2f}s < {min_seconds}s")
    if clip.duration_s > max_seconds:
        raise AudioTooLong(f"{clip.duration_s:.1f}s > {max_seconds}s")
    if peak_rms(clip.samples) < SILENCE_RMS:
        raise AudioSilent("no sound above the silence threshold")
    flatness = spectral_flatness(clip.samples)
    if flatness > NOISE_FLATNESS:
        raise AudioNoisy(f"spectral flatness {flatness:.2f}")
    return clip
