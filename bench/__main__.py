"""Run every benchmark that is available and write bench/results/*.json + bench/REPORT.md.

``./linli bench`` (or ``python -m bench``) runs each benchmark script as its own process, so a
missing engine or a failure in one is recorded and the others still run. Each script writes
``bench/results/<name>.json``; the report is rebuilt from all of them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.report import write_report

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

BENCHES: dict[str, list[str]] = {
    "nlu": ["bench/nlu_bench.py"],
    "dialogue": ["bench/dialogue_bench.py"],
    "knowledge": ["bench/kb_bench.py"],
    "cases": ["bench/cases_bench.py"],
    "voice": ["bench/voice_bench.py"],
    "telegram": ["bench/telegram_bench.py"],
    "system": ["bench/system_bench.py"],
}


def main() -> None:
    """Run the selected (default: all) benchmarks, then rebuild the report."""
    parser = argparse.ArgumentParser(description="Linli benchmarks")
    parser.add_argument("names", nargs="*", help=f"subset of: {', '.join(BENCHES)}")
    parser.add_argument("--report-only", action="store_true", help="only rebuild bench/REPORT.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    status: dict[str, dict[str, object]] = {}
    if not args.report_only:
        for name in args.names or list(BENCHES):
            script = ROOT / BENCHES[name][0]
            if not script.exists():
                status[name] = {"ran": False, "why": "script not present"}
                continue
            logger.info("== %s", name)
            started = time.monotonic()
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            proc = subprocess.run([sys.executable, str(script), *BENCHES[name][1:]], cwd=ROOT, env=env)
            status[name] = {"ran": True, "exit_code": proc.returncode,
                            "seconds": round(time.monotonic() - started, 1)}
        (HERE / "results").mkdir(exist_ok=True)
        (HERE / "results" / "_runs.json").write_text(json.dumps(status, indent=2, ensure_ascii=False))
    write_report(HERE / "results", HERE / "REPORT.md")
    logger.info("Wrote %s", HERE / "REPORT.md")


if __name__ == "__main__":
    main()
