"""Metric code of the NLU benchmark on tiny hand-computed examples."""

from __future__ import annotations

import pytest

from bench.nlu_metrics import SlotCounts, contains, exact, intent_report, median, percentile


def test_perfect_predictions_score_one() -> None:
    report = intent_report(["a", "b", "b"], ["a", "b", "b"])
    assert report.accuracy == 1.0
    assert report.macro_f1 == 1.0
    assert report.confusion == [[1, 0], [0, 2]]


def test_hand_computed_macro_f1() -> None:
    # gold a a a b b c ; pred a a b b c c
    # a: tp2 fp0 fn1 -> P1 R2/3 F1 0.8
    # b: tp1 fp1 fn1 -> P.5 R.5 F1 .5
    # c: tp1 fp1 fn0 -> P.5 R1 F1 2/3
    report = intent_report(list("aaabbc"), list("aabbcc"))
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.per_intent["a"].precision == pytest.approx(1.0)
    assert report.per_intent["a"].recall == pytest.approx(2 / 3)
    assert report.per_intent["a"].f1 == pytest.approx(0.8)
    assert report.per_intent["b"].f1 == pytest.approx(0.5)
    assert report.per_intent["c"].f1 == pytest.approx(2 / 3)
    assert report.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert report.per_intent["a"].support == 3
    assert report.labels == ["a", "b", "c"]
    assert report.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_prediction_outside_gold_labels_is_an_extra_column_not_a_class() -> None:
    report = intent_report(["a", "b"], ["a", "nlu_fallback"])
    assert report.labels == ["a", "b", "nlu_fallback"]
    assert set(report.per_intent) == {"a", "b"}
    assert report.per_intent["b"].recall == 0.0
    assert report.per_intent["b"].precision == 0.0  # never predicted
    assert report.macro_f1 == pytest.approx(0.5)
    assert report.confusion[1] == [0, 0, 1]


def test_to_dict_is_plain_json() -> None:
    d = intent_report(["a"], ["a"]).to_dict()
    assert d["per_intent"]["a"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}


def test_intent_report_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        intent_report(["a"], ["a", "b"])
    with pytest.raises(ValueError):
        intent_report([], [])


def test_percentile_interpolates() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 95) == pytest.approx(38.5)
    assert median([3.0, 1.0, 2.0]) == 2.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_slot_counts_hand_computed() -> None:
    counts = SlotCounts()
    counts.add("5", "5", exact)  # tp
    counts.add("5", "3", exact)  # fp + fn
    counts.add(None, "2", exact)  # fp
    counts.add("7", None, exact)  # fn
    counts.add(None, None, exact)  # nothing
    assert (counts.tp, counts.fp, counts.fn) == (1, 2, 2)
    assert counts.precision == pytest.approx(1 / 3)
    assert counts.recall == pytest.approx(1 / 3)
    assert counts.f1 == pytest.approx(1 / 3)
    assert len(counts.errors) == 3
    assert SlotCounts().f1 == 0.0


def test_matchers() -> None:
    assert exact("138 1234 5678", "13812345678")
    assert not exact("5", "15")
    assert contains("东门", "东门那里")
    assert contains("小区东门口", "东门")
    assert not contains("东门", "西门")
    assert not contains("", "东门")
