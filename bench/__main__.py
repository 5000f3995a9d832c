"""Run every benchmark that is available and write bench/results/*.json + bench/REPORT.md.

``./linli bench`` (or ``python -m bench``) runs each benchmark script as its own process, so a
missing engine or a failure in one is recorded and the others still run. Each script writes
``bench/results/<name>.json``; the report is rebuilt from all of them (also from earlier runs of
benchmarks not selected this time). See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.report import write_report

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# name → script and its default arguments
BENCHES: dict[str, list[str]] = {
    "nlu": ["bench/nlu_bench.py"],
    "dialogue": ["bench/dialogue_bench.py"],
    "knowledge": ["bench/kb_bench.py"],
    "cases": ["bench/cases_bench.py"],
    "voice": ["bench/voice_bench.py", "--live"],
    "telegram": [
        "bench/telegram_bench.py",
        "--fake-backend",
        "--voice-turns",
        "0",
        "--out",
        "bench/results/telegram_fake_backend.json",
    ],
    "system": ["bench/system_bench.py"],
}
# benchmarks that parse through a Rasa server given by --rasa-url
# (a Rasa is started when none answers)
NEEDS_RASA = {"nlu"}


def rasa_answers(url: str) -> bool:
    """True when a Rasa server with the HTTP API answers at ``url``."""
    try:
        return httpx.get(f"{url}/version", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def rasa_server() -> Iterator[str]:
    """A Rasa URL: $LINLI_RASA_URL if it answers, else a Rasa of our own for the run."""
    url = os.environ.get("LINLI_RASA_URL", "http://127.0.0.1:5005")
    if rasa_answers(url):
        yield url
        return
    sys.path.insert(0, str(ROOT))
    from tests.stack import Stack, share_models

    data_dir = Path(tempfile.mkdtemp(prefix="linli-bench-rasa-"))
    share_models(data_dir)
    stack = Stack(data_dir=data_dir)
    logger.info("Starting a Rasa server for the NLU benchmark …")
    stack.start("rasa")
    try:
        yield stack.rasa_url
    finally:
        stack.close()


def run_one(name: str) -> dict[str, object]:
    """Run one benchmark script in its own process; what happened."""
    script, *extra = BENCHES[name]
    if not (ROOT / script).exists():
        return {"ran": False, "why": "script not present"}
    logger.info("== %s", name)
    started = time.monotonic()
    load = os.getloadavg()[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    when = datetime.now(UTC).isoformat(timespec="seconds")
    with contextlib.ExitStack() as stack:
        if name in NEEDS_RASA:
            extra = [*extra, "--rasa-url", stack.enter_context(rasa_server())]
        proc = subprocess.run(
            [sys.executable, str(ROOT / script), *extra], cwd=ROOT, env=env, check=False
        )
    return {
        "ran": True,
        "exit_code": proc.returncode,
        "seconds": round(time.monotonic() - started, 1),
        "when": when,
        "load_avg_start": round(load, 2),
    }


def main() -> None:
    """Run the selected (default: all) benchmarks, then rebuild the report."""
    parser = argparse.ArgumentParser(description="Linli benchmarks (see bench/README.md)")
    parser.add_argument("names", nargs="*", help=f"subset of: {', '.join(BENCHES)} (default: all)")
    parser.add_argument("--report-only", action="store_true", help="only rebuild bench/REPORT.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        parser.error(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}"
        )
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    runs_path = results / "_runs.json"
    status: dict[str, dict[str, object]] = (
        json.loads(runs_path.read_text()) if runs_path.exists() else {}
    )
    if not args.report_only:
        for name in args.names or list(BENCHES):
            status[name] = run_one(name)
            runs_path.write_text(json.dumps(status, indent=2, ensure_ascii=False))
    write_report(results, HERE / "REPORT.md")
    logger.info("Wrote %s", HERE / "REPORT.md")
    failed = [
        n
        for n in (args.names or list(BENCHES))
        if status.get(n, {}).get("exit_code") not in (0, None)
    ]
    if failed and not args.report_only:
        logger.warning("Failed: %s (see their output above)", ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
