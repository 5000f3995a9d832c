"""Poll benchmark: a 200-household poll with votes arriving concurrently from three channels
(Telegram, kiosk, web chat) at the real hub (uvicorn in its own process, case system +
deliberation parts), on SQLite and on a throwaway PostgreSQL server.

Each run uses a fresh database and a poll over buildings 1–10 of the demo register (200
households). Phase 1: every household votes once from its channel; 60 of them also vote from a
second channel at the same moment (a family member at the kiosk while another votes in Telegram,
the same choice). Phase 2: 40 households change their vote. The run checks that the poll counts
every household exactly once and that the tally equals the households' final choices.

Writes ``bench/results/deliberation.json`` (every run and the medians).
Run: ``.venv/bin/python -m bench.deliberation_bench [--runs 5 --concurrency 8 --no-postgres]``.
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
from typing import Any

import httpx

from bench.machine import machine_info

logger = logging.getLogger("deliberation_bench")

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "deliberation.json"
TOKEN = "bench-token"
CHANNELS = ("telegram", "kiosk", "web")
PREFIX = {"telegram": "tg", "kiosk": "kiosk", "web": "web"}
OPTIONS = ("同意", "不同意", "弃权")
BUILDINGS = [str(b) for b in range(1, 11)]
DOUBLE = 60
"""Households that also vote from a second channel at the same moment."""
CHANGE = 40
"""Households that change their vote in phase 2."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int) -> None:
    """Run the hub with the case and deliberation parts (in the subprocess)."""
    import uvicorn

    import core.hub
    from core.config import HubSettings

    core.hub.PARTS = ("cases.api", "deliberation.api")
    app = core.hub.create_app(HubSettings())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _start_hub(
    cases_url: str, delib_url: str, data_dir: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "CASES_", "DELIB_"))}
    env.update(
        LINLI_DATA_DIR=str(data_dir),
        LINLI_SERVICE_TOKEN=TOKEN,
        LINLI_CASES_DATABASE_URL=cases_url,
        DELIB_DATABASE_URL=delib_url,
        CASES_SWEEP_INTERVAL_S="0",
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.deliberation_bench", "--serve", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
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


def _households() -> list[tuple[str, str, str]]:
    rooms = [f"{floor}0{room}" for floor in range(1, 6) for room in (1, 2)]
    return [(b, str(u), r) for b in BUILDINGS for u in (1, 2) for r in rooms]


def _ballot(home: tuple[str, str, str], option: str, channel: str, who: int) -> dict[str, str]:
    from deliberation.households import demo_phone_tail

    building, unit, room = home
    return {
        "building": building, "unit": unit, "room": room, "option": option, "channel": channel,
        "phone_last4": demo_phone_tail(building, unit, room),
        "resident_key": f"{PREFIX[channel]}:{building}-{unit}-{room}-{who}",
        "relation": "本人" if who == 0 else "女儿",
    }  # fmt: skip


async def _drive(url: str, concurrency: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    homes = _households()
    async with httpx.AsyncClient(timeout=60, headers=headers) as admin:
        r = await admin.post(
            f"{url}/api/deliberation/polls",
            headers={"X-Staff-Name": "bench"},
            json={"question": "1–10号楼是否统一更换单元门禁", "scope": "building",
                  "scope_codes": BUILDINGS, "threshold": "ordinary"},
        )  # fmt: skip
        r.raise_for_status()
        poll = r.json()["number"]
        eligible = r.json()["eligible_households"]
    vote_url = f"{url}/api/deliberation/polls/{poll}/votes"
    final: dict[tuple[str, str, str], str] = {}
    phase1: dict[str, list[dict[str, str]]] = {c: [] for c in CHANNELS}
    for i, home in enumerate(homes):
        option = OPTIONS[i % 3]
        channel = CHANNELS[i % 3]
        final[home] = option
        phase1[channel].append(_ballot(home, option, channel, 0))
        if i < DOUBLE:  # the same household from another channel, same choice, same moment
            other = CHANNELS[(i + 1) % 3]
            phase1[other].append(_ballot(home, option, other, 1))
    phase2: dict[str, list[dict[str, str]]] = {c: [] for c in CHANNELS}
    for i, home in enumerate(homes[-CHANGE:]):
        option = OPTIONS[(OPTIONS.index(final[home]) + 1) % 3]
        final[home] = option
        channel = CHANNELS[i % 3]
        phase2[channel].append(_ballot(home, option, channel, 0))
    latencies: list[float] = []
    codes: dict[int, int] = {}
    replaced = 0

    async def channel_worker(
        client: httpx.AsyncClient, queue: asyncio.Queue[dict[str, str]]
    ) -> None:
        nonlocal replaced
        while True:
            try:
                body = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            start = time.perf_counter()
            response = await client.post(vote_url, json=body)
            latencies.append(time.perf_counter() - start)
            codes[response.status_code] = codes.get(response.status_code, 0) + 1
            if response.status_code == 200 and response.json()["replaced"]:
                replaced += 1

    async def phase(ballots: dict[str, list[dict[str, str]]]) -> float:
        clients = [httpx.AsyncClient(timeout=60, headers=headers) for _ in CHANNELS]
        queues = []
        for channel in CHANNELS:
            q: asyncio.Queue[dict[str, str]] = asyncio.Queue()
            for body in ballots[channel]:
                q.put_nowait(body)
            queues.append(q)
        started = time.perf_counter()
        await asyncio.gather(*(
            channel_worker(clients[k], queues[k]) for k in range(3) for _ in range(concurrency)
        ))  # fmt: skip
        elapsed = time.perf_counter() - started
        for client in clients:
            await client.aclose()
        return elapsed

    t1 = await phase(phase1)
    t2 = await phase(phase2)
    async with httpx.AsyncClient(timeout=60) as client:
        result = (await client.get(f"{url}/api/deliberation/polls/{poll}")).json()
    expected = [sum(1 for o in final.values() if o == option) for option in OPTIONS]
    sent = sum(len(v) for v in phase1.values()) + sum(len(v) for v in phase2.values())
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "households": len(homes),
        "eligible_households": eligible,
        "votes_sent": sent,
        "status_codes": {str(k): v for k, v in sorted(codes.items())},
        "errors": sent - codes.get(200, 0),
        "replaced": replaced,
        "counted_households": result["households"],
        "counted_votes": result["participants"],
        "tally": result["counts"],
        "expected_tally": expected,
        "exactly_once": result["households"] == len(homes) and result["counts"] == expected,
        "turnout": result["turnout"],
        "threshold_met": (result["threshold"] or {}).get("met"),
        "phase1_s": round(t1, 2),
        "phase2_s": round(t2, 2),
        "votes_per_s": round(sent / (t1 + t2), 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _one_run(backend: str, concurrency: int, pg: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="linli-delib-bench-") as tmp:
        data = Path(tmp)
        if backend == "sqlite":
            cases_url = f"sqlite:///{data / 'cases.db'}"
            delib_url = f"sqlite:///{data / 'deliberation.db'}"
            name = None
        else:
            name = f"delib_bench_{int(time.time() * 1000)}"
            cases_url = delib_url = pg.create_database(name)
        proc, url = _start_hub(cases_url, delib_url, data)
        try:
            return asyncio.run(_drive(url, concurrency))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            if name is not None:
                pg.drop_database(name)


MEDIAN_KEYS = ("votes_per_s", "p50_ms", "p95_ms", "max_ms", "phase1_s", "phase2_s")


def run_backend(backend: str, runs: int, concurrency: int, pg: Any = None) -> dict[str, Any]:
    """Several fresh runs on one backend; medians of the timed figures."""
    done = []
    for k in range(runs):
        result = _one_run(backend, concurrency, pg)
        logger.info("%s run %d: %s", backend, k + 1, result)
        done.append(result)
    return {
        "runs": done,
        "median": {key: statistics.median(r[key] for r in done) for key in MEDIAN_KEYS},
        "exactly_once_all_runs": all(r["exactly_once"] for r in done),
        "errors_all_runs": sum(r["errors"] for r in done),
    }


def main() -> None:
    """Run the poll benchmark and write ``bench/results/deliberation.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per channel")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    results: dict[str, Any] = {
        "benchmark": "deliberation",
        "setup": {
            "households": 200,
            "channels": list(CHANNELS),
            "double_votes": DOUBLE,
            "changed_votes": CHANGE,
            "concurrency_per_channel": args.concurrency,
            "runs": args.runs,
        },  # fmt: skip
        "machine": machine_info(with_rasa=False),
        "backends": {},
    }
    results["backends"]["sqlite"] = run_backend("sqlite", args.runs, args.concurrency)
    if not args.no_postgres:
        from harness.pgserver import find_bindir, start_server

        if find_bindir() is None:
            results["backends"]["postgres"] = {"skipped": "PostgreSQL binaries not installed"}
        else:
            pg = start_server()
            try:
                results["backends"]["postgres"] = run_backend(
                    "postgres", args.runs, args.concurrency, pg
                )
            finally:
                pg.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    logger.info("Wrote %s", args.out)


if __name__ == "__main__":
    main()
