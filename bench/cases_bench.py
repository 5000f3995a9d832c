"""Case-creation benchmark: creates/s and latency percentiles of ``POST /api/cases`` on the real
hub (uvicorn, case part only), on SQLite and on a throwaway PostgreSQL server.

Writes ``bench/results/cases.json``. Run: ``python bench/cases_bench.py [--n 600 --concurrency 8]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

logger = logging.getLogger("cases_bench")

ROOT = Path(__file__).resolve().parents[1]

from bench.machine import machine_info  # noqa: E402

TOKEN = "bench-token"
CATEGORIES = ["leak", "garbage", "noise", "corridor_light", "elevator", "parking", "drain"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int) -> None:
    """Run the hub with only the case part (used in a subprocess)."""
    import uvicorn

    import core.hub
    from core.config import HubSettings

    core.hub.PARTS = ("cases.api",)
    app = core.hub.create_app(HubSettings())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _start_hub(db_url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "CASES_"))}
    env.update(
        LINLI_DATA_DIR=str(data_dir),
        LINLI_SERVICE_TOKEN=TOKEN,
        LINLI_CASES_DATABASE_URL=db_url,
        CASES_SWEEP_INTERVAL_S="0",
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.cases_bench", "--serve", str(port)], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "hub exited")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("hub did not start")


async def _drive(url: str, n: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    errors = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            body = {
                "type": "report",
                "category": CATEGORIES[i % len(CATEGORIES)],
                "location": {"building": str(i % 20 + 1), "unit": "1", "room": "101"},
                "description": f"基准测试第{i}件",
                "contact_phone": "13800000000",
                "sender_id": f"web:bench{i % 50}",
                "idempotency_key": f"bench-{i}",
            }
            start = time.perf_counter()
            response = await client.post(f"{url}/api/cases", json=body, headers=headers)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 201:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for i in range(20):  # warm-up (not measured)
            await client.post(f"{url}/api/cases", headers=headers,
                              json={"type": "report", "category": "other",
                                    "idempotency_key": f"warm-{i}"})  # fmt: skip
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "n": n,
        "concurrency": concurrency,
        "errors": errors,
        "seconds": round(elapsed, 2),
        "creates_per_s": round(n / elapsed, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
    }


def run_backend(name: str, n: int, concurrency: list[int]) -> dict[str, object]:
    """Benchmark one database backend at each concurrency level (fresh database each)."""
    return {f"concurrency_{c}": run_one(name, n, c) for c in concurrency}


def run_one(name: str, n: int, concurrency: int) -> dict[str, object]:
    """Benchmark one backend at one concurrency level."""
    tmp = Path(tempfile.mkdtemp(prefix=f"cases-bench-{name}-"))
    pg = None
    if name == "sqlite":
        db_url = f"sqlite:///{tmp / 'cases.db'}"
    else:
        from harness.pgserver import start_server

        pg = start_server()
        db_url = pg.create_database("bench")
    proc, url = _start_hub(db_url, tmp)
    try:
        result: dict[str, object] = dict(asyncio.run(_drive(url, n, concurrency)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if pg is not None:
            pg.stop()
    result["database"] = name
    logger.info("%s: %s", name, result)
    return result


def main() -> None:
    """Run the benchmark on SQLite and PostgreSQL and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--concurrency", default="1,8", help="comma-separated levels")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cases.json")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    results = {
        "benchmark": "POST /api/cases over HTTP (uvicorn, one worker), report cases with routing, "
        "duplicate check, SLA and events; client and server on the same machine",
        "machine": machine_info(with_rasa=False),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_at_start": os.getloadavg(),
        "results": {},
    }
    for backend in args.backends.split(","):
        try:
            levels = [int(c) for c in args.concurrency.split(",")]
            results["results"][backend] = run_backend(backend, args.n, levels)
        except (FileNotFoundError, RuntimeError) as exc:
            results["results"][backend] = {"skipped": str(exc)[:500]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
