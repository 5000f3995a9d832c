"""Simulated residents for the load test and the soak benchmark.

Each resident talks to Rasa's REST channel with its own sender id and completes report dialogues
one after another: it answers whatever the form asks (the ``custom: {"expect": …}`` message that
comes with each question) with held-out words (``LOAD_*`` below), confirms the read-back and
records the case number the bot announced (the ``custom: {"case_no": …}`` message). Every turn
is timed; HTTP errors, timeouts, empty replies and dialogues that went somewhere unexpected are
recorded, not raised.
"""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CASE_NO = re.compile(r"[A-Z]{2}-\d{8}-\d{4}")
MAX_TURNS = 10
"""A dialogue that has not reached its confirmation after this many turns is stuck."""


@dataclass(frozen=True)
class Script:
    """One kind of report and what is expected in the stored case."""

    opening: str
    """First message; it either starts the form or already says everything."""
    answers: dict[str, str]
    """Answer per ``expect`` kind (description, category, location, urgency, phone)."""
    category: str
    building: str
    unit: str
    urgency: str
    description_has: str


def _script(words: dict[str, str], **expected: str) -> Script:
    answers = {k: v for k, v in words.items() if k != "opening"}
    return Script(opening=words["opening"], answers=answers, **expected)


# ----- what the residents say: held out from the NLU training data like every word of
# tests/heldout.py, which imports these so that tests/unit/test_heldout_overlap.py checks them.
# They live here because the soak benchmark says them too (bench never imports tests).
LOAD_CONFIRM = "嗯，对的"
LOAD_ELEVATOR = {
    "opening": "您好，我想反映个情况",
    "description": "电梯出毛病了，门老是关不严",
    "category": "是电梯的毛病",
    "location": "就在3号楼1单元",
    "urgency": "不着急，你们有空再来就行",
}
LOAD_ELEVATOR_DESCRIPTION_HAS = "关不严"
LOAD_CORRIDOR_LIGHT = {
    "opening": (  # the one-shot report of tests/heldout.py (ONE_SHOT_REPORT)
        "您好，我们5号楼2单元楼道的灯全都不亮了，晚上上楼黑灯瞎火的，麻烦尽快，手机{phone}"
    ),
    "description": "楼道的灯全都不亮了",
    "category": "楼道照明的问题",
    "location": "5号楼2单元那里",
    "urgency": "比较急，麻烦快点",
}
LOAD_CORRIDOR_LIGHT_DESCRIPTION_HAS = "都不亮了"

SCRIPTS = (
    _script(
        LOAD_ELEVATOR,
        category="elevator",
        building="3",
        unit="1",
        urgency="normal",
        description_has=LOAD_ELEVATOR_DESCRIPTION_HAS,
    ),
    _script(
        LOAD_CORRIDOR_LIGHT,
        category="corridor_light",
        building="5",
        unit="2",
        urgency="urgent",
        description_has=LOAD_CORRIDOR_LIGHT_DESCRIPTION_HAS,
    ),
)
"""One script per kind of report the residents make."""
CONFIRM = LOAD_CONFIRM
"""The answer to the read-back."""


@dataclass
class Announced:
    """A case number the bot told a resident, and what the case must contain."""

    case_no: str
    sender: str
    script: int
    phone: str


@dataclass
class Tally:
    """Everything the residents measured (shared by all of them; asyncio, one thread)."""

    turns: int = 0
    latencies_s: list[float] = field(default_factory=list)
    turn_times: list[float] = field(default_factory=list)
    """Monotonic end time of each turn (for per-minute figures)."""
    errors: list[str] = field(default_factory=list)
    error_times: list[float] = field(default_factory=list)
    empty_replies: int = 0
    abandoned: int = 0
    """Dialogues left unfinished (before the yes) because the time was up."""
    stuck: list[str] = field(default_factory=list)
    confirmations: dict[str, int] = field(default_factory=dict)
    """Per sender: how many times the resident confirmed a read-back."""
    announced: list[Announced] = field(default_factory=list)


