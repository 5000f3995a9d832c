"""NLU benchmark metrics: intent accuracy, per-intent P/R/F1, macro-F1, confusion, slot F1."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class ClassScores:
    """Precision, recall and F1 of one intent."""

    precision: float
    """Correct predictions of this intent / all predictions of it (0 when never predicted)."""
    recall: float
    """Correct predictions of this intent / all gold items of it (0 when it has no gold items)."""
    f1: float
    """Harmonic mean of precision and recall (0 when both are 0)."""
    support: int
    """Number of gold items with this intent."""


@dataclass
class IntentReport:
    """Everything the benchmark reports about one intent classifier on one evaluation set."""

    accuracy: float
    macro_f1: float
    per_intent: dict[str, ClassScores]
    labels: list[str]
    """Row/column order of ``confusion``: gold intents first, then intents only predicted."""
    confusion: list[list[int]]
    """``confusion[i][j]``: items with gold ``labels[i]`` predicted as ``labels[j]``."""
    n: int

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_intent": {k: vars(v) for k, v in self.per_intent.items()},
            "labels": self.labels,
            "confusion": self.confusion,
        }


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def intent_report(gold: Sequence[str], pred: Sequence[str]) -> IntentReport:
    """Score predicted intents against gold intents.

    Macro-F1 averages the F1 of the intents present in the gold set (the evaluation set's
    intents); a prediction outside that set (``nlu_fallback``, a typo'd label) is simply wrong:
    it lowers the recall of the gold intent and appears as its own column in the confusion matrix.

    Args:
        gold: The true intent of each item.
        pred: The predicted intent of each item, same order.

    Returns:
        The report.

    Raises:
        ValueError: If the sequences differ in length or are empty.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predictions")
    if not gold:
        raise ValueError("nothing to score")
    gold_labels = sorted(set(gold))
    extra = sorted(set(pred) - set(gold_labels))
    labels = gold_labels + extra
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred, strict=True):
        confusion[index[g]][index[p]] += 1
    per_intent: dict[str, ClassScores] = {}
    for label in gold_labels:
        i = index[label]
        tp = confusion[i][i]
        predicted = sum(row[i] for row in confusion)
        support = sum(confusion[i])
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        per_intent[label] = ClassScores(precision, recall, _f1(precision, recall), support)
    correct = sum(1 for g, p in zip(gold, pred, strict=True) if g == p)
    macro = sum(s.f1 for s in per_intent.values()) / len(per_intent)
    return IntentReport(
        accuracy=correct / len(gold),
        macro_f1=macro,
        per_intent=per_intent,
        labels=labels,
        confusion=confusion,
        n=len(gold),
    )


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between order statistics.

    Raises:
        ValueError: If there are no values or p is outside 0–100.
    """
    data = sorted(values)
    if not data:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} outside 0-100")
    pos = (len(data) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def median(values: Iterable[float]) -> float:
    """The median (50th percentile)."""
    return percentile(values, 50)


@dataclass
class SlotCounts:
    """True positives, false positives and false negatives of one slot.

    A wrong value counts as both a false positive (the wrong value) and a false negative (the
    missed gold value), as in CoNLL-style entity scoring.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[dict] = field(default_factory=list)

    def add(
        self, gold: str | None, pred: str | None, same: Callable[[str, str], bool], text: str = ""
    ) -> None:
        """Count one item."""
        if gold is None and pred is None:
            return
        if gold is not None and pred is not None and same(gold, pred):
            self.tp += 1
            return
        if pred is not None:
            self.fp += 1
        if gold is not None:
            self.fn += 1
        self.errors.append({"text": text, "gold": gold, "pred": pred})

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 0 when there is nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        return _f1(self.precision, self.recall)

    def to_dict(self, max_errors: int = 30) -> dict:
        """Plain-JSON form with the first ``max_errors`` errors."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "errors": self.errors[:max_errors],
        }


def exact(gold: str, pred: str) -> bool:
    """Values equal after stripping whitespace."""
    return "".join(gold.split()) == "".join(pred.split())


def contains(gold: str, pred: str) -> bool:
    """Either value contains the other (landmarks: "东门" matches "东门那里")."""
    g, p = "".join(gold.split()), "".join(pred.split())
    return bool(g) and bool(p) and (g in p or p in g)
