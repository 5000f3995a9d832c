"""bench/merge.py: several runs of a benchmark become one result of medians, ratios per run."""

from __future__ import annotations

import pytest

from bench.merge import merge_runs, representative, with_ratios


def run(p50: float, **extra: object) -> dict[str, object]:
    return {
        "machine": {"load_avg_start": [p50 / 100, 1.0, 1.0], "date": f"d{p50}"},
        "accuracy": 0.9,
        "latency": {"p50_ms": p50, "n": 30},
        "rows": [{"id": "a", "ms": p50}, {"id": "b", "ms": p50 * 2}],
        "label": f"run with {p50}",
        **extra,
    }


def test_numbers_become_medians_and_only_differing_ones_keep_every_value() -> None:
    merged = merge_runs([run(300.0), run(100.0), run(200.0)], key="latency.p50_ms")
    assert merged["latency"] == {"p50_ms": 200.0, "n": 30}
    assert merged["accuracy"] == 0.9
    values = merged["_merge"]["values"]
    assert values["latency.p50_ms"] == [300.0, 100.0, 200.0]
    assert "accuracy" not in values and "latency.n" not in values  # identical in every run
    assert merged["_merge"]["n"] == 3


def test_rows_text_and_machine_come_from_the_median_run() -> None:
    merged = merge_runs([run(300.0), run(100.0), run(200.0)], key="latency.p50_ms")
    assert merged["_merge"]["representative_run"] == 3
    assert merged["rows"] == [{"id": "a", "ms": 200.0}, {"id": "b", "ms": 400.0}]
    assert merged["label"] == "run with 200.0"
    assert merged["machine"] == {"load_avg_start": [2.0, 1.0, 1.0], "date": "d200.0"}


def test_without_a_key_the_run_closest_to_the_medians_represents() -> None:
    runs = [
        {"a": 1.0, "b": 10.0, "t": "x"},
        {"a": 2.0, "b": 20.0, "t": "y"},
        {"a": 9.0, "b": 90.0, "t": "z"},
    ]
    assert representative(runs) == 1
    assert merge_runs(runs)["t"] == "y"
    assert merge_runs(runs, key="missing.path")["_merge"]["representative_by"] == "closest"


def test_aligned_number_lists_merge_element_wise_other_lists_do_not() -> None:
    merged = merge_runs(
        [
            {"load": [1.0, 5.0, 9.0], "ragged": [1, 2], "k": 1},
            {"load": [3.0, 1.0, 7.0], "ragged": [1, 2, 3], "k": 2},
            {"load": [2.0, 3.0, 8.0], "ragged": [4], "k": 3},
        ],
        key="k",
    )
    assert merged["load"] == [2.0, 3.0, 8.0]
    assert merged["ragged"] == [1, 2, 3]  # from the median run (k = 2)


def test_per_repeat_lists_of_every_run_are_joined() -> None:
    merged = merge_runs(
        [{"c1": {"runs_p50_ms": [1.0, 2.0], "p50_ms": 1.5}}, {"c1": {"runs_p50_ms": [3.0]}}]
    )
    assert merged["c1"]["runs_p50_ms"] == [1.0, 2.0, 3.0]


def test_a_key_missing_in_one_run_is_the_median_of_the_others() -> None:
    merged = merge_runs(
        [
            {"asr": {"cer": 0.12, "p50_s": 4.0}, "turn": 2.0},
            {"turn": 1.0},
            {"turn": 3.0},
        ]
    )
    assert merged["asr"] == {"cer": 0.12, "p50_s": 4.0}
    assert merged["turn"] == 2.0
    assert merged["_merge"]["values"]["asr.cer"] == [0.12, None, None]


def test_integers_stay_integers_unless_the_median_falls_between() -> None:
    assert merge_runs([{"n": 3}, {"n": 5}, {"n": 4}])["n"] == 4
    assert isinstance(merge_runs([{"n": 3}, {"n": 5}, {"n": 4}])["n"], int)
    assert merge_runs([{"n": 3}, {"n": 4}])["n"] == 3.5
    flags = [{"ok": True, "k": 1}, {"ok": False, "k": 2}, {"ok": True, "k": 3}]
    assert merge_runs(flags, key="k")["ok"] is False  # a flag is not a number: the median run's


def test_run_records_and_excluded_runs_are_kept() -> None:
    meta = [{"run": 1, "load_avg_start": 0.4}, {"run": 3, "load_avg_start": 1.2}]
    excluded = [{"run": 2, "why": "exit code 1"}]
    merged = merge_runs([{"x": 1.0}, {"x": 2.0}], meta=meta, excluded=excluded)
    assert merged["_merge"]["runs"] == meta
    assert merged["_merge"]["excluded"] == excluded
    assert merged["_merge"]["representative_run"] in (1, 3)


def test_nothing_to_merge_is_an_error() -> None:
    with pytest.raises(ValueError):
        merge_runs([])


def cases(sqlite: float, pg: float) -> dict[str, object]:
    return {
        "results": {
            "sqlite": {"concurrency_1": {"creates_per_s": sqlite, "p50_ms": 10.0}},
            "postgresql": {"concurrency_1": {"creates_per_s": pg, "p50_ms": 20.0}},
        }
    }


def test_ratios_are_taken_inside_each_run_then_their_median_reported() -> None:
    runs = [with_ratios("cases", c) for c in (cases(100, 50), cases(10, 10), cases(60, 90))]
    merged = merge_runs(runs)
    # per run 0.5, 1.0, 1.5 → median 1.0; a ratio of the medians would be 50 / 60
    assert merged["ratios"]["postgresql_vs_sqlite"]["concurrency_1"]["creates_per_s"] == 1.0
    assert merged["ratios"]["postgresql_vs_sqlite"]["concurrency_1"]["p50_ms"] == 2.0
    assert merged["_merge"]["values"][
        "ratios.postgresql_vs_sqlite.concurrency_1.creates_per_s"
    ] == [0.5, 1.0, 1.5]


def test_bot_vs_rasa_ratios_only_when_both_were_measured() -> None:
    tg = {
        "concurrent": {"latency": {"p50_ms": 300.0}, "turns_per_s": 5.0},
        "concurrent_direct_to_rasa": {"latency": {"p50_ms": 200.0}, "turns_per_s": 10.0},
    }
    assert with_ratios("telegram", tg)["ratios"] == {
        "bot_vs_direct_rasa": {"p50_ms": 1.5, "turns_per_s": 0.5}
    }
    fake = {"concurrent": {"latency": {"p50_ms": 300.0}}}
    assert "ratios" not in with_ratios("telegram_fake_backend", fake)
    system = {
        "telegram": {
            "c1": {"p50_ms": 120.0, "direct_rasa_p50_ms": 100.0},
            "c10": {"p50_ms": 900.0},
        }
    }
    assert with_ratios("system", system)["ratios"] == {
        "bot_vs_direct_rasa": {"c1": {"p50_ms": 1.2}}
    }
    assert with_ratios("nlu", {"x": 1}) == {"x": 1}
