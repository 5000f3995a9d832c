"""vosk engine (Kaldi), restricted per question by a grammar of expected phrases."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from core.textnorm import normalize_text
from voice.asr import COMMAND_WORDS, Expectation, Recognizer, Transcript
from voice.audio import AudioClip

logger = logging.getLogger(__name__)


def grammar_for(expect: Expectation | None, extra: list[str] | None = None) -> str | None:
    """The vosk grammar (JSON list of phrases + "[unk]"), or None for free recognition."""
    if expect is None or expect.kind in ("free", "description"):
        return None
    phrases = list(dict.fromkeys([*expect.phrases, *(extra or COMMAND_WORDS)]))
    return json.dumps([*phrases, "[unk]"], ensure_ascii=False)


class VoskRecognizer(Recognizer):
    """vosk recogniser; ``model_path`` is an unpacked vosk model folder."""

    def __init__(self, model_path: str | Path, *, use_grammar: bool = True) -> None:
        """Remember the model path; loading happens on first use (or ``load()``)."""
        self.model_path = str(model_path)
        self.use_grammar = use_grammar
        self._model = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now."""
        with self._lock:
            if self._model is None:
                import vosk

                vosk.SetLogLevel(-1)
                if not Path(self.model_path).is_dir():
                    raise FileNotFoundError(f"vosk model folder not found: {self.model_path}")
                self._model = vosk.Model(self.model_path)
                logger.info("vosk model %s loaded", self.model_path)

    def transcribe(self, clip: AudioClip, expect: Expectation | None = None) -> Transcript:
        """Recognise one utterance; with a grammar, out-of-grammar speech becomes empty text."""
        import vosk

        self.load()
        started = time.perf_counter()
        grammar = grammar_for(expect) if self.use_grammar else None
        if grammar is not None:
            rec = vosk.KaldiRecognizer(self._model, clip.sample_rate, grammar)
        else:
            rec = vosk.KaldiRecognizer(self._model, clip.sample_rate)
        rec.SetWords(True)
        pcm = clip.samples.astype("<i2").tobytes()
        step = clip.sample_rate * 2 // 2  # 0.5 s chunks
        for i in range(0, len(pcm), step):
            rec.AcceptWaveform(pcm[i : i + step])
        result = json.loads(rec.FinalResult())
        words = [w for w in result.get("result", []) if w.get("word") != "[unk]"]
        text = " ".join(w["word"] for w in words) if words else ""
        text = normalize_text(text.replace("[unk]", "").strip())
        # Chinese vosk models put spaces between words; drop them between CJK characters.
        text = _join_cjk(text)
        conf = sum(w.get("conf", 0.0) for w in words) / len(words) if words else None
        return Transcript(text=text, confidence=conf, seconds=time.perf_counter() - started)


def _join_cjk(text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1:
            if _is_cjk(text[i - 1]) and _is_cjk(text[i + 1]):
                continue
        out.append(ch)
    return "".join(out)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"
