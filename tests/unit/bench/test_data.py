"""The NLU training data, the held-out evaluation set and the scripted dialogues are well formed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bench.nlu_bench import load_eval, training_texts

ROOT = Path(__file__).resolve().parents[3]
TRAIN = ROOT / "nlu/data"
"""The training data: one ``nlu_<NN>_<intent>.yml`` per intent (plus lookups and rules).
Numbered: Rasa reads the files in name order, which is the order DIET trains on."""
EVAL = ROOT / "bench/data/nlu_eval.yml"
DEV = ROOT / "bench/data/nlu_dev.yml"
DIALOGUES = ROOT / "bench/data/dialogues.yml"

MINIMUM = {
    "report": 80,
    "consult": 80,
    "service": 70,
    "ask_status": 40,
    "rate": 40,
    "handoff_human": 40,
    "emergency": 50,
    "inform": 80,
    "affirm": 30,
    "deny": 30,
    "cancel": 30,
    "greet": 20,
    "goodbye": 20,
    "thank": 20,
    "out_of_scope": 40,
    "propose": 40,
    "vote": 40,
    "ask_results": 30,
}


def _codes(name: str) -> set[str]:
    return {
        entry["code"]
        for entry in yaml.safe_load((ROOT / "core/data" / name).read_text(encoding="utf-8"))
    }


@pytest.fixture(scope="module")
def train_examples() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(TRAIN.glob("nlu_*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["version"] == "3.1"
        blocks = [b for b in data["nlu"] if "intent" in b]
        # one file per intent, named after it
        assert [b["intent"] for b in blocks] == [path.stem.split("_", 2)[2]], path
        for block in blocks:
            out.setdefault(block["intent"], []).extend(
                line.strip()[2:] for line in block["examples"].splitlines() if line.strip()
            )
    return out


def test_training_counts_meet_the_minimum(train_examples: dict[str, list[str]]) -> None:
    for intent, minimum in MINIMUM.items():
        assert len(train_examples.get(intent, [])) >= minimum, intent


def test_training_examples_unique_across_intents(train_examples: dict[str, list[str]]) -> None:
    counts = Counter("".join(t.split()) for texts in train_examples.values() for t in texts)
    assert [t for t, n in counts.items() if n > 1] == []


def test_training_has_no_entity_annotations(train_examples: dict[str, list[str]]) -> None:
    assert not [t for texts in train_examples.values() for t in texts if "](" in t or "]{" in t]


def test_training_mixes_traditional_characters(train_examples: dict[str, list[str]]) -> None:
    from core.textnorm import to_simplified

    texts = [t for texts in train_examples.values() for t in texts]
    traditional = [t for t in texts if to_simplified(t) != t]
    assert len(traditional) >= 0.08 * len(texts)


def test_eval_set_is_held_out_and_labelled_with_known_codes(
    train_examples: dict[str, list[str]],
) -> None:
    items = load_eval(EVAL)
    assert len(items) >= 450
    assert {i.intent for i in items} == set(MINIMUM)
    assert not [i.text for i in items if "".join(i.text.split()) in training_texts(TRAIN)]
    assert len({"".join(i.text.split()) for i in items}) == len(items)
    categories, services = _codes("categories.yml"), _codes("services.yml")
    for item in items:
        assert item.slots["category"] in categories | {None}, item.text
        assert item.slots["service_type"] in services | {None}, item.text
        if item.slots["phone"]:
            assert item.slots["phone"].isdigit() and len(item.slots["phone"]) == 11, item.text


def test_dialogues_schema() -> None:
    dialogues = yaml.safe_load(DIALOGUES.read_text(encoding="utf-8"))
    assert len(dialogues) >= 30
    assert len({d["id"] for d in dialogues}) == len(dialogues)
    kinds = Counter(d["kind"] for d in dialogues)
    for kind in ("correction", "cancel", "question_mid_form", "emergency", "status", "rating"):
        assert kinds[kind] >= 1, kind
    categories, services = _codes("categories.yml"), _codes("services.yml")
    for d in dialogues:
        assert d["turns"] and all(isinstance(t, str) and t for t in d["turns"]), d["id"]
        expected = d["expected"]
        assert expected["outcome"] in {"case", "no_case", "cancelled"}, d["id"]
        if expected["outcome"] == "case":
            assert expected["type"] in {"report", "service", "emergency", "callback"}, d["id"]
        assert expected.get("category") in categories | {None}, d["id"]
        assert expected.get("service_type") in services | {None}, d["id"]
        assert not (expected.get("contact_phone") and expected.get("contact_declined")), d["id"]
        assert set(expected.get("location") or {}) <= {"building", "unit", "room", "landmark"}, d[
            "id"
        ]


def test_dev_set_is_separate_from_training_and_eval() -> None:
    dev = {"".join(i.text.split()) for i in load_eval(DEV)}
    held_out = {"".join(i.text.split()) for i in load_eval(EVAL)}
    assert len(dev) >= 150
    assert not dev & training_texts(TRAIN)
    assert not dev & held_out
