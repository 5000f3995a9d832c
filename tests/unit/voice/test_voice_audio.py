"""Audio decoding and validation: empty, noise, too long, wrong sample rate, corrupt bytes."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from core.errors import InvalidInput
from tests.unit.voice.voice_helpers import wav_bytes
from voice.audio import (
    AudioClip,
    AudioError,
    AudioNoisy,
    AudioSilent,
    AudioTooLong,
    AudioTooShort,
    AudioUndecodable,
    decode_audio,
    resample,
    validate_clip,
)

MAX = 30.0


def check(data: bytes) -> AudioClip:
    return validate_clip(decode_audio(data, max_seconds=MAX), max_seconds=MAX, min_seconds=0.3)


def test_real_speech_passes(speech_clip: np.ndarray) -> None:
    clip = check(wav_bytes(speech_clip))
    assert clip.sample_rate == 16000
    assert clip.duration_s == pytest.approx(len(speech_clip) / 16000)
    assert np.array_equal(clip.samples, speech_clip)


def test_empty_bytes_are_undecodable() -> None:
    with pytest.raises(AudioUndecodable):
        decode_audio(b"", max_seconds=MAX)


def test_empty_wav_is_too_short() -> None:
    with pytest.raises(AudioTooShort):
        check(wav_bytes(np.zeros(0, dtype=np.int16)))


def test_silence_is_refused() -> None:
    with pytest.raises(AudioSilent):
        check(wav_bytes(np.zeros(16000 * 3, dtype=np.int16)))


def test_white_noise_is_refused() -> None:
    noise = (np.random.default_rng(1).standard_normal(16000 * 3) * 4000).astype(np.int16)
    with pytest.raises(AudioNoisy):
        check(wav_bytes(noise))


def test_speech_with_quiet_hiss_passes(speech_clip: np.ndarray) -> None:
    hiss = (np.random.default_rng(2).standard_normal(len(speech_clip)) * 150).astype(np.int32)
    mixed = np.clip(speech_clip.astype(np.int32) + hiss, -32768, 32767).astype(np.int16)
    check(wav_bytes(mixed))


def test_ten_minutes_is_too_long(speech_clip: np.ndarray) -> None:
    ten_min = np.resize(speech_clip, 16000 * 600)
    with pytest.raises(AudioTooLong):
        check(wav_bytes(ten_min))


def test_wrong_sample_rate_is_resampled(speech_clip: np.ndarray) -> None:
    at_44k = resample(speech_clip, 16000, 44100)
    clip = check(wav_bytes(at_44k, rate=44100))
    assert clip.sample_rate == 16000
    assert clip.duration_s == pytest.approx(len(speech_clip) / 16000, abs=0.01)


def test_stereo_8bit_8khz_is_converted(speech_clip: np.ndarray) -> None:
    at_8k = resample(speech_clip, 16000, 8000)
    stereo = np.repeat(at_8k, 2)
    clip = check(wav_bytes(stereo, rate=8000, channels=2, width=1))
    assert clip.sample_rate == 16000
    assert clip.duration_s == pytest.approx(len(speech_clip) / 16000, abs=0.01)


def test_clip_at_other_rate_is_resampled_by_validation(speech_clip: np.ndarray) -> None:
    clip = validate_clip(AudioClip(resample(speech_clip, 16000, 48000), 48000), max_seconds=MAX)
    assert clip.sample_rate == 16000
    assert len(clip.samples) == pytest.approx(len(speech_clip), abs=2)


def test_corrupt_bytes_are_undecodable() -> None:
    with pytest.raises(AudioUndecodable):
        decode_audio(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 3, max_seconds=MAX)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs Debian ffmpeg")
def test_corrupt_non_wav_is_undecodable_via_ffmpeg() -> None:
    with pytest.raises(AudioUndecodable):
        decode_audio(bytes(range(256)) * 40, max_seconds=MAX)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs Debian ffmpeg")
def test_ogg_opus_voice_note_is_decoded(speech_clip: np.ndarray, tmp_path) -> None:
    src = tmp_path / "in.wav"
    src.write_bytes(wav_bytes(speech_clip))
    out = tmp_path / "voice.ogg"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-i",
            str(src),
            "-c:a",
            "libopus",
            "-ar",
            "48000",
            str(out),
        ],
        check=True,
    )
    clip = check(out.read_bytes())
    assert clip.duration_s == pytest.approx(len(speech_clip) / 16000, abs=0.1)


def test_errors_are_invalid_input_with_kind_chinese_messages() -> None:
    for cls in (AudioTooLong, AudioTooShort, AudioSilent, AudioNoisy, AudioUndecodable):
        err = cls("detail")
        assert isinstance(err, AudioError) and isinstance(err, InvalidInput)
        assert err.user_message and all(
            ord(ch) < 0x2000 or "\u3000" <= ch <= "\uffef" for ch in err.user_message
        )
        assert "请" in err.user_message
    assert len({cls.user_message for cls in (AudioTooLong, AudioTooShort, AudioSilent)}) == 3


def test_pcm_roundtrip(speech_clip: np.ndarray) -> None:
    clip = AudioClip.from_pcm16(speech_clip.tobytes() + b"\x01")  # odd trailing byte dropped
    assert np.array_equal(clip.samples, speech_clip)
    assert np.array_equal(decode_audio(clip.to_wav_bytes(), max_seconds=MAX).samples, speech_clip)
