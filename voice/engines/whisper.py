"""faster-whisper engine (Whisper base, CTranslate2), prompted per question."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path

from core.textnorm import normalize_text
from voice.asr import Expectation, Recognizer, Transcript
from voice.audio import AudioClip
from voice.digits import (
    Hypothesis,
    is_phone,
    pick_number,
    says_number,
    spoken_digits,
    with_one_repeated,
)
from voice.engines.whisper_digits import DigitDecoder

logger = logging.getLogger(__name__)

BASE_PROMPT = "以下是普通话的句子，是居民跟社区说的话。"
"""A Simplified-Chinese lead-in (without one Whisper often writes Traditional). It holds no
resident's sentence: a prompt that contains what a resident is about to say makes Whisper "hear"
it whatever was said, and tests that use that sentence then measure the prompt."""

PROMPT_INTROS = {
    "category": "是什么问题？",
    "location": "在哪里？",
    "description": "什么情况？",
    "urgency": "急不急？",
    "phone": "您的手机号是多少？",
    "yes_no": "对不对？",
    "service_type": "办什么事？",
    "applicant": "给谁办？",
    "time": "什么时间方便？",
    "free": "请问您要办什么？",
    "command": "要我停下，还是再说一遍？",
}
"""The question as the kiosk asked it; the expected words follow it as the answer."""

# Known hallucinations of Whisper on silence/noise (never pass them on as words).
_HALLUCINATIONS = ("字幕", "订阅", "点赞", "谢谢观看", "请不吝", "明镜")


STEERED_KINDS: frozenset[str] = frozenset({"location", "yes_no", "command"})
"""Question kinds whose expected words go into Whisper's prompt: only where they help
(``bench/steering_kinds.py``, the table in ``bench/REPORT.md``). On real speech the word list
made free speech worse (CER 0.152 → 0.164) and phone numbers much worse (the phone question has
the digit path instead), and made real place names better (0.395 → 0.356): ``location`` keeps
it. No real recordings exist for the other kinds; they get the plain lead-in, except two kept on
synthetic evidence only: ``yes_no`` (with the plain lead-in a lone "不对" came back as "普通话")
and ``command`` (barge-in: a lone "停" came back empty)."""


def steered_prompt(expect: Expectation, max_chars: int = 180) -> str:
    """The lead-in, the question as the kiosk asked it and the expected words."""
    intro = PROMPT_INTROS.get(expect.kind, PROMPT_INTROS["free"])
    words = ""
    for phrase in expect.phrases:
        candidate = f"{words}，{phrase}" if words else phrase
        if len(BASE_PROMPT) + len(intro) + len(candidate) + 1 > max_chars:
            break
        words = candidate
    return f"{BASE_PROMPT}{intro}{words}。"


def build_prompt(expect: Expectation | None, max_chars: int = 180) -> str:
    """The initial prompt: the Simplified-Chinese lead-in, plus the expected words for the
    kinds where they help (``STEERED_KINDS``)."""
    if expect is None or not expect.phrases or expect.kind not in STEERED_KINDS:
        return BASE_PROMPT
    return steered_prompt(expect, max_chars)


class WhisperRecognizer(Recognizer):
    """Whisper via faster-whisper; the model is loaded on first use (or by ``load()``)."""

    def __init__(
        self,
        model_dir: str | Path,
        compute_type: str = "int8",
        *,
        cpu_threads: int = 2,
        beam_size: int = 5,
        max_new_tokens: int = 96,
        vad_filter: bool = True,
    ) -> None:
        """Remember the settings; ``model_dir`` is a CTranslate2 Whisper folder or a hub name."""
        self.model_dir = str(model_dir)
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self.max_new_tokens = max_new_tokens
        self.vad_filter = vad_filter
        self._model = None
        self._digits: DigitDecoder | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (a few seconds), so the first resident doesn't wait."""
        with self._load_lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                started = time.perf_counter()
                self._model = WhisperModel(
                    self.model_dir,
                    device="cpu",
                    compute_type=self.compute_type,
                    cpu_threads=self.cpu_threads,
                )
                logger.info(
                    "Whisper model %s loaded in %.1f s",
                    self.model_dir,
                    time.perf_counter() - started,
                )

    def transcribe(self, clip: AudioClip, expect: Expectation | None = None) -> Transcript:
        """Recognise one utterance; empty text when nothing usable was heard (never invented).

        The phone question takes the digit path (:meth:`_transcribe_number`)."""
        self.load()
        started = time.perf_counter()
        prompt = build_prompt(expect)
        if expect is not None and expect.kind == "phone":
            size = expect.digits
            text, confidence = self.transcribe_number(
                clip,
                prompt=prompt,
                accept=is_phone if size is None else (lambda d: len(d) == size),
                length=size or 11,
            )
            return Transcript(text, confidence, time.perf_counter() - started)
        with self._run_lock:  # one decode at a time: 2 cores, and keeps RSS bounded
            segments, _info = self._model.transcribe(  # type: ignore[union-attr]
                clip.to_float32(),
                language="zh",
                task="transcribe",
                beam_size=self.beam_size,
                temperature=0.0,
                initial_prompt=prompt,
                condition_on_previous_text=False,
                without_timestamps=True,
                max_new_tokens=self.max_new_tokens,
                vad_filter=self.vad_filter,
                vad_parameters={"min_silence_duration_ms": 700, "speech_pad_ms": 300},
                no_speech_threshold=0.6,
                log_prob_threshold=-1.0,
            )
            segments = list(segments)
        texts: list[str] = []
        probs: list[float] = []
        for seg in segments:
            if seg.no_speech_prob > 0.8 and seg.avg_logprob < -0.8:
                continue
            texts.append(seg.text)
            probs.append(min(1.0, max(0.0, 2.718281828**seg.avg_logprob)))
        text = clean_transcript("".join(texts), prompt)
        confidence = (sum(probs) / len(probs)) if (probs and text) else None
        return Transcript(text=text, confidence=confidence, seconds=time.perf_counter() - started)

    def transcribe_number(
        self,
        clip: AudioClip,
        *,
        prompt: str = BASE_PROMPT,
        accept: Callable[[str], bool] = is_phone,
        length: int = 11,
    ) -> tuple[str, float | None]:
        """A phone number as digits ("13812345678"), or the words when no number was said.

        One encoder pass; an unconstrained decoding tells "不留了" from a number; a number is
        decoded again with digits only, several hypotheses, and the best one that ``accept``
        takes is kept; when none is, it is decoded forced to ``length`` digits
        (``voice.engines.whisper_digits``)."""
        self.load()
        with self._run_lock:
            return self._transcribe_number(clip, prompt, accept, length)

    def _transcribe_number(
        self, clip: AudioClip, prompt: str, accept: Callable[[str], bool], length: int
    ) -> tuple[str, float | None]:
        decoder = self._digits
        if decoder is None:
            decoder = self._digits = DigitDecoder(self._model, beam_size=self.beam_size)
        encoded = decoder.encode(clip.to_float32()[: 30 * 16000])
        plain = decoder.plain(encoded, prompt)
        text = clean_transcript(plain.text, prompt)
        if not text or (plain.no_speech_prob > 0.8 and plain.avg_logprob < -0.8):
            return "", None
        if not says_number(text):
            return text, _probability(plain.avg_logprob)
        hypotheses = decoder.hypotheses(encoded)
        best = pick_number(hypotheses, accept)
        if best is None and hypotheses and len(hypotheses[0].digits) < length - 2:
            best = hypotheses[0]  # a shorter number (a phone's last 4 digits…): as heard
        if best is None:  # repair readings one digit short, force the length, let the model score
            candidates = {decoder.forced(encoded, length).digits}
            for h in hypotheses:
                if len(h.digits) == length - 1:
                    candidates |= with_one_repeated(h.digits)
            scored = decoder.rescore(encoded, sorted(c for c in candidates if accept(c)))
            fallback = hypotheses[0] if hypotheses else Hypothesis(spoken_digits(text), -1.0)
            best = max(scored, key=lambda h: h.score) if scored else fallback
            logger.info("No hypothesis of the expected shape; %d repaired or forced", len(scored))
        return best.digits, _probability(best.score)


