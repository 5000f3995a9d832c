"""Routing benchmark: the flow a resident's first message starts, Rasa vs the keyword baseline.

For every message of the authored held-out set (``bench/data/nlu_eval.yml``) and of the real
message-board dev and test sets (``bench/data/real/``, rebuilt locally, never committed), Rasa
gets the message through its REST channel from a fresh sender; the tracker
(``GET /conversations/{sender}/tracker?token=…``) then tells the intent and the flow that ran:
a form that became active (report / service), or the action (action_answer_question → consult,
action_case_status → status, action_emergency, utter_ask_what / clarify, utter_default …). The
keyword baseline (``bench/baseline_rules.py``) is scored in the same run, its intent put through
the same rules. Reported per set: intent accuracy, first-turn routing accuracy, report-vs-consult
balanced accuracy (intent and flow), false-emergency rate, clarify and fallback rates.

Usage (from the repository root; ``./linli bench routing`` does the same)::

    .venv/bin/python -m bench.routing_bench               # own Rasa + action server
    .venv/bin/python -m bench.routing_bench --rasa-url URL  # a running stack
    .venv/bin/python -m bench.routing_bench --sets authored real_dev --limit 50

The real set is read from ``$LINLI_BENCH_DATA_DIR/real_nlu`` (default ``var/bench-data``) and
built there from the local cache or repository snapshots when missing; when it cannot be built
the run says so and scores the authored set only. Writes ``bench/results/routing.json``: scores
and, for the authored and real dev sets, the misrouted items (real items by id only: their
texts are not ours to publish); the real test set only gets its scores.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench.baseline_rules import KeywordClassifier
from bench.data.real import build_real_nlu as real_data
from bench.machine import machine_info
from bench.routing import (
    Item,
    Outcome,
    baseline_flow,
    expected_flows,
    flow_from_tracker,
    load_authored,
    load_inform_parsers,
    load_real,
    score,
)

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bench/results/routing.json"
SETS = ("authored", "real_dev", "real_test")
ITEM_ROWS = ("authored", "real_dev")  # sets whose misrouted items are listed


class RasaTurns:
    """Sends one first message per fresh sender and reads the tracker back."""

    def __init__(self, url: str, token: str | None, run_id: str, transport: Any = None) -> None:
        """Create the HTTP client (``transport``: an ``httpx`` transport for tests)."""
        self._url = url.rstrip("/")
        self._params = {"token": token} if token else {}
        self._run = run_id
        self._client = httpx.Client(timeout=120, transport=transport)
        self._n = 0

    def version(self) -> dict[str, Any]:
        """Rasa's version and model file, best effort."""
        info: dict[str, Any] = {"url": self._url}
        for path in ("/version", "/status"):
            try:
                r = self._client.get(self._url + path, params=self._params)
                if r.status_code == 200:
                    body = r.json()
                    info.update({k: body[k] for k in ("version", "model_file") if k in body})
            except httpx.HTTPError as exc:
                logger.warning("could not read %s: %s", path, exc)
        return info

    def first_turn(self, text: str) -> Outcome:
        """Say ``text`` as a new resident; the intent and the flow that ran."""
        self._n += 1
        sender = f"bench-route-{self._run}-{self._n}"
        started = time.perf_counter()
        try:
            r = self._client.post(
                f"{self._url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            )
            r.raise_for_status()
            elapsed = (time.perf_counter() - started) * 1000
            t = self._client.get(
                f"{self._url}/conversations/{quote(sender, safe='')}/tracker", params=self._params
            )
            t.raise_for_status()
            tracker = t.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("turn failed (%s): %s", type(exc).__name__, exc)
            return Outcome(intent="error", flow="error")
        if tracker.get("sender_id") not in (None, sender):
            raise RuntimeError(f"tracker of {tracker.get('sender_id')!r}, asked for {sender!r}")
        outcome = flow_from_tracker(tracker)
        outcome.latency_ms = elapsed
        return outcome

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


@contextmanager
def own_stack() -> Iterator[tuple[str, str]]:
    """Rasa and the action server of our own (no hub: routing needs none); (url, token)."""
    from harness.stack import Stack, share_models

    data_dir = Path(tempfile.mkdtemp(prefix="linli-route-bench-"))
    share_models(data_dir)
    stack = Stack(data_dir=data_dir)
    try:
        logger.info("starting the action server and Rasa …")
        stack.start("actions")
        stack.start("rasa")
        yield stack.rasa_url, stack.rasa_token
    finally:
        stack.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def run_set(
    items: Sequence[Item],
    rasa: RasaTurns | None,
    baseline: KeywordClassifier,
    parsers: Any,
) -> tuple[list[Outcome] | None, list[Outcome]]:
    """Rasa's and the baseline's outcome for every item of one set."""
    base = []
    for item in items:
        intent = baseline(item.text)
        base.append(Outcome(intent=intent, flow=baseline_flow(intent, item.text, parsers)))
    if rasa is None:
        return None, base
    outcomes = []
    for n, item in enumerate(items, 1):
        outcomes.append(rasa.first_turn(item.text))
        if n % 100 == 0:
            logger.info("  %s: %d/%d", items[0].set, n, len(items))
    return outcomes, base


def item_rows(
    items: Sequence[Item], rasa: Sequence[Outcome] | None, base: Sequence[Outcome]
) -> list[dict[str, Any]]:
    """The items Rasa or the baseline routed wrong (real items without their text)."""
    rows = []
    for k, item in enumerate(items):
        expected = expected_flows(item, lenient=True)
        r = rasa[k] if rasa is not None else None
        b = base[k]
        wrong_r = r is not None and expected is not None and r.flow not in expected
        wrong_b = expected is not None and b.flow not in expected
        if not (wrong_r or wrong_b):
            continue
        row: dict[str, Any] = {"id": item.id, "gold": item.gold}
        if item.alt:
            row["alt"] = item.alt
        if not item.real:
            row["text"] = item.text
        if r is not None:
            row.update(rasa_intent=r.intent, rasa_flow=r.flow, rasa_confidence=r.confidence)
        row.update(baseline_intent=b.intent, baseline_flow=b.flow)
        rows.append(row)
    return rows


def run(
    *,
    sets: Sequence[str],
    out_path: Path,
    rasa_url: str | None,
    rasa_token: str | None,
    data_dir: Path,
    build_real: bool = True,
    limit: int | None = None,
) -> dict[str, Any]:
    """Score every selected set and write the results JSON."""
    chosen: dict[str, list[Item]] = {}
    report: dict[str, Any] = {"name": "routing", "machine": machine_info()}
    if "authored" in sets:
        chosen["authored"] = load_authored()
    if any(s.startswith("real") for s in sets):
        real, status = load_real(data_dir, build=build_real)
        report["real_data"] = status
        if status["status"] != "ok":
            logger.warning(
                "REAL SET ABSENT, skipped: %s. Build it with: %s", status["why"], status["how"]
            )
        for name in sets:
            if name.startswith("real") and real.get(name):
                chosen[name] = real[name]
    if limit:
        chosen = {k: v[:limit] for k, v in chosen.items()}
    baseline = KeywordClassifier()
    parsers = load_inform_parsers()
    started = time.monotonic()
    results: dict[str, Any] = {}
    items_out: dict[str, Any] = {}
    rasa = RasaTurns(rasa_url, rasa_token, uuid.uuid4().hex[:8]) if rasa_url else None
    try:
        if rasa is not None:
            report["rasa"] = rasa.version()
            rasa.first_turn("你好")  # warm-up
        for name, items in chosen.items():
            logger.info("%s: %d messages", name, len(items))
            r, b = run_set(items, rasa, baseline, parsers)
            results[name] = {
                "n": len(items),
                "baseline_rules": score(items, b),
                **({"rasa": score(items, r)} if r is not None else {}),
            }
            if name in ITEM_ROWS:
                items_out[name] = item_rows(items, r, b)
    finally:
        if rasa is not None:
            rasa.close()
    for name in sets:
        results.setdefault(name, {"skipped": "real set absent (see real_data)"})
    if rasa is None:
        report["rasa"] = {"skipped": "baseline only (--no-rasa)"}
    report["sets"] = results
    report["seconds"] = round(time.monotonic() - started, 1)
    report["definitions"] = {
        "routing_accuracy": "share of scored first messages whose started flow is right",
        "report_vs_consult": "mean of report recall and consult recall (NLU intent family)",
        "routing_report_vs_consult": "the same on the flow actually started",
        "false_emergency_rate": "share of non-emergency messages whose first turn ran "
        "action_emergency",
    }
    report["items"] = items_out
    machine = report["machine"]
    if isinstance(machine, dict):
        machine["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return report


def summary_lines(report: dict[str, Any]) -> list[str]:
    """A short plain-text table for the terminal."""
    lines = []
    keys = (
        ("intent_accuracy", "intent acc"),
        ("routing_accuracy", "routing acc"),
        ("routing_report_vs_consult.bacc", "route R/C bacc"),
        ("false_emergency_rate", "false emerg."),
    )
    for name, data in report["sets"].items():
        if "skipped" in data:
            lines.append(f"{name}: skipped ({data['skipped']})")
            continue
        lines.append(f"{name} (n={data['n']})")
        for system in ("rasa", "baseline_rules"):
            scores = data.get(system)
            if not scores:
                continue
            cells = []
            for key, label in keys:
                value: Any = scores
                for part in key.split("."):
                    value = value.get(part) if isinstance(value, dict) else None
                cells.append(f"{label} {value:.3f}" if isinstance(value, float) else f"{label} —")
            lines.append(f"  {system:15s} " + "  ".join(cells))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rasa-url",
        help="a running Rasa with its action server (default: start our own)",
    )
    parser.add_argument(
        "--rasa-token",
        default=os.environ.get("LINLI_RASA_TOKEN"),
        help="token of Rasa's HTTP API (default $LINLI_RASA_TOKEN)",
    )
    parser.add_argument("--no-rasa", action="store_true", help="only the keyword baseline")
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--limit", type=int, help="only the first N messages of each set")
    parser.add_argument("--data-dir", type=Path, default=real_data.data_dir())
    parser.add_argument("--no-build", action="store_true", help="do not build a missing real set")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    common = {
        "sets": args.sets,
        "out_path": args.out,
        "data_dir": args.data_dir,
        "build_real": not args.no_build,
        "limit": args.limit,
    }
    if args.no_rasa:
        report = run(rasa_url=None, rasa_token=None, **common)
    elif args.rasa_url:
        report = run(rasa_url=args.rasa_url, rasa_token=args.rasa_token, **common)
    else:
        with own_stack() as (url, token):
            report = run(rasa_url=url, rasa_token=token, **common)
    sys.stdout.write("\n".join(summary_lines(report)) + f"\nwritten: {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
