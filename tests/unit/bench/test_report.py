"""bench/report.py renders small fake results into a report with goals, gaps and figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report
from bench.report import GOALS, Goal, gap_text, goal_rows, lookup, machine_line, write_report

ROOT = Path(__file__).resolve().parents[3]

SYSTEM = {
    "machine": {
        "cpus": 2,
        "mem_gb": 8.0,
        "python": "3.11.7",
        "versions": {"rasa": "3.6.21"},
        "date": "2026-11-21T21:00:00+00:00",
        "load_avg_start": [6.5, 7.0, 7.5],
        "load_avg_end": [8.0, 7.0, 7.0],
    },
    "cold_start": {"hub_s": 40.0, "actions_s": 7.0, "rasa_s": 80.0, "total_s": 127.0},
    "rest": {
        "c1": {
            "residents": 1,
            "turns": 30,
            "errors": 0,
            "turns_per_s": 2.0,
            "p50_ms": 400.0,
            "p95_ms": 900.0,
            "max_ms": 1000.0,
            "load_avg_1min": 9.0,
            "by_message_p50_ms": {"你好": 120.0, "5号楼2单元的楼道灯坏了": 800.0},
            "runs_p50_ms": [380.0, 400.0, 450.0],
        },
        "c10": {
            "residents": 10,
            "turns": 80,
            "errors": 0,
            "turns_per_s": 5.0,
            "p50_ms": 1800.0,
            "p95_ms": 3000.0,
        },
    },
    "telegram": {"c1": {"residents": 1, "turns": 6, "errors": 0, "p50_ms": 500.0, "p95_ms": 800.0}},
    "memory": {
        "hub_rss_mb": 1200.0,
        "actions_rss_mb": 150.0,
        "rasa_rss_mb": 900.0,
        "stack_rss_mb": 2250.0,
    },
}
NLU = {
    "machine": {"cores": 2, "date": "2026-11-21T20:00:00+00:00"},
    "rasa": {
        "accuracy": 0.9,
        "macro_f1": 0.95,
        "p50_ms": 40.0,
        "p95_ms": 80.0,
        "fallback_rate": 0.02,
    },
    "baseline_rules": {"accuracy": 0.7, "macro_f1": 0.6, "p50_ms": 0.1, "p95_ms": 0.2},
    "comparison": {"accuracy_delta": 0.2, "macro_f1_delta": 0.35, "latency_p50_ratio": 400.0},
    "slot_f1": {"category": 0.9},
    "slot_details": {"category": {"precision": 0.95, "recall": 0.86, "f1": 0.9}},
    "eval": {"n": 420},
    "classifiers": {
        "rasa": {
            "labels": ["report", "consult", "greet"],
            "confusion": [[10, 3, 0], [1, 12, 0], [0, 0, 5]],
            "per_intent": {"report": {"precision": 0.9, "recall": 0.77, "f1": 0.83, "support": 13}},
        }
    },
}
DIALOGUE = {
    "machine": {"cpus": 2},
    "summary": {
        "dialogues": 2,
        "passed": 1,
        "success_rate": 0.5,
        "by_kind": {
            "report": {"n": 1, "passed": 1, "rate": 1.0},
            "cancel": {"n": 1, "passed": 0, "rate": 0.0},
        },
        "turns_per_completed_report": {"n": 1, "mean": 2.0, "median": 2},
        "turn_latency_ms": {"p50": 500.0, "p95": 900.0},
        "answers_mode": 1,
        "turns_mode": 1,
    },
    "dialogues": [
        {
            "id": "d01",
            "kind": "report",
            "mode": "turns",
            "passed": True,
            "reason": "",
            "turns": 2,
            "fallback_reason": "report_form asked for 'contact', no scripted answer",
        },
        {
            "id": "d08",
            "kind": "cancel",
            "mode": "turns",
            "passed": False,
            "reason": "expected cancelled, but 1 case(s) stored",
            "turns": 3,
        },
    ],
}
KNOWLEDGE = {
    "quality_heldout_test": {
        "n_test": 10,
        "n_in_scope": 9,
        "hybrid": {"top1": 0.95, "top3": 0.96, "mrr": 0.97},
    },
    "growth": [
        {
            "rows": 1000,
            "flat": {
                "index": "IndexFlatIP",
                "build_s": 0.3,
                "dense_index_mb": 1.5,
                "search_hybrid_without_embedding": {"p50_ms": 0.5, "p95_ms": 2.0},
            },
        },
        {
            "rows": 10000,
            "flat": {
                "index": "IndexFlatIP",
                "build_s": 3.0,
                "dense_index_mb": 15.0,
                "search_hybrid_without_embedding": {"p50_ms": 5.0, "p95_ms": 9.0},
            },
        },
    ],
}


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    d = tmp_path / "results"
    d.mkdir()
    for name, data in {
        "system": SYSTEM,
        "nlu": NLU,
        "dialogue": DIALOGUE,
        "knowledge": KNOWLEDGE,
        "custom": {"speed": {"x": 1.5}, "label": "hello"},
    }.items():
        (d / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    (d / "_runs.json").write_text(
        json.dumps({"system": {"ran": True, "exit_code": 0, "seconds": 300.0}})
    )
    return d


def goal_row(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| {label} |"))


def test_lookup_follows_dotted_paths() -> None:
    assert lookup({"a": {"b": {"c": 3}}}, "a.b.c") == 3
    assert lookup({"a": {"b": 1}}, "a.x") is None
    assert lookup({"a": 1}, "a.b") is None


def test_gap_says_how_far_a_goal_is_missed() -> None:
    at_least = Goal("nlu", "k", ">=", 0.95, "acc")
    at_most = Goal("system", "k", "<=", 100, "p50", " ms")
    assert gap_text(at_least, 0.96) == ""
    assert gap_text(at_least, 0.9).startswith("short by 0.05")
    assert gap_text(at_most, 100) == ""
    assert gap_text(at_most, 400) == "over by 300 ms (4× the target)"


def test_goal_rows_measure_explain_and_mark_missing() -> None:
    rows = {r[0]: r for r in goal_rows({"system": SYSTEM, "nlu": NLU})}
    label, target, measured, runs, spread, met, gap, why = rows["text turn p50, REST, 1 resident"]
    assert measured == "400 ms" and runs == "1" and spread == "—" and met == "**no**"
    assert "over by 300 ms" in gap
    assert "NLU parsing alone takes p50 40 ms (10 %" in why and "load average 9.0" in why
    assert "fastest “你好” p50 120 ms, slowest “5号楼2单元的楼道灯坏了” p50 800 ms" in why
    acc = rows["intent accuracy (held-out set)"]
    assert acc[5] == "**no**" and "report → consult (3)" in acc[7]
    assert "Weakest intent: report (F1 0.83, recall 0.77)." in acc[7]
    assert report.NOTES["rasa.accuracy"] in acc[7]
    assert report.NOTES["rest.c1.p50_ms"] in why
    assert rows["intent macro-F1 (held-out set)"][5] == "yes"
    assert rows["whole default stack resident memory"][5] == "yes"
    assert rows["voice turn p50 (end of speech → reply audio)"][2:] == [
        "not measured",
        "—",
        "—",
        "—",
        "—",
        "no results yet",
    ]
    assert rows["knowledge top-1 (hybrid)"][7] == "no results yet"
    assert len(rows) == len(GOALS)


def test_machine_line_reads_the_different_shapes() -> None:
    line = machine_line(SYSTEM)
    assert "2 cores" in line and "8.0 GB RAM" in line and "rasa 3.6.21" in line
    assert (
        "run 2026-11-21T21:00:00+00:00" in line
        and "load average 6.50 / 7.00 / 7.50 (end: 8.00" in line
    )
    assert "2 cores, shared" in machine_line({"machine": "2 cores, shared", "date": "today"})
    tg = machine_line(
        {
            "setup": {
                "machine": "x86_64 3.11.7, 2 cores",
                "when": "t",
                "load_avg_1min": {"start": 1.0, "end": 2.0},
            }
        }
    )
    assert "x86_64 3.11.7, 2 cores" in tg and "load average 1.0 → 2.0" in tg
    assert machine_line({}) == "Run on: (not recorded)"


def test_report_has_sections_tables_and_figures(results_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "REPORT.md"
    write_report(results_dir, out)
    text = out.read_text(encoding="utf-8")
    assert goal_row(text, "knowledge top-3 (hybrid)").count("**no**") == 1
    # dedicated sections, in a fixed order, with their own tables
    order = [
        text.index(h) for h in ("## NLU", "## Dialogue", "## Knowledge", "## System", "## custom")
    ]
    assert order == sorted(order)
    assert "| rasa | 0.9 | 0.95 | 40 | 80 | 0.02 |" in text
    assert (
        "| d08 | cancel | turns | **FAIL** | 3 | expected cancelled, but 1 case(s) stored |" in text
    )
    assert "| 1 | 30 | 0 | 2 | 400 | 900 | 1000 | 9 | 380, 400, 450 |" in text  # REST c1 row
    assert (
        "| d01 | report | turns (fallback) | pass | 2 | answers run: report_form asked for "
        "'contact', no scripted answer |" in text
    )
    assert "| 10000 | IndexFlatIP | 3 | 5 | 9 |" in text
    assert "| speed.x | 1.5 |" in text and "| label | hello |" in text  # generic fallback
    assert "| system | yes |  | 0 | 300 |" in text  # a _runs.json entry from before --runs
    for png in (
        "system_latency.png",
        "system_memory.png",
        "knowledge_growth.png",
        "nlu_confusion_report.png",
        "dialogue_kinds.png",
    ):
        assert (results_dir / png).stat().st_size > 1000
        assert f"(results/{png})" in text


def test_figures_drawn_by_a_benchmark_are_linked_not_redrawn(
    results_dir: Path, tmp_path: Path
) -> None:
    nlu = {**NLU, "plots": {"confusion_rasa": "nlu_confusion_rasa.png"}}
    (results_dir / "nlu.json").write_text(json.dumps(nlu))
    (results_dir / "nlu_confusion_rasa.png").write_bytes(b"\x89PNG fake")
    write_report(results_dir, tmp_path / "R.md")
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "(results/nlu_confusion_rasa.png)" in text
    assert not (results_dir / "nlu_confusion_report.png").exists()


def test_broken_or_odd_results_do_not_stop_the_report(results_dir: Path, tmp_path: Path) -> None:
    (results_dir / "broken.json").write_text("{not json")
    (results_dir / "dialogue.json").write_text(json.dumps({"summary": "unexpected shape"}))
    (results_dir / "system.json").write_text(json.dumps({"rest": {"c1": "oops"}, "memory": {}}))
    write_report(results_dir, tmp_path / "R.md")
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "## Dialogue" in text and "broken" not in text
    assert goal_row(text, "text turn p50, REST, 1 resident").count("not measured") == 1


def test_telegram_variants_use_the_telegram_section(tmp_path: Path) -> None:
    d = tmp_path / "r"
    d.mkdir()
    (d / "telegram_fake_backend.json").write_text(
        json.dumps(
            {
                "text_turn": {"n": 40, "p50_ms": 71.5, "p95_ms": 206.5, "max_ms": 233.2},
                "setup": {"backend": "fake", "bot": "PTB"},
            }
        )
    )
    write_report(d, tmp_path / "R.md", draw=False)
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "## Telegram channel (fake Bot API) — telegram_fake_backend" in text
    assert "| text turn, sequential | 40 | 71.5 | 206.5 | 233.2 |" in text


def test_the_real_results_render(tmp_path: Path) -> None:
    """The counterpart of the fakes: the real bench/results render with every goal row."""
    real = ROOT / "bench" / "results"
    if not any(real.glob("*.json")):
        pytest.skip("no benchmark results in bench/results yet")
    results = report.load_results(real)
    text = report.render(results, {}, {}, {})
    assert text.count("\n| ") >= len(GOALS)
    for name in results:
        assert f"`bench/results/{name}.json`" in text


def test_numbers_are_formatted_for_reading() -> None:
    assert report.fmt(17411.4) == "17411"
    assert report.fmt(0.89764) == "0.8976"
    assert report.fmt(None) == "—" and report.fmt(True) == "yes"
    assert report.fmt("a|b") == "a\\|b"


def test_a_variant_results_file_gets_its_own_figures(results_dir: Path, tmp_path: Path) -> None:
    variant = {**DIALOGUE, "play": "scripted turns only", "notes": "ran while the tests ran"}
    (results_dir / "dialogue_turns_only.json").write_text(json.dumps(variant))
    write_report(results_dir, tmp_path / "R.md")
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "## Dialogue: scripted conversations on the live stack — dialogue_turns_only" in text
    assert "Played: scripted turns only." in text
    assert "Note: ran while the tests ran" in text
    assert (results_dir / "dialogue_kinds.png").exists()
    assert "(results/dialogue_turns_only_kinds.png)" in text
    assert text.count("(results/dialogue_kinds.png)") == 1


def test_speech_section_shows_barge_in_and_why_vosk_was_not_measured(tmp_path: Path) -> None:
    d = tmp_path / "r"
    d.mkdir()
    (d / "voice.json").write_text(
        json.dumps(
            {
                "asr_vosk": {"measured": False, "why": "no Chinese vosk model here"},
                "voice_turn": {
                    "p50_s": 0.74,
                    "p95_s": 0.97,
                    "n": 12,
                    "barge_in_stop": {"measured": "停 over the kiosk", "n": 3, "p50_s": 0.56},
                },
            }
        )
    )
    write_report(d, tmp_path / "R.md", draw=False)
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "vosk: not measured — no Chinese vosk model here." in text
    assert "Barge-in (停 over the kiosk): p50 0.56 s" in text


def test_dialogue_and_speech_sections_show_the_figures_of_before_beside_today(
    tmp_path: Path,
) -> None:
    d = tmp_path / "r"
    d.mkdir()
    (d / "dialogue.json").write_text(
        json.dumps(
            {
                "summary": {
                    "dialogues": 35,
                    "passed": 28,
                    "success_rate": 0.8,
                    "by_kind": {"report": {"n": 5, "passed": 3, "rate": 0.6}},
                    "turns_per_completed_report": {"n": 10, "mean": 5.1, "median": 5},
                    "turn_latency_ms": {"p50": 90.0},
                },
                "previous": {
                    "source": "the old file",
                    "dialogues": 35,
                    "passed": 34,
                    "success_rate": 0.971,
                    "by_kind_rate": {"report": 0.8},
                    "old_dialogues_today": {"dialogues": 35, "passed": 33, "success_rate": 0.943},
                },
            }
        )
    )
    (d / "voice.json").write_text(
        json.dumps(
            {
                "asr": {"cer_real": 0.1522, "cer_synthetic_steered": 0.1211},
                "voice_turn": {"p50_s": 0.8, "n": 12},
                "previous": {
                    "source": "primed",
                    "cer_real": 0.1546,
                    "cer_synthetic_steered": 0.0807,
                },
            }
        )
    )
    write_report(d, tmp_path / "R.md", draw=False)
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "| success rate | 97.1 % (34/35) | 80.0 % (28/35) |" in text
    assert "| the old (training) sentences on today's model | — | 94.3 % (33/35) |" in text
    assert "| report | 5 | 3 | 60.0 % | 80.0 % |" in text
    assert "| CER, synthetic clips, steered by the question | 0.0807 | 0.1211 |" in text
    assert "| voice turn p50 s | — | 0.8 |" in text
    assert "Before: primed." in text
