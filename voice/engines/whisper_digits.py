"""Whisper decoding for numbers said digit by digit (the phone question).

With a free vocabulary Whisper writes a spoken phone number as "支舞666008", "三九九六零要要你" or
"一三八，一五，三三一六"; with the question's word list in its prompt it drops digits and writes
commas. Here the decoder may write only digits (Chinese digit characters and single Arabic
digits), a few separators and the words people say before a number (我的电话是…), and beam search
returns several hypotheses; ``voice.digits.pick_number`` keeps the best one shaped like a phone
number. When none is, the readings one digit short are repaired (each digit said twice in turn:
Whisper drops one of equal digits said quickly) and, with a decoding forced to exactly 11 digits
(a mobile), scored by the model; the best one that is a phone number is kept.

The model is faster-whisper's ``WhisperModel``; its CTranslate2 ``generate`` is called directly
because faster-whisper's ``transcribe`` returns only the best hypothesis.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from voice.digits import Hypothesis, spoken_digits

logger = logging.getLogger(__name__)

LEAD_IN = "以下是普通话的句子。"
"""The plain Simplified-Chinese lead-in (no digits: a number in the prompt would be heard)."""
NUMBER_WORDS = "我的电话号码手机是"
"""Words said before a number; the decoder may write them (they are dropped afterwards) rather
than turn them into digits."""
SEPARATORS = ("，", "。", "、", ",", ".", " ")
DIGIT_CHARACTERS = "零一二三四五六七八九幺两"
"""What the decoder may write for a digit (the rarer forms of ``SPOKEN_DIGITS`` are several byte
tokens each and would open the way to unrelated characters)."""
MAX_DIGIT_TOKENS = 40
CHINESE_DIGITS = "零一二三四五六七八九"


@dataclass
class PlainText:
    """An unconstrained decoding of the same audio (to tell "不留了" from a number)."""

    text: str
    avg_logprob: float
    no_speech_prob: float


class DigitDecoder:
    """Digit-constrained decoding on a loaded ``faster_whisper.WhisperModel``."""

    def __init__(self, model: Any, *, beam_size: int = 5, prompt: str = LEAD_IN) -> None:
        """``model`` is a loaded ``WhisperModel``; ``beam_size`` hypotheses are kept."""
        self.model = model
        self.beam_size = beam_size
        self.prompt = prompt

    @cached_property
    def tokenizer(self) -> Any:
        """The model's tokenizer set for Mandarin transcription."""
        from faster_whisper.tokenizer import Tokenizer

        return Tokenizer(
            self.model.hf_tokenizer,
            self.model.model.is_multilingual,
            task="transcribe",
            language="zh",
        )

    @cached_property
    def _vocab_size(self) -> int:
        return int(self.model.hf_tokenizer.get_vocab_size())

    def _single_digit_tokens(self) -> set[int]:
        """Tokens that are exactly one digit: Arabic (with or without a leading space) and the
        Chinese digit characters that are one token each."""
        tok = self.tokenizer
        ids: set[int] = set()
        for i in range(tok.eot):
            s = tok.decode([i]).strip()
            if len(s) == 1 and s.isascii() and s.isdigit():
                ids.add(i)
        for ch in DIGIT_CHARACTERS:
            pieces = tok.encode(ch)
            if len(pieces) == 1:
                ids.add(pieces[0])
        return ids

    @cached_property
    def _suppress_free(self) -> list[int]:
        """Everything but digits, separators, the number words and the end of text."""
        tok = self.tokenizer
        keep = self._single_digit_tokens() | {tok.eot}
        for text in (*DIGIT_CHARACTERS, *SEPARATORS, *NUMBER_WORDS):
            keep.update(tok.encode(text))
        return [i for i in range(self._vocab_size) if i not in keep]

    @cached_property
    def _suppress_forced(self) -> list[int]:
        """Everything but single-digit tokens (no end of text: the length is fixed)."""
        keep = self._single_digit_tokens()
        return [i for i in range(self._vocab_size) if i not in keep]

    def encode(self, audio: np.ndarray) -> Any:
        """The encoder output for up to 30 s of 16 kHz float audio (padded as Whisper expects)."""
        from faster_whisper.audio import pad_or_trim

        features = self.model.feature_extractor(audio)[..., :-1]
        return self.model.encode(pad_or_trim(features))

    def _prompt_tokens(self, prompt: str | None = None) -> list[int]:
        tok = self.tokenizer
        lead = prompt if prompt is not None else self.prompt
        head = [tok.sot_prev, *tok.encode(" " + lead)] if lead else []
        return [*head, *tok.sot_sequence, tok.no_timestamps]

    def plain(self, encoded: Any, prompt: str) -> PlainText:
        """The best unconstrained hypothesis with ``prompt`` (the usual recognition)."""
        tokens = self._prompt_tokens(prompt)
        result = self.model.model.generate(
            encoded,
            [tokens],
            beam_size=self.beam_size,
            max_length=len(tokens) + MAX_DIGIT_TOKENS,
            return_scores=True,
            return_no_speech_prob=True,
        )[0]
        ids = result.sequences_ids[0] if result.sequences_ids else []
        score = result.scores[0] if result.scores else -10.0
        return PlainText(self.tokenizer.decode(ids).strip(), float(score), result.no_speech_prob)

    def hypotheses(self, encoded: Any) -> list[Hypothesis]:
        """Digit-only hypotheses of the free-length decoding, best first (score: mean log-prob)."""
        tokens = self._prompt_tokens()
        result = self.model.model.generate(
            encoded,
            [tokens],
            beam_size=self.beam_size,
            num_hypotheses=self.beam_size,
            max_length=len(tokens) + MAX_DIGIT_TOKENS,
            return_scores=True,
            suppress_tokens=self._suppress_free,
            suppress_blank=False,
        )[0]
        out = []
        for ids, score in zip(result.sequences_ids, result.scores, strict=True):
            out.append(Hypothesis(spoken_digits(self.tokenizer.decode(ids)), float(score)))
        return out

    def rescore(self, encoded: Any, candidates: list[str]) -> list[Hypothesis]:
        """Each digit string scored by the model (mean log-prob of its tokens, teacher-forced;
        the better of its Arabic and its Chinese-character spelling)."""
        if not candidates:
            return []
        import ctranslate2

        tok = self.tokenizer
        texts = []
        for digits in candidates:
            texts.append(tok.encode(digits))
            texts.append(tok.encode("".join(CHINESE_DIGITS[int(d)] for d in digits)))
        batch = ctranslate2.StorageView.from_array(np.repeat(np.array(encoded), len(texts), axis=0))
        frames = [int(batch.shape[1])] * len(texts)
        results = self.model.model.align(batch, self._prompt_tokens(), texts, frames)
        scored = []
        for i, digits in enumerate(candidates):
            means = []
            for result in results[2 * i : 2 * i + 2]:
                probs = result.text_token_probs or [1e-9]
                means.append(sum(math.log(max(p, 1e-9)) for p in probs) / len(probs))
            scored.append(Hypothesis(digits, max(means)))
        return scored

    def forced(self, encoded: Any, length: int) -> Hypothesis:
        """The best reading of exactly ``length`` digits (one token each, no end before)."""
        tokens = self._prompt_tokens()
        result = self.model.model.generate(
            encoded,
            [tokens],
            beam_size=self.beam_size,
            max_length=len(tokens) + length - 1,  # CTranslate2 counts the prompt minus one
            return_scores=True,
            suppress_tokens=self._suppress_forced,
            suppress_blank=False,
        )[0]
        ids = result.sequences_ids[0] if result.sequences_ids else []
        score = float(result.scores[0]) if result.scores else -math.inf
        return Hypothesis(spoken_digits(self.tokenizer.decode(ids)), score)
