"""Voice notes with the real engines: Whisper base on a real Mandarin recording sent as a voice
note, espeak-ng TTS to an OGG/Opus voice note (the real counterparts of the fake
recogniser/synthesiser)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.speech import SpeechIO, Unclear
from tests.paths import transcripts
from tests.unit.bot.helpers import silent_ogg
from voice.metrics import cer

REAL_SET = "aishell1_devtest_misc"
"""Real people (AISHELL-1 dev/test speakers S0724 and S0764), not synthetic speech."""

pytestmark = pytest.mark.slow


def _ogg(path: Path) -> bytes:
    cmd = ["ffmpeg", "-loglevel", "error", "-i", str(path), "-ac", "1", "-c:a", "libopus",
           "-b:a", "24k", "-f", "ogg", "pipe:1"]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, check=True).stdout


@pytest.fixture(scope="module")
def whisper(tmp_path_factory):
    if importlib.util.find_spec("faster_whisper") is None:
        pytest.skip("faster-whisper not installed")
    from voice.engines.whisper import WhisperRecognizer
    from voice.provision import provision_whisper_base

    return WhisperRecognizer(provision_whisper_base(tmp_path_factory.mktemp("w")).path)


async def test_whisper_hears_real_voice_notes(whisper):
    """Seven real recordings sent as OGG/Opus voice notes (24 kbit/s, as Telegram clients do):
    Whisper base gets about 0.15 of the characters wrong over them; 0.25 leaves room for noise."""
    speech = SpeechIO(whisper, None)
    refs, hyps = [], []
    for path, reference in transcripts(REAL_SET):
        refs.append(reference)
        hyps.append(await speech.recognise(_ogg(path), "free"))
    assert len(refs) == 7
    assert cer(refs, hyps) <= 0.25, list(zip(refs, hyps, strict=True))
    with pytest.raises(Unclear):
        await speech.recognise(silent_ogg(2.0), "free")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
async def test_espeak_reply_becomes_an_ogg_voice_note():
    from voice.tts import Pyttsx3Synthesizer

    speech = SpeechIO(None, Pyttsx3Synthesizer(), tts_rate=110)
    ogg = await speech.speak("您好，已为您登记。")
    assert ogg is not None and ogg[:4] == b"OggS"
    from voice.audio import decode_audio, peak_rms

    clip = decode_audio(ogg, max_seconds=60)
    assert clip.duration_s > 0.5
    assert peak_rms(clip.samples) > 300  # speech, not silence
