"""Recogniser steering: expectations per question kind, Whisper prompts, vosk grammars, the fake."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.taxonomy import categories, services
from voice.asr import KINDS, Expectation, expectation_for
from voice.audio import AudioClip
from voice.engines.fake import FakeRecognizer, clip_key
from voice.engines.vosk import grammar_for
from voice.engines.whisper import (
    BASE_PROMPT,
    STEERED_KINDS,
    _collapse_repeats,
    build_prompt,
    chinese_punctuation,
    steered_prompt,
)
from voice.metrics import cer, normalize_for_cer


def test_every_kind_has_phrases() -> None:
    for kind in KINDS:
        exp = expectation_for(kind)
        assert exp.kind == kind
        assert exp.phrases, kind
        assert len(exp.phrases) == len(set(exp.phrases))


def test_category_expectation_comes_from_taxonomy() -> None:
    phrases = expectation_for("category").phrases
    for cat in categories():
        assert cat.name in phrases


def test_service_expectation_comes_from_catalogue() -> None:
    phrases = expectation_for("service_type").phrases
    for svc in services():
        assert svc.name in phrases


def test_location_expects_buildings_units_landmarks() -> None:
    phrases = expectation_for("location").phrases
    assert "五号楼" in phrases and "二单元" in phrases and "东门" in phrases


def test_yes_no_expects_both_answers() -> None:
    phrases = expectation_for("yes_no").phrases
    assert "对" in phrases and "不对" in phrases and "没错" in phrases


def test_unknown_kind_falls_back_to_free() -> None:
    assert expectation_for("nonsense").kind == "free"
    with pytest.raises(ValueError):
        Expectation(kind="nonsense")


def test_whisper_prompt_is_simplified_and_bounded() -> None:
    for kind in KINDS:
        prompt = build_prompt(expectation_for(kind))
        assert len(prompt) <= 180
        assert prompt.startswith(BASE_PROMPT)  # the Simplified lead-in is always there
    prompt = steered_prompt(expectation_for("location"))
    assert "五号楼" in prompt and "在哪里" in prompt and len(prompt) <= 180
    assert "对不对" in steered_prompt(expectation_for("yes_no"))
    assert build_prompt(None) == build_prompt(Expectation())


def test_only_kinds_where_steering_helps_get_their_words() -> None:
    # bench/steering_kinds.py: on real speech the word list made free speech and phone numbers
    # worse and place names better; kinds without real recordings get the plain lead-in, but
    # yes_no and command (lone 不对 / 停 lost without it, synthetic evidence)
    assert STEERED_KINDS == {"location", "yes_no", "command"}
    for kind in KINDS:
        prompt = build_prompt(expectation_for(kind))
        assert (prompt == BASE_PROMPT) == (kind not in STEERED_KINDS), kind
    assert "停" in build_prompt(expectation_for("command"))


def test_repetition_loops_are_dropped_but_phone_numbers_kept() -> None:
    assert _collapse_repeats("转人工。转人工。转人工。转人工。") == ""
    assert _collapse_repeats("一三八八八八八八八八八") == "一三八八八八八八八八八"
    assert _collapse_repeats("五号楼二单元的电梯坏了") == "五号楼二单元的电梯坏了"


def test_punctuation_back_to_full_width() -> None:
    assert chinese_punctuation("对,没错,") == "对，没错。"
    assert chinese_punctuation("周六开门吗?") == "周六开门吗？"


def test_vosk_grammar_lists_phrases_and_unk() -> None:
    grammar = json.loads(grammar_for(expectation_for("yes_no")))
    assert grammar[-1] == "[unk]"
    assert "对" in grammar and "不对" in grammar and "再说一遍" in grammar
    assert grammar_for(expectation_for("free")) is None
    assert grammar_for(None) is None


def test_fake_recognizer_records_expectations() -> None:
    clip = AudioClip(np.arange(1600, dtype=np.int16))
    rec = FakeRecognizer({clip_key(clip): "对"}, queue=["五号楼"])
    assert rec.transcribe(clip, expectation_for("yes_no")).text == "对"
    other = AudioClip(np.ones(1600, dtype=np.int16))
    assert rec.transcribe(other).text == "五号楼"
    assert rec.transcribe(other).text == ""
    assert rec.calls[0][1].kind == "yes_no"


def test_cer_normalises_numbers_and_punctuation() -> None:
    assert normalize_for_cer("5号楼2单元，电梯坏了！") == "五号楼二单元电梯坏了"
    assert cer(["五号楼二单元。"], ["5号楼2单元"]) == 0.0
    assert cer(["高龄津贴"], ["高零今天"]) == pytest.approx(0.75)
    assert cer(["對"], ["对"]) == 0.0
