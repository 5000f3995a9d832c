"""The recogniser's prompts and expected-phrase lists hold no test or bench sentence.

A prompt that contains the sentence a test clip says makes the test pass by priming, not by
hearing (issue 18). Checked here: every sentence and every clause of 4 or more characters of the
speech clips' transcripts (``../shared/data/speech/*/transcripts.tsv``), of the held-out test
utterances (``tests/heldout.py``) and of the bench utterances (``bench/data``) must appear neither
in a prompt Whisper is given (``build_prompt`` for every question kind, normalised: punctuation
and spaces removed, so a sentence split across two phrases is found too) nor as an entry of an
expected-phrase list (the vosk grammar).

Shorter clauses (停, 不对, 三号楼, 对的) are the closed vocabulary of answers that a grammar must
contain. The domain's own names are vocabulary too and exempt even when a clip or a bench answer
is just such a name: the categories and services of ``core/data`` with their synonyms, and the
kiosk's spoken commands (``voice.kiosk.commands``, plus 转人工).
"""

from __future__ import annotations

import pytest

from core import taxonomy
from tests.textsets import (
    bench_utterances,
    clauses,
    clip_transcripts,
    heldout_utterances,
    normalise,
)
from voice import asr
from voice.engines import whisper, whisper_digits
from voice.kiosk.commands import COMMANDS

MIN_CLAUSE = 4


def _vocabulary() -> set[str]:
    names = {normalise(form) for forms in COMMANDS.values() for form in forms}
    names.add(normalise("转人工"))
    for cat in taxonomy.categories():
        names.add(normalise(cat.name))
        names.update(normalise(s) for s in cat.synonyms)
    for svc in taxonomy.services():
        names.add(normalise(svc.name))
        names.update(normalise(s) for s in svc.synonyms)
    return names


def _forbidden(texts: list[str]) -> dict[str, str]:
    """Normalised sentence or clause (≥ 4 characters) → the utterance it comes from."""
    vocabulary = _vocabulary()
    found: dict[str, str] = {}
    for text in texts:
        for piece in [normalise(text), *clauses(text)]:
            if len(piece) >= MIN_CLAUSE and piece not in vocabulary:
                found.setdefault(piece, text)
    return found


def _prompts() -> dict[str, str]:
    """Every prompt Whisper can be given, by name."""
    prompts = {"base": whisper.BASE_PROMPT, "none": whisper.build_prompt(None)}
    for kind in asr.KINDS:
        prompts[kind] = whisper.build_prompt(asr.expectation_for(kind))
        prompts[f"steered:{kind}"] = whisper.steered_prompt(asr.expectation_for(kind))
        prompts[f"intro:{kind}"] = whisper.PROMPT_INTROS.get(kind, "")
    prompts["digits"] = whisper_digits.LEAD_IN  # NUMBER_WORDS are allowed tokens, no prompt
    return prompts


def _phrases() -> dict[str, list[str]]:
    """Every expected-phrase list, by name (per kind and the module's word lists)."""
    lists = {f"expect:{kind}": asr.expectation_for(kind).phrases for kind in asr.KINDS}
    for name in dir(asr):
        value = getattr(asr, name)
        if name.isupper() and isinstance(value, list) and all(isinstance(v, str) for v in value):
            lists[name] = value
    return lists


@pytest.fixture(scope="module")
def forbidden() -> dict[str, str]:
    return _forbidden(clip_transcripts() + heldout_utterances() + bench_utterances())


def test_the_sets_compared_are_not_empty(forbidden: dict[str, str]) -> None:
    assert len(clip_transcripts()) >= 80  # 27 synthetic + 29 real + 29 phone numbers
    assert len(forbidden) > 500
    assert normalise("五号楼二单元的电梯坏了") in forbidden  # the clip the old prompt primed


@pytest.mark.parametrize("name", sorted(_prompts()))
def test_no_test_sentence_in_a_prompt(name: str, forbidden: dict[str, str]) -> None:
    prompt = normalise(_prompts()[name])
    hits = sorted({f"{piece} ← {src}" for piece, src in forbidden.items() if piece in prompt})
    assert not hits, f"prompt {name!r} primes the recogniser with test sentences: {hits}"


@pytest.mark.parametrize("name", sorted(_phrases()))
def test_no_test_sentence_in_a_phrase_list(name: str, forbidden: dict[str, str]) -> None:
    hits = sorted(
        f"{phrase} ← {forbidden[normalise(phrase)]}"
        for phrase in _phrases()[name]
        if normalise(phrase) in forbidden
    )
    assert not hits, f"phrase list {name!r} holds test sentences: {hits}"


def test_the_check_catches_a_primed_prompt(
    forbidden: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whisper, "BASE_PROMPT", "我要报事。五号楼二单元的电梯坏了。")
    prompt = normalise(whisper.build_prompt(None))
    assert any(piece in prompt for piece in forbidden)
