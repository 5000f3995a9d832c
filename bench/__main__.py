"""Run every benchmark that is available and write bench/results/*.json + bench/REPORT.md.

``./linli bench`` (or ``python -m bench``) runs each selected benchmark script as its own process,
``runs`` times (``BENCHES``; ``--runs N`` overrides), so a missing engine or a failure in one is
recorded and the others still run. Every run's JSON is kept in
``bench/results/runs/<name>/<k>.json`` and ``bench/results/<name>.json`` becomes their merge
(bench/merge.py: the median of each figure, ratios taken inside each run). The report is rebuilt
from all results files (also from earlier runs of benchmarks not selected this time). See
bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.merge import merge_runs, with_ratios
from bench.report import write_report
from core.ready import rasa_ready

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
REPORT = HERE / "REPORT.md"


@dataclass(frozen=True)
class Bench:
    """One benchmark script and how the runner runs it."""

    script: str  # relative to the repository root
    out: str  # the results file the script writes (relative to the root)
    args: tuple[str, ...] = ()
    runs: int = 3  # default number of runs; the figures are their medians
    repeat_args: tuple[str, ...] = ()  # added for runs 2…n (e.g. skip a deterministic part)
    key: str | None = None  # figure whose median run supplies the per-item rows
    default: bool = True  # part of a bare ``./linli bench``
    minutes: float = 1.0  # estimated minutes of the first run on a quiet 2-core machine
    minutes_repeat: float | None = None  # of each further run (default: as the first)
    needs_rasa: bool = False  # gets --rasa-url (a Rasa is started once for all its runs)


# Default runs keep a bare `./linli bench` near 50 minutes on a quiet 2-core machine (see
# `python -m bench --plan`): deterministic and slow parts run once (knowledge; the ASR part of
# voice), everything with a goal on a timing runs three times.
BENCHES: dict[str, Bench] = {
    "nlu": Bench(
        "bench/nlu_bench.py",
        "bench/results/nlu.json",
        key="rasa.p50_ms",
        minutes=2.5,
        minutes_repeat=1.5,
        needs_rasa=True,
    ),
    # first-turn routing on the authored and the real message-board sets (issue 12); starts its
    # own Rasa and action server (the flow needs the actions); deterministic apart from latency.
    "routing": Bench(
        "bench/routing_bench.py",
        "bench/results/routing.json",
        runs=1,
        minutes=5.0,
    ),
    "dialogue": Bench(
        "bench/dialogue_bench.py",
        "bench/results/dialogue.json",
        runs=1,
        key="summary.turn_latency_ms.p50",
        minutes=1.5,
    ),
    "knowledge": Bench(
        "bench/kb_bench.py",
        "bench/results/knowledge.json",
        runs=1,
        minutes=9.0,
    ),
    "cases": Bench(
        "bench/cases_bench.py",
        "bench/results/cases.json",
        key="results.sqlite.concurrency_1.p50_ms",
        minutes=1.0,
    ),
    "voice": Bench(
        "bench/voice_bench.py",
        "bench/results/voice.json",
        args=("--live",),
        repeat_args=("--skip-asr",),
        key="voice_turn.p50_s",
        minutes=4.5,
        minutes_repeat=2.0,
    ),
    # Whisper's prompts on real speech nobody primed for (issue 18): deterministic, one run.
    "steering": Bench(
        "bench/steering_bench.py",
        "bench/results/steering.json",
        runs=1,
        minutes=4.0,
    ),
    # Phone numbers read aloud (issue 13 item 4): the digit path vs the plain recogniser, dev and
    # held-out speaker (the held-out set is rebuilt by bench/data/phone/build_phone_sets.py).
    "phone": Bench(
        "bench/phone_bench.py",
        "bench/results/phone.json",
        runs=1,
        default=False,
        minutes=10.0,
    ),
    # Generic vs steered prompt per question kind on real speech (issue 13 item 5); reads
    # phone.json, so it runs after it.
    "steering_kinds": Bench(
        "bench/steering_kinds.py",
        "bench/results/steering_kinds.json",
        runs=1,
        default=False,
        minutes=8.0,
    ),
    # The kiosk's own prompts spoken by each synthesiser and heard by the recogniser (issue 13
    # item 6): CER is deterministic (ASR in run 1 only), synthesis time and memory are timed.
    # Only when named (`./linli bench tts`): the default set is at its time budget.
    "tts": Bench(
        "bench/tts_bench.py",
        "bench/results/tts.json",
        repeat_args=("--skip-asr",),
        default=False,
        key="engines.espeak.synth_short.p50_ms",
        minutes=4.0,
        minutes_repeat=0.7,
    ),
    "telegram": Bench(
        "bench/telegram_bench.py",
        "bench/results/telegram_fake_backend.json",
        args=(
            "--fake-backend",
            "--voice-turns",
            "0",
            "--out",
            "bench/results/telegram_fake_backend.json",
        ),
        key="text_turn.p50_ms",
        minutes=0.2,
    ),
    "system": Bench(
        "bench/system_bench.py",
        "bench/results/system.json",
        key="rest.c1.p50_ms",
        minutes=3.8,
    ),
    # 议事: a 200-household poll with votes from three channels at once, on SQLite and
    # PostgreSQL; the script repeats its own runs (--runs 5) and reports their medians.
    "deliberation": Bench(
        "bench/deliberation_bench.py",
        "bench/results/deliberation.json",
        runs=1,
        minutes=1.5,
    ),
    # long-running stability test: only when named (`./linli bench soak`), 30 min by default
    "soak": Bench(
        "bench/soak_bench.py",
        "bench/results/soak.json",
        runs=1,
        default=False,
        minutes=32.0,
    ),
}


def rasa_answers(url: str, token: str | None) -> bool:
    """True when a Rasa server answers its HTTP API at ``url`` with this token."""
    with httpx.Client(timeout=3) as client:
        return rasa_ready(client, url, token)


@contextlib.contextmanager
def rasa_server() -> Iterator[str]:
    """A Rasa URL: $LINLI_RASA_URL if it answers with $LINLI_RASA_TOKEN, else a Rasa of our own.

    The token of the Rasa in use is put in ``os.environ`` for the benchmark scripts.
    """
    url = os.environ.get("LINLI_RASA_URL", "http://127.0.0.1:5005")
    if rasa_answers(url, os.environ.get("LINLI_RASA_TOKEN")):
        yield url
        return
    from harness.stack import Stack, share_models

    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-rasa-"))
    share_models(data_dir)
    stack = Stack(data_dir=data_dir)
    logger.info("Starting a Rasa server for the NLU benchmark …")
    stack.start("rasa")
    before = os.environ.get("LINLI_RASA_TOKEN")
    os.environ["LINLI_RASA_TOKEN"] = stack.rasa_token
    try:
        yield stack.rasa_url
    finally:
        stack.close()
        if before is None:
            os.environ.pop("LINLI_RASA_TOKEN", None)
        else:
            os.environ["LINLI_RASA_TOKEN"] = before


def run_script(script: str, args: list[str], out: Path, keep: Path) -> dict[str, Any]:
    """One run of a benchmark script; its results file (if written) is moved to ``keep``."""
    started = time.monotonic()
    record: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_avg_start": round(os.getloadavg()[0], 2),
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    path = Path(script)
    if path.is_absolute():  # a script outside the project (the runner's own tests)
        command = [sys.executable, str(path), *args]
    else:  # bench/nlu_bench.py → python -m bench.nlu_bench (no sys.path edits in the scripts)
        command = [sys.executable, "-m", ".".join(path.with_suffix("").parts), *args]
    proc = subprocess.run(command, cwd=ROOT, env=env, check=False)
    record["exit_code"] = proc.returncode
    record["seconds"] = round(time.monotonic() - started, 1)
    if out.exists():
        shutil.move(out, keep)
        record["results"] = True
    else:
        record["results"] = False
    return record


def run_bench(name: str, runs: int, results: Path) -> dict[str, Any]:
    """Run one benchmark ``runs`` times and write the merge of the successful runs.

    The results file of before stays in place until a merge replaces it (it is put back when no
    run succeeded, also on Ctrl-C), so a failed benchmark never leaves a half result behind.
    """
    bench = BENCHES[name]
    if not (ROOT / bench.script).exists():
        return {"ran": False, "why": "script not present"}
    out = ROOT / bench.out
    run_dir = results / "runs" / name
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    backup = run_dir / "previous.json"
    if out.exists():
        shutil.move(out, backup)
    records: list[dict[str, Any]] = []
    merged = False
    started = time.monotonic()
    try:
        with contextlib.ExitStack() as stack:
            rasa_url = stack.enter_context(rasa_server()) if bench.needs_rasa else None
            for k in range(1, runs + 1):
                logger.info("== %s, run %d of %d", name, k, runs)
                args = [*bench.args, *(bench.repeat_args if k > 1 else ())]
                if rasa_url:
                    args += ["--rasa-url", rasa_url]
                records.append(
                    {"run": k, **run_script(bench.script, args, out, run_dir / f"{k}.json")}
                )
        merged = write_merged(name, records, run_dir, out)
    finally:
        if backup.exists():
            if merged:
                backup.unlink()
            elif not out.exists():
                shutil.move(backup, out)
    failed = [r for r in records if r["exit_code"] != 0]
    return {
        "ran": True,
        "runs": runs,
        "runs_ok": sum(1 for r in records if r["exit_code"] == 0 and r["results"]),
        "exit_code": failed[0]["exit_code"] if failed else 0,
        "seconds": round(time.monotonic() - started, 1),  # incl. starting a Rasa for all runs
        "when": records[0]["when"] if records else None,
        "load_avg_start": records[0]["load_avg_start"] if records else None,
        "per_run": records,
        **({"why": "no run produced results"} if not merged else {}),
    }


def write_merged(name: str, records: list[dict[str, Any]], run_dir: Path, out: Path) -> bool:
    """Merge the successful runs kept in ``run_dir`` into ``out``; False when there were none."""
    ok, meta, excluded = [], [], []
    for r in records:
        path = run_dir / f"{r['run']}.json"
        entry = {k: r[k] for k in ("run", "when", "load_avg_start", "seconds", "exit_code")}
        if r["exit_code"] != 0 or not r["results"]:
            why = f"exit code {r['exit_code']}" if r["exit_code"] else "no results file"
            excluded.append({**entry, "why": why})
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            excluded.append({**entry, "why": f"unreadable results: {exc}"})
            continue
        if not isinstance(data, dict):
            excluded.append({**entry, "why": "results are not a JSON object"})
            continue
        ok.append(with_ratios(name, data))
        meta.append(entry)
    if not ok:
        return False
    result = merge_runs(ok, key=BENCHES[name].key, meta=meta, excluded=excluded)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("%s: merged %d run(s) into %s", name, len(ok), out)
    return True


def plan(
    names: list[str], runs: int | None, status: dict[str, Any]
) -> list[tuple[str, int, float]]:
    """(name, runs, estimated minutes) of each selected benchmark.

    The estimate is the wall time measured last time (``_runs.json``: the first run, the median
    of the further runs, plus starting a Rasa) when the machine was not oversubscribed then
    (1-minute load average at the start of each run ≤ 1.5 × cores), else the quiet-machine
    estimate in ``BENCHES``.
    """
    quiet = 1.5 * (os.cpu_count() or 1)
    rows = []
    for name in names:
        bench = BENCHES[name]
        n = runs or bench.runs
        last = status.get(name) or {}
        per_run = [r for r in last.get("per_run") or [] if r.get("exit_code") == 0]
        if any((r.get("load_avg_start") or 0) > quiet for r in per_run):
            per_run = []
        measured = [r["seconds"] / 60 for r in per_run]
        overhead = max(0.0, (last.get("seconds") or 0) / 60 - sum(measured)) if per_run else 0.0
        first = overhead + (measured[0] if measured else bench.minutes)
        repeat = (
            statistics.median(measured[1:])
            if len(measured) > 1
            else (bench.minutes_repeat if bench.minutes_repeat is not None else first)
        )
        rows.append((name, n, round(first + (n - 1) * repeat, 1)))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    """Run the selected (default: all but soak) benchmarks, then rebuild the report."""
    default = [n for n, b in BENCHES.items() if b.default]
    parser = argparse.ArgumentParser(description="Linli benchmarks (see bench/README.md)")
    parser.add_argument(
        "names",
        nargs="*",
        help=f"subset of: {', '.join(BENCHES)} (default: {', '.join(default)})",
    )
    parser.add_argument(
        "--runs", type=int, help="runs of each selected benchmark (default: its own, see --plan)"
    )
    parser.add_argument("--plan", action="store_true", help="only show what would run and how long")
    parser.add_argument("--report-only", action="store_true", help="only rebuild bench/REPORT.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        parser.error(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}"
        )
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")
    names = args.names or default
    results = RESULTS
    results.mkdir(exist_ok=True)
    runs_path = results / "_runs.json"
    status: dict[str, dict[str, Any]] = (
        json.loads(runs_path.read_text()) if runs_path.exists() else {}
    )
    if args.plan or not args.report_only:
        rows = plan(names, args.runs, status)
        for name, n, minutes in rows:
            logger.info("%-10s %d run(s)  ~%4.1f min", name, n, minutes)
        logger.info("%-10s          ~%4.1f min", "total", sum(m for _, _, m in rows))
        if args.plan:
            return
        for name, n, _ in rows:
            try:
                status[name] = run_bench(name, n, results)
            except Exception as exc:  # noqa: BLE001 - e.g. no Rasa could be started for nlu
                logger.exception("%s could not run", name)
                status[name] = {"ran": False, "exit_code": -1, "why": f"runner: {exc!r}"[:300]}
            runs_path.write_text(json.dumps(status, indent=2, ensure_ascii=False))
    write_report(results, REPORT)
    logger.info("Wrote %s", REPORT)
    failed = [n for n in names if status.get(n, {}).get("exit_code") not in (0, None)]
    if failed and not args.report_only:
        logger.warning("Failed: %s (see their output above)", ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
