"""The utterances the tests say to the real stack are not training examples.

A test that replays a line of ``nlu/data`` checks that the model remembers it, not that it
understands residents. Compared after normalising (NFKC, Traditional → Simplified, spaces and
punctuation removed): every held-out utterance of ``tests/heldout.py`` and every clause of 4 or
more characters of it must differ from every example in ``nlu/data/*.yml``; and the tests that
talk to the real Rasa model (``SAYING``: integration, load, the Telegram end to end, bad input,
faults, the live tracker-store test) send no words of their own: they take them from
``tests/heldout.py``. (The kiosk browser tests speak recorded clips and tap buttons, whose labels
are the kiosk's vocabulary; ``tests/unit/voice/test_prompt_hygiene.py`` covers the clips.)
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
SAYING = (
    "tests/integration",
    "tests/load",
    "tests/e2e/telegram",
    "tests/badinput",
    "tests/faults",
    "tests/unit/privacy/test_tracker_live.py",
    "harness/residents.py",
)
"""Directories (or single files) whose code sends what residents say to the real stack."""


def saying_files() -> list[Path]:
    """Every Python file of ``SAYING``."""
    found: list[Path] = []
    for name in SAYING:
        path = ROOT / name
        assert path.exists(), f"{name} is gone: update SAYING"
        found += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return found


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


def test_tests_that_talk_to_the_stack_take_their_words_from_heldout() -> None:
    files = saying_files()
    assert len(files) >= len(SAYING)
    inline = literal_said(files)
    assert not inline, f"words said inline (move them to tests/heldout.py): {inline}"


def test_the_checks_catch_a_replayed_example(training: set[str]) -> None:
    assert normalise("算了，不報了") in training  # Traditional and punctuation are normalised
    assert any(c in training for c in clauses("您好，5号楼2单元的楼道灯全坏了") if len(c) >= 4)


def test_the_checks_catch_words_said_inline(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text('stack.say(who, "我要报事")\nstack.say(who, h.CONFIRM)\n', encoding="utf-8")
    assert [(line, text) for _, line, text in literal_said([sample])] == [(1, "我要报事")]