class Resident:
    """One simulated resident with its own sender id and phone number."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        rasa_url: str,
        sender: str,
        phone: str,
        seed: int,
        think_s: float,
        tally: Tally,
    ) -> None:
        self.client = client
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender
        self.phone = phone
        self.rng = random.Random(seed)
        self.think_s = think_s
        self.tally = tally
        self.until = float("inf")

    async def say(self, text: str) -> list[dict] | None:
        """One turn; None when it failed (recorded in the tally)."""
        started = time.monotonic()
        try:
            r = await self.client.post(self.url, json={"sender": self.sender, "message": text})
            r.raise_for_status()
            messages = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            self.tally.errors.append(f"{self.sender}: {exc.__class__.__name__} on {text!r}")
            self.tally.error_times.append(time.monotonic())
            return None
        finally:
            ended = time.monotonic()
            self.tally.turns += 1
            self.tally.latencies_s.append(ended - started)
            self.tally.turn_times.append(ended)
        if not messages:
            self.tally.empty_replies += 1
        return messages

    async def think(self) -> None:
        """A short random pause, as a person takes before answering."""
        if self.think_s > 0:
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.think_s)

    async def dialogue(self, script_index: int) -> None:
        """One report from the opening to the announced case number (or a recorded failure)."""
        script = SCRIPTS[script_index]
        text = script.opening.format(phone=self.phone)
        for _ in range(MAX_TURNS):
            if text != CONFIRM and time.monotonic() >= self.until:
                self.tally.abandoned += 1  # time is up; a confirmation in flight is finished
                return
            messages = await self.say(text)
            if messages is None:
                return
            if not messages:
                self.tally.stuck.append(f"{self.sender}: no reply to {text!r}")
                return
            customs = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
            said = "\n".join(m.get("text") or "" for m in messages)
            case_nos = [c["case_no"] for c in customs if c.get("case_no")]
            if text == CONFIRM:
                if case_nos and CASE_NO.fullmatch(case_nos[0]):
                    self.tally.announced.append(
                        Announced(case_nos[0], self.sender, script_index, self.phone)
                    )
                else:
                    self.tally.stuck.append(f"{self.sender}: no case number after yes: {said!r}")
                return
            expects = [c["expect"] for c in customs if c.get("expect")]
            await self.think()
            kind = expects[-1] if expects else None
            if "对吗" in said and kind in (None, "yes_no"):
                text = CONFIRM
                self.tally.confirmations[self.sender] = (
                    self.tally.confirmations.get(self.sender, 0) + 1
                )
            elif kind is not None:
                answer = self.phone if kind == "phone" else script.answers.get(kind)
                if answer is None:
                    self.tally.stuck.append(f"{self.sender}: unexpected {kind!r}: {said!r}")
                    return
                text = answer
            else:
                self.tally.stuck.append(f"{self.sender}: no question, no read-back: {said!r}")
                return
        self.tally.stuck.append(f"{self.sender}: no confirmation after {MAX_TURNS} turns")

    async def run(self, until: float) -> None:
        """Complete dialogues until the monotonic deadline (then stop before the next turn,
        unless it is the confirmation)."""
        self.until = until
        n = 0
        while time.monotonic() < until:
            await self.dialogue((n + self.rng.randrange(2)) % len(SCRIPTS))
            n += 1
            await self.think()


def phone_of(index: int) -> str:
    """A distinct, valid-looking mobile number per resident."""
    return f"139{index:08d}"


async def run_residents(
    rasa_url: str,
    prefix: str,
    residents: int,
    seconds: float,
    think_s: float,
    tally: Tally,
    timeout_s: float = 60.0,
) -> float:
    """Run the residents concurrently for ``seconds``; returns the wall time taken."""
    limits = httpx.Limits(max_connections=residents + 5, max_keepalive_connections=residents + 5)
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=timeout_s, limits=limits) as client:
        crowd = [
            Resident(
                client,
                rasa_url,
                f"{prefix}-{i:03d}",
                phone_of(i),
                seed=i,
                think_s=think_s,
                tally=tally,
            )
            for i in range(residents)
        ]
        until = started + seconds
        await asyncio.gather(*(r.run(until) for r in crowd))
    return time.monotonic() - started


def stored_counts(cases_db: Path, prefix: str) -> dict[str, int]:
    """Cases stored per sender id starting with ``prefix`` (read-only look at the hub's SQLite)."""
    with sqlite3.connect(f"file:{cases_db}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute(
            "SELECT sender_id, COUNT(*) FROM cases WHERE sender_id LIKE ? GROUP BY sender_id",
            (prefix.replace("%", "") + "%",),
        ).fetchall()
    return {sender: count for sender, count in rows}


def check_case(case: dict, expected: Announced) -> list[str]:
    """Differences between a stored case (the hub's CasePublic) and what the dialogue said."""
    script = SCRIPTS[expected.script]
    location = case.get("location") or {}
    problems = []
    wanted = {
        "type": "report",
        "category": script.category,
        "urgency": script.urgency,
        "channel": "web",
        "contact_masked": f"{expected.phone[:3]}****{expected.phone[-4:]}",
        "building": script.building,
        "unit": script.unit,
    }
    got = {
        "type": case.get("type"),
        "category": case.get("category"),
        "urgency": case.get("urgency"),
        "channel": case.get("channel"),
        "contact_masked": case.get("contact_masked"),
        "building": location.get("building"),
        "unit": location.get("unit"),
    }
    for key, want in wanted.items():
        if got[key] != want:
            problems.append(f"{expected.case_no}: {key} {got[key]!r}, expected {want!r}")
    if script.description_has not in (case.get("description") or ""):
        problems.append(f"{expected.case_no}: description {case.get('description')!r}")
    return problems


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) of the values, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency_summary(latencies: list[float]) -> dict[str, float | None]:
    """p50/p95/max/mean of turn latencies in seconds."""
    return {
        "p50": round(percentile(latencies, 50) or 0, 3),
        "p95": round(percentile(latencies, 95) or 0, 3),
        "max": round(max(latencies, default=0), 3),
        "mean": round(statistics.fmean(latencies), 3) if latencies else None,
    }


def announced_problems(hub: httpx.Client, tally: Tally) -> list[str]:
    """Every announced case looked up in the hub: what is missing or wrong."""
    problems: list[str] = []
    for announced in tally.announced:
        r = hub.get(f"/api/cases/{announced.case_no}")
        if r.status_code != 200:
            problems.append(f"{announced.case_no}: hub answered {r.status_code}")
            continue
        problems.extend(check_case(r.json(), announced))
    return problems
