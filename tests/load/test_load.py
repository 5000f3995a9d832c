"""Bounded load test: 50 concurrent residents for 5 minutes through Rasa's REST channel.

Every resident (its own sender id) completes report dialogues one after another against the real
stack (Rasa with the trained model, action server, hub) on loopback: it answers what the form
asks, confirms the read-back with 对 and notes the announced case number. Afterwards every
announced case must exist in the hub with the dialogue's fields, and the cases stored per sender
must equal the confirmations (nothing lost, nothing doubled). The figures (turns, turns/s,
latency percentiles, cases) go to ``tests/artifacts/load/load_test.json``; they are recorded,
not asserted.

``LINLI_LOAD_SECONDS`` / ``LINLI_LOAD_RESIDENTS`` shorten the run locally (defaults 300 / 50).
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid

import pytest

from harness.residents import (
    Tally,
    announced_problems,
    latency_summary,
    run_residents,
    stored_counts,
)
from harness.stack import ROOT, Stack
from tests import heldout

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DURATION_S = 300.0
RESIDENTS = 50
THINK_S = 0.5
"""Mean pause of a resident before answering (seconds)."""
ARTIFACT = ROOT / "tests" / "artifacts" / "load" / "load_test.json"


def _setting(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def test_fifty_residents_for_five_minutes_lose_and_double_nothing(live_stack: Stack) -> None:
    seconds = _setting("LINLI_LOAD_SECONDS", DURATION_S)
    residents = int(_setting("LINLI_LOAD_RESIDENTS", RESIDENTS))
    prefix = f"web:load-{uuid.uuid4().hex[:8]}"
    live_stack.say(f"{prefix}-warmup", heldout.LOAD_WARMUP)
    tally = Tally()
    wall_s = asyncio.run(
        run_residents(live_stack.rasa_url, prefix, residents, seconds, THINK_S, tally)
    )

    with live_stack.hub() as hub:
        problems = announced_problems(hub, tally)
    stored = stored_counts(live_stack.data_dir / "cases.db", prefix)
    stored.pop(f"{prefix}-warmup", None)
    confirmed = {s: n for s, n in tally.confirmations.items() if n}
    announced_per_sender: dict[str, int] = {}
    for a in tally.announced:
        announced_per_sender[a.sender] = announced_per_sender.get(a.sender, 0) + 1

    latencies = tally.latencies_s
    figures = {
        "residents": residents,
        "seconds_planned": seconds,
        "wall_s": round(wall_s, 1),
        "think_s_mean": THINK_S,
        "turns": tally.turns,
        "turns_per_s": round(tally.turns / wall_s, 2) if wall_s else None,
        "latency_s": latency_summary(latencies),
        "confirmations": sum(confirmed.values()),
        "cases_announced": len(tally.announced),
        "cases_stored": sum(stored.values()),
        "cases_per_min": round(len(tally.announced) / wall_s * 60, 1) if wall_s else None,
        "errors": tally.errors[:20],
        "error_count": len(tally.errors),
        "empty_replies": tally.empty_replies,
        "abandoned_at_end": tally.abandoned,
        "stuck": tally.stuck[:20],
        "field_problems": problems[:20],
        "load_avg_end": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")

    assert tally.errors == [], tally.errors[:10]
    assert tally.empty_replies == 0
    assert tally.stuck == [], tally.stuck[:10]
    assert tally.announced, "no dialogue completed"
    assert len({a.case_no for a in tally.announced}) == len(tally.announced)
    assert problems == [], problems[:10]
    assert announced_per_sender == confirmed
    mismatched = {
        s: (stored.get(s), confirmed.get(s))
        for s in set(stored) | set(confirmed)
        if stored.get(s) != confirmed.get(s)
    }
    assert mismatched == {}, "sender: (stored, confirmed)"
