"""The utterances the dialogue, integration and load tests say are not training examples.

A test that replays a line of ``nlu/data`` checks that the model remembers it, not that it
understands residents. Compared after normalising (NFKC, Traditional → Simplified, spaces and
punctuation removed): every held-out utterance of ``tests/heldout.py`` and every clause of 4 or
more characters of it must differ from every example in ``nlu/data/*.yml``; and the tests under
``tests/integration``, ``tests/load`` and ``tests/e2e/telegram`` send no words of their own: they
take them from ``tests/heldout.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.textsets import (
    clauses,
    heldout_utterances,
    literal_said,
    normalise,
    training_examples,
)

MIN_CLAUSE = 4
DIRS = ("tests/integration", "tests/load", "tests/e2e/telegram")


@pytest.fixture(scope="module")
def training() -> set[str]:
    return training_examples()


def test_the_sets_are_real(training: set[str]) -> None:
    assert len(training) > 1000
    assert normalise("我要报事") in training  # what the old tests said
    assert len(heldout_utterances()) >= 30


def test_no_held_out_utterance_is_a_training_example(training: set[str]) -> None:
    replayed = [u for u in heldout_utterances() if normalise(u) in training]
    assert not replayed, f"training examples used as held-out utterances: {replayed}"


def test_no_clause_of_a_held_out_utterance_is_a_training_example(training: set[str]) -> None:
    replayed = sorted(
        f"{c} ← {u}"
        for u in heldout_utterances()
        for c in clauses(u)
        if len(c) >= MIN_CLAUSE and c in training
    )
    assert not replayed, f"clauses that are training examples: {replayed}"


def test_integration_and_load_tests_take_their_words_from_heldout() -> None:
    files = [p for d in DIRS for p in sorted((ROOT / d).rglob("*.py"))]
    assert files
    inline = literal_said(files)
    assert not inline, f"words said inline (move them to tests/heldout.py): {inline}"


def test_the_checks_catch_a_replayed_example(training: set[str]) -> None:
    assert normalise("算了，不報了") in training  # Traditional and punctuation are normalised
    assert any(c in training for c in clauses("您好，5号楼2单元的楼道灯全坏了") if len(c) >= 4)


def test_the_checks_catch_words_said_inline(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text('stack.say(who, "我要报事")\nstack.say(who, h.CONFIRM)\n', encoding="utf-8")
    assert [(line, text) for _, line, text in literal_said([sample])] == [(1, "我要报事")]
