"""System benchmark: cold start, text-turn latency and throughput through the REST channel at 1/10/50
concurrent residents, and resident memory of each process of the default stack.

Starts its own stack (tests/stack.py) on free loopback ports; writes bench/results/system.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.stack import Stack, share_models  # noqa: E402

# A short conversation mix: greetings, questions, a report with read-back (not confirmed, so the
# benchmark does not fill the case database), status checks.
TURNS = ["你好", "社区服务中心周六开门吗", "5号楼2单元的楼道灯坏了", "不急", "不留", "算了，不报了", "我上次报的事怎么样了"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


async def resident(client: httpx.AsyncClient, url: str, turns: int, latencies: list[float], errors: list[str]) -> None:
    """One resident sending ``turns`` messages in sequence."""
    sender = f"web:bench-{uuid.uuid4().hex[:8]}"
    for i in range(turns):
        started = time.perf_counter()
        try:
            r = await client.post(url, json={"sender": sender, "message": TURNS[i % len(TURNS)]})
            r.raise_for_status()
            if not r.json():
                errors.append("empty reply")
        except httpx.HTTPError as exc:
            errors.append(exc.__class__.__name__)
        latencies.append((time.perf_counter() - started) * 1000)


async def load(url: str, concurrency: int, turns_each: int) -> dict[str, float]:
    """``concurrency`` residents at once; latency percentiles and turns per second."""
    latencies: list[float] = []
    errors: list[str] = []
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=concurrency + 5)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(resident(client, url, turns_each, latencies, errors) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "turns": len(latencies),
        "errors": len(errors),
        "turns_per_s": round(len(latencies) / elapsed, 2),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
    }


def main() -> None:
    """Start the stack, measure, write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=14, help="messages per resident")
    parser.add_argument("--levels", default="1,10,50")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    share_models(data_dir)
    stack = Stack(data_dir=data_dir)
    results: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(),
                    "mem_gb": round(__import__("os").sysconf("SC_PAGE_SIZE") * __import__("os").sysconf("SC_PHYS_PAGES") / 2**30, 1)},
    }
    cold: dict[str, float] = {}
    try:
        for name in ("hub", "actions", "rasa"):
            started = time.monotonic()
            stack.start(name)
            cold[f"{name}_s"] = round(time.monotonic() - started, 1)
        results["cold_start"] = cold
        url = f"{stack.rasa_url}/webhooks/rest/webhook"
        asyncio.run(load(url, 2, 3))  # warm-up
        rest: dict[str, object] = {}
        for level in (int(x) for x in args.levels.split(",")):
            rest[f"c{level}"] = asyncio.run(load(url, level, args.turns))
            print(f"REST c{level}: {rest[f'c{level}']}")
        results["rest"] = rest
        memory = {f"{name}_rss_mb": rss_mb(proc.pid) for name, proc in stack.procs.items()}
        memory["stack_rss_mb"] = round(sum(memory.values()), 1)
        results["memory"] = memory
    finally:
        stack.close()
    out = ROOT / "bench" / "results" / "system.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
