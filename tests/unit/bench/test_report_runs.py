"""bench/report.py on merged results: medians with their runs and spread, how they were measured,
ratios taken inside each run, and the soak section."""

from __future__ import annotations

import json
from pathlib import Path

from bench.merge import merge_runs, with_ratios
from bench.report import goal_rows, spread_text, write_report


def nlu(p50: float) -> dict[str, object]:
    return {
        "machine": {"cores": 2, "cpu_model": "Xeon", "mem_gb": 8.0, "load_avg_start": [0.5]},
        "rasa": {"accuracy": 0.96, "macro_f1": 0.94, "p50_ms": p50},
    }


def system(p50: float, rss: float) -> dict[str, object]:
    return {"rest": {"c1": {"p50_ms": p50}}, "memory": {"stack_rss_mb": rss}}


def meta(*loads: float) -> list[dict[str, object]]:
    return [
        {"run": i + 1, "load_avg_start": load, "when": f"2026-11-22T0{i}:00:00+00:00"}
        for i, load in enumerate(loads)
    ]


def merged_results(d: Path) -> None:
    results = {
        "nlu": merge_runs([nlu(30.0), nlu(20.0), nlu(25.0)], "rasa.p50_ms", meta(0.4, 1.1, 1.3)),
        "system": merge_runs(
            [system(120.0, 2300.0), system(90.0, 2400.0), system(95.0, 2350.0)],
            "rest.c1.p50_ms",
            meta(0.5, 1.5, 1.6),
            excluded=[{"run": 4, "why": "exit code 1"}],
        ),
        "cases": merge_runs(
            [
                with_ratios(
                    "cases",
                    {
                        "results": {
                            "sqlite": {"concurrency_1": {"creates_per_s": s}},
                            "postgresql": {"concurrency_1": {"creates_per_s": p}},
                        }
                    },
                )
                for s, p in ((100, 50), (10, 10), (60, 90))
            ]
        ),
        "voice": {"voice_turn": {"p50_s": 2.0}},  # a results file from before the medians
    }
    for name, data in results.items():
        (d / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


def test_goal_rows_give_the_median_its_runs_and_spread(tmp_path: Path) -> None:
    merged_results(tmp_path)
    results = {p.stem: json.loads(p.read_text()) for p in tmp_path.glob("*.json")}
    rows = {r[0]: r for r in goal_rows(results)}
    assert rows["text turn p50, REST, 1 resident"][2:6] == ["95 ms", "3", "90–120 ms", "yes"]
    assert rows["intent accuracy (held-out set)"][2:6] == [
        "0.96",
        "3",
        "identical in all 3 runs",
        "yes",
    ]
    assert rows["whole default stack resident memory"][2:5] == ["2350 MB", "3", "2300–2400 MB"]
    voice = rows["voice turn p50 (end of speech → reply audio)"]
    assert voice[2:6] == ["2 s", "1", "—", "**no**"]


def test_spread_notes_runs_that_lacked_a_figure() -> None:
    merged = merge_runs([{"asr": {"cer": 0.1}, "t": 1.0}, {"t": 2.0}, {"t": 3.0}])
    assert spread_text(merged, "asr.cer") == "0.1–0.1 (in 1 of 3 runs)"
    assert spread_text(merged, "t", " s") == "1–3 s"
    assert spread_text({"t": 1.0}, "t") == "—"


def test_report_says_how_it_was_measured(tmp_path: Path) -> None:
    merged_results(tmp_path)
    write_report(tmp_path, tmp_path / "R.md", draw=False)
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "| goal | target | measured (median) | runs | spread | met | gap | why |" in text
    assert "Machine: 2 cores; Xeon; 8.0 GB RAM." in text
    assert "| nlu | 3 | 0.4 / 1.1 / 1.3 | 2026-11-22T00:00:00+00:00 → 2026-11-22T02:00:00" in text
    assert "| voice | 1 (single-run file) | — |" in text
    assert (
        "| system | 3 | 0.5 / 1.5 / 1.6 | 2026-11-22T00:00:00+00:00 → 2026-11-22T02:00:00+00:00 "
        "| 1 |" in text  # one run left out
    )
    assert (
        "Median of 3 run(s); 1-min load average at the start of each run: 0.4 / 1.1 / 1.3. "
        "Tables of single items come from run 3 (the run with the median `rasa.p50_ms`)." in text
    )
    assert "Left out: run 4 (exit code 1)." in text


def test_ratios_are_shown_with_their_spread(tmp_path: Path) -> None:
    merged_results(tmp_path)
    write_report(tmp_path, tmp_path / "R.md", draw=False)
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "| postgresql_vs_sqlite.concurrency_1.creates_per_s | 1 | 0.5–1.5 |" in text
    assert "PostgreSQL ÷ SQLite" in text


SOAK = {  # the shape bench/soak_bench.py writes
    "machine": {"cpus": 2},
    "params": {"residents": 20, "minutes": 30.0},
    "wall_s": 1800.0,
    "turns": 1200,
    "latency_s": {"p50": 0.4, "p95": 1.2},
    "errors": 2,
    "error_examples": ["ReadTimeout after 60 s"],
    "stuck": 0,
    "cases": {"cases_stored": 60, "lost": 0, "doubled": 1, "field_problems": []},
    "per_minute": [
        {"minute": 1, "turns": 40, "errors": 0, "p50_s": 0.4, "p95_s": 1.1, "max_s": 1.5},
        {"minute": 2, "turns": 41, "errors": 2, "p50_s": 0.5, "p95_s": 1.3, "max_s": 2.5},
    ],
    "rss": {
        "hub": {"after_warmup_mb": 1000.0, "end_mb": 1100.0, "peak_mb": 1120.0, "growth_mb": 100.0}
    },
    "rss_samples": [
        {"t_s": 0.0, "rss_mb": {"hub": 950.0, "rasa": 900.0}},
        {"t_s": 900.0, "rss_mb": {"hub": 1050.0, "rasa": 905.0}},
        {"t_s": 1800.0, "rss_mb": {"hub": 1100.0, "rasa": 902.0}},
    ],
}


def test_soak_section_shows_memory_over_time_errors_and_lost_cases(tmp_path: Path) -> None:
    (tmp_path / "soak.json").write_text(json.dumps(SOAK), encoding="utf-8")
    write_report(tmp_path, tmp_path / "R.md")
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "## Soak: the default stack over a long run" in text
    assert "| errors | 2 |" in text and "| stuck | 0 |" in text
    assert "| cases.lost | 0 |" in text and "| cases.doubled | 1 |" in text
    assert "- error_examples: ReadTimeout after 60 s" in text
    assert "| hub | 1000 | 1100 | 1120 | 100 |" in text
    assert "| 2 | 41 | 2 | 0.5 | 1.3 | 2.5 |" in text  # per minute
    assert "| turns | 1200 |" in text and "| params.residents | 20 |" in text
    assert (tmp_path / "soak_memory.png").stat().st_size > 1000
    assert "(results/soak_memory.png)" in text


def test_soak_memory_is_read_from_the_samples_without_a_summary(tmp_path: Path) -> None:
    soak = {k: v for k, v in SOAK.items() if k != "rss"}
    (tmp_path / "soak.json").write_text(json.dumps(soak), encoding="utf-8")
    write_report(tmp_path, tmp_path / "R.md", draw=False)
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "| rss_mb.hub | 950 | 1100 | 1100 | 150 |" in text
    assert "| rss_mb.rasa | 900 | 902 | 905 | 2 |" in text
