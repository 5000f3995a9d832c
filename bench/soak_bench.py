"""Soak benchmark: N simulated residents for a long time against the live stack (loopback only).

Starts its own stack (real Rasa + trained model, action server, hub; fresh data directory), then
the residents of ``harness/residents.py`` complete report dialogues through Rasa's REST channel
(answer what the form asks, confirm with 对) until the time is up. Meanwhile the resident set size
of every stack process is sampled. Afterwards every announced case number is fetched from the hub
and checked against the dialogue, and the cases stored per sender are compared with the
confirmations (lost / doubled).

Writes ``bench/results/soak.json``: per-minute turns, errors and latency percentiles, RSS samples
and growth per process, lost and doubled cases. Defaults: 20 residents, 30 minutes
(``python bench/soak_bench.py --minutes 2`` for a smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

from bench.machine import machine_info  # noqa: E402
from harness.residents import (  # noqa: E402
    Tally,
    announced_problems,
    latency_summary,
    percentile,
    run_residents,
    stored_counts,
)
from harness.stack import Stack, share_models  # noqa: E402

logger = logging.getLogger(__name__)

OUT = ROOT / "bench" / "results" / "soak.json"


def _group_pids(pgid: int) -> list[int]:
    """Every live process of a process group (the stack starts each process in its own)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # after ")": state, ppid, pgrp
            pids.append(int(entry.name))
    return pids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(stack: Stack) -> dict[str, float]:
    """RSS (MB) of each stack process, its children included."""
    return {
        name: round(sum(_rss_kb(p) for p in _group_pids(proc.pid)) / 1024, 1)
        for name, proc in stack.procs.items()
        if proc.poll() is None
    }


async def sample_rss(stack: Stack, every_s: float, started: float, out: list[dict]) -> None:
    """Append an RSS sample of every process every ``every_s`` seconds (until cancelled)."""
    while True:
        out.append({"t_s": round(time.monotonic() - started, 1), "rss_mb": rss_mb(stack)})
        await asyncio.sleep(every_s)


async def soak(stack: Stack, args: argparse.Namespace, prefix: str, tally: Tally) -> dict:
    """Run the residents while sampling memory; returns timing and the samples."""
    samples: list[dict] = []
    started = time.monotonic()
    sampler = asyncio.create_task(sample_rss(stack, args.sample_s, started, samples))
    try:
        wall_s = await run_residents(
            stack.rasa_url, prefix, args.residents, args.minutes * 60, args.think, tally
        )
    finally:
        sampler.cancel()
    samples.append({"t_s": round(time.monotonic() - started, 1), "rss_mb": rss_mb(stack)})
    return {"started": started, "wall_s": wall_s, "samples": samples}


def per_minute(tally: Tally, started: float) -> list[dict[str, Any]]:
    """Turns, errors and latency percentiles for each minute of the run."""
    minutes: dict[int, list[float]] = {}
    for ended, latency in zip(tally.turn_times, tally.latencies_s, strict=True):
        minutes.setdefault(int((ended - started) // 60), []).append(latency)
    errors: dict[int, int] = {}
    for at in tally.error_times:
        m = int((at - started) // 60)
        errors[m] = errors.get(m, 0) + 1
    return [
        {
            "minute": m + 1,
            "turns": len(lat),
            "errors": errors.get(m, 0),
            "p50_s": round(percentile(lat, 50) or 0, 3),
            "p95_s": round(percentile(lat, 95) or 0, 3),
            "max_s": round(max(lat), 3),
        }
        for m, lat in sorted(minutes.items())
    ]


def rss_growth(samples: list[dict]) -> dict[str, dict[str, float]]:
    """Per process: RSS at the first sample after warm-up, at the end, the peak and the growth."""
    if not samples:
        return {}
    # the first minute fills caches and connection pools: compare from the first sample after it
    base = next((s for s in samples if s["t_s"] >= 60), samples[0])
    last = samples[-1]
    out = {}
    for name in last["rss_mb"]:
        series = [s["rss_mb"].get(name, 0.0) for s in samples]
        start = base["rss_mb"].get(name, series[0])
        out[name] = {
            "after_warmup_mb": start,
            "end_mb": last["rss_mb"][name],
            "peak_mb": max(series),
            "growth_mb": round(last["rss_mb"][name] - start, 1),
        }
    return out


def verify(stack: Stack, tally: Tally, prefix: str) -> dict[str, Any]:
    """Announced cases in the hub with the right fields; stored vs confirmed per sender."""
    with stack.hub() as hub:
        problems = announced_problems(hub, tally)
    stored = stored_counts(stack.data_dir / "cases.db", prefix)
    lost = doubled = 0
    for sender in set(stored) | set(tally.confirmations):
        diff = stored.get(sender, 0) - tally.confirmations.get(sender, 0)
        lost += max(0, -diff)
        doubled += max(0, diff)
    return {
        "confirmations": sum(tally.confirmations.values()),
        "cases_announced": len(tally.announced),
        "cases_stored": sum(stored.values()),
        "lost": lost,
        "doubled": doubled,
        "field_problems": problems[:20],
        "field_problem_count": len(problems),
    }


def main() -> None:
    """Start a stack, soak it, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20, help="concurrent residents")
    parser.add_argument("--minutes", type=float, default=30.0, help="how long they talk")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause before answering (s)")
    parser.add_argument("--sample-s", type=float, default=10.0, help="RSS sampling interval (s)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    machine = machine_info()
    data_dir = Path(tempfile.mkdtemp(prefix="linli-soak-"))
    share_models(data_dir)
    stack = Stack(data_dir=data_dir)
    prefix = f"web:soak-{uuid.uuid4().hex[:8]}"
    tally = Tally()
    try:
        stack.start_all()
        stack.say(f"{prefix}-warmup", "你好")
        logger.info("soak: %d residents for %.1f min", args.residents, args.minutes)
        run = asyncio.run(soak(stack, args, prefix, tally))
        cases = verify(stack, tally, prefix)
    finally:
        stack.close()
    machine["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    wall_s = run["wall_s"]
    lat = tally.latencies_s
    out = {
        "machine": machine,
        "params": {
            "residents": args.residents,
            "minutes": args.minutes,
            "think_s": args.think,
            "sample_s": args.sample_s,
        },
        "wall_s": round(wall_s, 1),
        "turns": tally.turns,
        "turns_per_s": round(tally.turns / wall_s, 2) if wall_s else None,
        "latency_s": latency_summary(lat),
        "errors": len(tally.errors),
        "error_examples": tally.errors[:10],
        "empty_replies": tally.empty_replies,
        "abandoned_at_end": tally.abandoned,
        "stuck": len(tally.stuck),
        "stuck_examples": tally.stuck[:10],
        "cases": cases,
        "per_minute": per_minute(tally, run["started"]),
        "rss": rss_growth(run["samples"]),
        "rss_samples": run["samples"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    logger.info(
        "soak: %d turns (%.2f/s), p95 %.2fs, %d errors, %d lost, %d doubled → %s",
        tally.turns,
        out["turns_per_s"] or 0,
        out["latency_s"]["p95"],
        len(tally.errors),
        cases["lost"],
        cases["doubled"],
        args.out,
    )


if __name__ == "__main__":
    main()