def _probability(avg_logprob: float) -> float:
    return min(1.0, max(0.0, math.exp(avg_logprob)))


def clean_transcript(raw: str, prompt: str) -> str:
    """Normalised text without repetition loops, known hallucinations or an echo of the prompt."""
    text = _collapse_repeats(chinese_punctuation(normalize_text(raw)))
    if text and (any(h in text for h in _HALLUCINATIONS) or _is_prompt_echo(text, prompt)):
        logger.info("Dropped a likely hallucination (%d chars)", len(text))
        return ""
    return text


def _is_prompt_echo(text: str, prompt: str) -> bool:
    """Whisper sometimes repeats its prompt instead of listening."""
    core = text.strip("。，,. ")
    return len(core) >= 8 and core in prompt


_NUMERALS = set("零一二三四五六七八九十幺两0123456789")


def _collapse_repeats(text: str) -> str:
    """Whisper loops on short clips ("转人工。转人工。…"): such a transcript is dropped.

    A unit of 2–8 characters (not only digits, so phone numbers like 138888… survive)
    repeated three times in a row counts as a loop.
    """
    for size in range(2, 9):
        for start in range(0, max(0, len(text) - 3 * size + 1)):
            unit = text[start : start + size]
            if set(unit) <= _NUMERALS | set("。，,. 、"):
                continue
            if text[start : start + 3 * size] == unit * 3:
                logger.info("Dropped a repetition loop in the transcript")
                return ""
    return text


_ASCII_PUNCT = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；"}


def chinese_punctuation(text: str) -> str:
    """Full-width punctuation again after NFKC ("对,没错," → "对，没错。")."""
    out = "".join(_ASCII_PUNCT.get(ch, ch) for ch in text).strip()
    if out.endswith(("，", "、")):
        out = out[:-1] + "。"
    return out
