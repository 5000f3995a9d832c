"""The dialogue bench's residents say nothing the NLU was trained on (issue 18).

Every scripted turn and form answer of ``bench/data/dialogues.yml`` of 4 or more characters, and
every clause of 4 or more characters of one, must differ from every example of
``nlu/data/*.yml`` after normalising (NFKC, Traditional → Simplified, no spaces or punctuation):
otherwise the bench measures memory, not understanding. Shorter words (对, 不对, 转人工, 低保 …)
are the forms' and buttons' vocabulary and are exempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
import yaml

from tests.textsets import BENCH_DATA, clauses, normalise, training_examples

MIN_CHARS = 4
SAMPLE_CASE = {"case_no": "BS-20261203-0042", "case_tail": "0042"}


def resident_words(dialogues: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(dialogue id, text) of every turn and scripted answer, case placeholders filled."""
    found: list[tuple[str, str]] = []
    for dialogue in dialogues:
        said = [*(dialogue.get("turns") or []), *(dialogue.get("answers") or {}).values()]
        found += [(dialogue["id"], str(text).format(**SAMPLE_CASE)) for text in said]
    return found


def replayed(dialogues: Iterable[dict[str, Any]], training: set[str]) -> list[str]:
    """What the dialogues say that is a training example (whole text or a clause, ≥ 4 chars)."""
    found: list[str] = []
    for name, text in resident_words(dialogues):
        parts = [normalise(text), *clauses(text)]
        hits = sorted({p for p in parts if len(p) >= MIN_CHARS and p in training})
        found += [f"{name}: {hit} ← {text}" for hit in hits]
    return found


@pytest.fixture(scope="module")
def training() -> set[str]:
    return training_examples()


@pytest.fixture(scope="module")
def dialogues() -> list[dict[str, Any]]:
    return yaml.safe_load((BENCH_DATA / "dialogues.yml").read_text(encoding="utf-8"))


def test_the_bench_dialogues_say_no_training_example(
    dialogues: list[dict[str, Any]], training: set[str]
) -> None:
    said = resident_words(dialogues)
    assert len(dialogues) >= 30 and len(said) >= 100
    assert sum(len(normalise(t)) >= MIN_CHARS for _, t in said) >= 80  # the check has material
    found = replayed(dialogues, training)
    assert not found, "training examples in bench/data/dialogues.yml:\n" + "\n".join(found)


def test_the_check_catches_a_replayed_turn(training: set[str]) -> None:
    sample = [
        {"id": "x1", "turns": ["我要报事", "对"]},  # a whole training example
        {"id": "x2", "turns": ["嗯，5号楼2单元的楼道灯全坏了，麻烦"]},  # a clause of one
        {"id": "x3", "turns": ["好"], "answers": {"confirmed": "算了，不報了"}},  # Traditional
        {"id": "x4", "turns": ["{case_no}这个事我想再问一下进展"]},  # held out
    ]
    found = replayed(sample, training)
    assert [f.split(":")[0] for f in found] == ["x1", "x2", "x3"], found
