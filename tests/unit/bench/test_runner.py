"""bench/__main__.py: each benchmark runs its number of times, every run is kept, the merge is
written, failed runs are left out and an earlier result survives a benchmark that fails.

A tiny script stands in for a benchmark, so no real benchmark runs here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import bench.__main__ as runner
from bench.__main__ import BENCHES, Bench, plan, run_bench

FAKE = """
import json, sys
from pathlib import Path
args = sys.argv[1:]
out = Path(args[args.index("--out") + 1])
counter = out.with_suffix(".count")
k = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(k))
if str(k) in args[args.index("--fail") + 1].split(","):
    sys.exit(3)
p50 = {1: 300.0, 2: 100.0, 3: 200.0, 4: 250.0}[k]
out.write_text(json.dumps({
    "latency": {"p50_ms": p50}, "accuracy": 0.9, "argv": args, "rows": [{"run": k}],
}))
"""


@dataclass
class Fake:
    results: Path
    script: Path

    def add(
        self,
        name: str,
        runs: int = 3,
        fail: str = "",
        default: bool = True,
        repeat_args: tuple[str, ...] = (),
    ) -> Path:
        """Register the fake script as benchmark ``name``; failing on the runs in ``fail``."""
        out = self.results / f"{name}.json"
        runner.BENCHES[name] = Bench(
            str(self.script),
            str(out),
            args=("--out", str(out), "--fail", fail or "none"),
            runs=runs,
            default=default,
            key="latency.p50_ms",
            repeat_args=repeat_args,
        )
        return out


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fake:
    script = tmp_path / "fake_bench.py"
    script.write_text(FAKE)
    results = tmp_path / "results"
    results.mkdir()
    monkeypatch.setattr(runner, "RESULTS", results)
    monkeypatch.setattr(runner, "REPORT", tmp_path / "REPORT.md")
    monkeypatch.setattr(runner, "BENCHES", {})
    return Fake(results, script)


def test_every_run_is_kept_and_the_merge_is_the_median(fake: Fake) -> None:
    out = fake.add("x", repeat_args=("--again",))
    status = run_bench("x", 3, fake.results)
    runs = fake.results / "runs" / "x"
    assert sorted(p.name for p in runs.glob("*.json")) == ["1.json", "2.json", "3.json"]
    merged = json.loads(out.read_text())
    assert merged["latency"]["p50_ms"] == 200.0
    assert merged["rows"] == [{"run": 3}]  # the run with the median p50
    assert merged["_merge"]["values"]["latency.p50_ms"] == [300.0, 100.0, 200.0]
    assert [r["run"] for r in merged["_merge"]["runs"]] == [1, 2, 3]
    assert "--again" not in json.loads((runs / "1.json").read_text())["argv"]
    assert "--again" in json.loads((runs / "2.json").read_text())["argv"]
    assert status["runs"] == 3 and status["runs_ok"] == 3 and status["exit_code"] == 0
    assert len(status["per_run"]) == 3


def test_a_failed_run_is_left_out_and_reported(fake: Fake) -> None:
    out = fake.add("x", fail="2")
    status = run_bench("x", 4, fake.results)
    merged = json.loads(out.read_text())
    # runs 1, 3, 4 → 300, 200, 250
    assert merged["latency"]["p50_ms"] == 250.0
    assert merged["_merge"]["n"] == 3
    assert merged["_merge"]["excluded"][0]["run"] == 2
    assert "exit code 3" in merged["_merge"]["excluded"][0]["why"]
    assert status["exit_code"] == 3 and status["runs_ok"] == 3


def test_an_earlier_result_survives_when_no_run_succeeds(fake: Fake) -> None:
    out = fake.add("x", fail="1,2")
    out.write_text('{"earlier": true}')
    status = run_bench("x", 2, fake.results)
    assert json.loads(out.read_text()) == {"earlier": True}
    assert status["runs_ok"] == 0 and status["why"] == "no run produced results"
    assert not (fake.results / "runs" / "x" / "previous.json").exists()


def test_a_missing_script_is_recorded(fake: Fake) -> None:
    runner.BENCHES["gone"] = Bench("bench/no_such_bench.py", "bench/results/gone.json")
    assert run_bench("gone", 3, fake.results) == {"ran": False, "why": "script not present"}


def test_main_runs_each_default_benchmark_its_own_number_of_times(fake: Fake) -> None:
    fake.add("three", runs=3)
    fake.add("once", runs=1)
    fake.add("long", runs=1, default=False)
    runner.main([])
    status = json.loads((fake.results / "_runs.json").read_text())
    assert set(status) == {"three", "once"}
    assert (status["three"]["runs"], status["once"]["runs"]) == (3, 1)
    assert (runner.REPORT).exists()
    runner.main(["long", "--runs", "2"])
    status = json.loads((fake.results / "_runs.json").read_text())
    assert status["long"]["runs_ok"] == 2 and status["three"]["runs"] == 3


def test_the_plan_uses_quiet_measurements_and_the_estimates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bench = Bench("s.py", "o.json", runs=3, minutes=2.0, minutes_repeat=1.0)
    monkeypatch.setattr(runner, "BENCHES", {"b": bench})
    status = {
        "b": {
            "seconds": 330.0,  # 30 s outside the runs (a Rasa started once)
            "per_run": [
                {"exit_code": 0, "seconds": 120.0, "load_avg_start": 0.5},
                {"exit_code": 0, "seconds": 60.0, "load_avg_start": 1.0},
                {"exit_code": 0, "seconds": 120.0, "load_avg_start": 1.0},
            ],
        }
    }
    assert plan(["b"], None, {}) == [("b", 3, 4.0)]
    assert plan(["b"], 1, {}) == [("b", 1, 2.0)]
    assert plan(["b"], None, status) == [("b", 3, 0.5 + 2 + 2 * 1.5)]
    status["b"]["per_run"][1]["load_avg_start"] = 99.0  # oversubscribed: not a measurement
    assert plan(["b"], None, status) == [("b", 3, 4.0)]


def test_the_default_run_plan() -> None:
    defaults = [n for n, b in BENCHES.items() if b.default]
    assert "soak" in BENCHES and "soak" not in defaults and BENCHES["soak"].runs == 1
    assert BENCHES["soak"].script == "bench/soak_bench.py"
    assert BENCHES["knowledge"].runs == 1  # deterministic quality, ~10 minutes
    for name in ("nlu", "voice", "system"):  # goals on timings: a median of three
        assert BENCHES[name].runs >= 3
    total = sum(minutes for _, _, minutes in plan(defaults, None, {}))
    assert total <= 52  # the budget of a bare `./linli bench` on a quiet 2-core machine


def test_project_scripts_run_as_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/x.py runs as ``python -m bench.x`` from the project root (no sys.path edits)."""
    import subprocess

    import bench.__main__ as runner

    seen: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.append(command)
        assert kwargs["cwd"] == runner.ROOT
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(runner.subprocess, "run", fake_run)
    runner.run_script("bench/nlu_bench.py", ["--x"], tmp_path / "o.json", tmp_path / "k.json")
    assert seen[0][1:] == ["-m", "bench.nlu_bench", "--x"]
