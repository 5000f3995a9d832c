"""Dialogue benchmark: the scripted multi-turn conversations of bench/data/dialogues.yml against
the live stack (real Rasa + trained model, action server, hub), scored on the final outcome.

For each dialogue the runner talks to Rasa's REST webhook as a resident would, then compares what
the hub stored for that sender with ``expected`` (case type, category / service, location parts,
contact phone or declined, applicant, urgency; ``no_case`` / ``cancelled`` → nothing stored;
status replies must mention the case; ratings must be recorded on the case).

Two ways to play a dialogue:

* ``answers`` (preferred for plain form dialogues — kinds report, service, cancel): send the
  scripted turns until a form starts (usually only the first), then read the tracker's
  ``requested_slot`` (``GET
  /conversations/{sender}/tracker``) and answer from ``answers`` whatever the bot asks, in the order
  it asks. If the bot asks for a slot that has no scripted answer, the dialogue is replayed with a
  fresh sender in ``turns`` mode.
* ``turns``: the scripted turns in order (corrections, questions mid-form, emergencies, status,
  rating …); when they run out while a form is still asking, the form is finished from ``answers``.

Writes ``bench/results/dialogue.json``. Run: ``python -m bench dialogue`` (3–6 minutes).

Over 400 lines on purpose: the runner, its two playing modes and the outcome checks are one
job; its report section is ``bench/dialogue_report.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]

from bench.machine import machine_info  # noqa: E402
from harness.stack import Stack, share_models  # noqa: E402

logger = logging.getLogger(__name__)

DIALOGUES = ROOT / "bench" / "data" / "dialogues.yml"
OUT = ROOT / "bench" / "results" / "dialogue.json"
# The dialogues file says solved/partly/unsolved; the cases store resolved/partial/unresolved.
RATING_CODES = {
    "solved": "resolved",
    "partly": "partial",
    "unsolved": "unresolved",
    "resolved": "resolved",
    "partial": "partial",
    "unresolved": "unresolved",
}
ANSWER_KINDS = {"report", "service", "cancel"}
MAX_EXTRA_TURNS = 8
PREVIOUS = {
    "answers mode where possible": {
        "source": "bench/results/dialogue.json of 2026-11-21 (commit da8819e): 27 of the 35 "
        "dialogues replayed training sentences of nlu/data (38 of their 78 distinct texts of 4+ "
        "characters were, or contained, a training example), model of that day",
        "dialogues": 35,
        "passed": 34,
        "success_rate": 0.971,
        "turns_per_completed_report_mean": 4.75,
        "turn_latency_p50_ms": 82.1,
        "by_kind_rate": {
            "cancel": 1.0, "chit_chat": 1.0, "correction": 1.0, "emergency": 1.0,
            "handoff": 1.0, "question_mid_form": 1.0, "rating": 1.0, "report": 0.8,
            "service": 1.0, "status": 1.0,
        },
        "old_dialogues_today": {
            "dialogues": 35,
            "passed": 34,
            "success_rate": 0.971,
            "note": "The old dialogues (training sentences) on today's model, 2026-12-03 16:44 UTC "
            "(`--dialogues` with the file of commit 26d3a2f): 34/35, the same one failing "
            "(d34, a place said with fillers): the drop to that day's 31/35 came from the "
            "held-out sentences, not from a change of model (d34 itself passes since "
            "2026-12-04: a home said in passing is no address, so the place is asked). Turn "
            "latency is not comparable across these runs: the machine's load average was 4-9 "
            "(other work), and the old dialogues' p50 was 1222 ms in that run.",
        },
    },
    "scripted turns only": {
        "source": "bench/results/dialogue_turns_only.json of 2026-11-21 (commit 71580f8): the "
        "dialogues replayed training sentences of nlu/data, model of that day",
        "dialogues": 35,
        "passed": 35,
        "success_rate": 1.0,
        "turns_per_completed_report_mean": 4.94,
        "turn_latency_p50_ms": 180.9,
        "by_kind_rate": {
            "cancel": 1.0, "chit_chat": 1.0, "correction": 1.0, "emergency": 1.0,
            "handoff": 1.0, "question_mid_form": 1.0, "rating": 1.0, "report": 1.0,
            "service": 1.0, "status": 1.0,
        },
    },
}  # fmt: skip
"""Published figures of before issue 18 (training sentences), shown beside today's in the report."""
EXISTING_CASE = {
    "type": "report",
    "category": "corridor_light",
    "description": "5号楼2单元楼道灯坏了，有两个灯不亮",
    "location": {"building": "5", "unit": "2"},
    "urgency": "normal",
    "contact_declined": True,
    "channel": "web",
}


@dataclass
class Play:
    """What happened while playing one dialogue."""

    mode: str
    sender: str
    turns: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    stuck: str | None = None
    errors: list[str] = field(default_factory=list)


def mask(phone: str) -> str:
    """The hub's masked form of a phone number (138****5678)."""
    return f"{phone[:3]}****{phone[-4:]}"


def _label(case: dict) -> str:
    return f"{case['type']}/{case.get('category') or case.get('service_code')}"


def compare(
    expected: dict[str, Any],
    new_cases: list[dict],
    *,
    replies: str,
    existing: dict | None,
    rating: str | None,
    form_active: bool,
) -> list[str]:
    """Every difference between the expected outcome and what was stored / said (empty = pass)."""
    problems: list[str] = []
    outcome = expected.get("outcome", "case")
    if outcome in ("no_case", "cancelled"):
        if new_cases:
            problems.append(
                f"expected {outcome}, but {len(new_cases)} case(s) stored "
                f"({', '.join(_label(c) for c in new_cases)})"
            )
        if outcome == "cancelled" and form_active:
            problems.append("form still active after the cancel")
        if expected.get("mentions_case") and existing:
            if existing["case_no"] not in replies and existing["case_no"][-4:] not in replies:
                problems.append("status reply does not mention the case")
        if "rating" in expected:
            want = RATING_CODES[expected["rating"]]
            if rating != want:
                problems.append(f"rating {rating!r}, expected {want!r}")
        return problems
    if not new_cases:
        return [f"no case stored (expected {expected.get('type')})"]
    if len(new_cases) > 1:
        problems.append(f"{len(new_cases)} cases stored, expected 1")
    case = new_cases[0]  # newest first
    for key, field_name in (
        ("type", "type"),
        ("category", "category"),
        ("service_type", "service_code"),
        ("applicant", "applicant"),
        ("urgency", "urgency"),
    ):
        if key in expected and case.get(field_name) != expected[key]:
            problems.append(f"{key} {case.get(field_name)!r}, expected {expected[key]!r}")
    loc = case.get("location") or {}
    for part, want in (expected.get("location") or {}).items():
        got = loc.get(part)
        if part == "landmark":
            if not got or not (str(want) in got or got in str(want)):
                problems.append(f"landmark {got!r}, expected ⊇ {want!r}")
        elif str(got) != str(want):
            problems.append(f"location.{part} {got!r}, expected {want!r}")
    if "contact_phone" in expected and case.get("contact_masked") != mask(
        str(expected["contact_phone"])
    ):
        problems.append(
            f"contact {case.get('contact_masked')!r}, "
            f"expected {mask(str(expected['contact_phone']))!r}"
        )
    if expected.get("contact_declined") and not case.get("contact_declined"):
        problems.append("contact not recorded as declined")
    return problems


GUARDED_FORMS = frozenset({"report_form", "service_form"})
"""Forms whose answers must never raise an emergency without a real danger signal (issue 12)."""


def form_answer_emergencies(events: list[dict[str, Any]]) -> tuple[int, int]:
    """(answers said while a report or service form was running, of which raised an emergency).

    Walks the tracker's events in order: ``active_loop`` events say which form runs; a user
    message while one of ``GUARDED_FORMS`` runs is a form answer, and it raised an emergency when
    ``action_emergency`` ran before the next user message.
    """
    loop: str | None = None
    answers = raised = 0
    counting = False
    for event in events:
        kind = event.get("event")
        if kind == "active_loop":
            loop = event.get("name")
        elif kind == "user":
            counting = loop in GUARDED_FORMS
            answers += int(counting)
        elif kind == "action" and counting and event.get("name") == "action_emergency":
            raised += 1
            counting = False
    return answers, raised


class Runner:
    """Plays dialogues against one running stack."""

    def __init__(self, stack: Stack, prefer_answers: bool = True) -> None:
        self.stack = stack
        self.prefer_answers = prefer_answers
        self.http = httpx.Client(timeout=120)

    def say(self, play: Play, text: str) -> None:
        """One resident turn, timed."""
        started = time.perf_counter()
        try:
            r = self.http.post(
                f"{self.stack.rasa_url}/webhooks/rest/webhook",
                json={"sender": play.sender, "message": text},
            )
            r.raise_for_status()
            messages = r.json()
        except httpx.HTTPError as exc:
            play.errors.append(f"{exc.__class__.__name__} on {text!r}")
            messages = []
        play.latencies_ms.append((time.perf_counter() - started) * 1000)
        play.turns.append(text)
        play.replies.append("\n".join(m.get("text", "") for m in messages if m.get("text")))

    def tracker(self, sender: str) -> dict[str, Any]:
        """Rasa's tracker of ``sender`` (the API token is the stack's)."""
        # Rasa does not decode %3A in the path: keep the ':' of "web:…" literal
        r = self.http.get(
            f"{self.stack.rasa_url}/conversations/{quote(sender, safe=':')}/tracker",
            params={"token": self.stack.rasa_token},
        )
        r.raise_for_status()
        return r.json()

    def form_state(self, sender: str) -> tuple[str | None, str | None]:
        """(active form, requested slot) from Rasa's tracker."""
        tracker = self.tracker(sender)
        if tracker.get("sender_id") != sender:
            raise RuntimeError(f"tracker of {tracker.get('sender_id')!r}, asked for {sender!r}")
        loop = (tracker.get("active_loop") or {}).get("name")
        return loop, (tracker.get("slots") or {}).get("requested_slot") if loop else None

    def finish_from_answers(self, play: Play, answers: dict[str, Any]) -> None:
        """While a form asks for a slot, answer it from ``answers``."""
        asked: dict[str, int] = {}
        for _ in range(MAX_EXTRA_TURNS):
            loop, slot = self.form_state(play.sender)
            if not loop or not slot:
                return
            if slot not in answers:
                play.stuck = f"{loop} asked for {slot!r}, no scripted answer"
                return
            asked[slot] = asked.get(slot, 0) + 1
            if asked[slot] > 2:
                play.stuck = f"{loop} asked for {slot!r} three times"
                return
            self.say(play, str(answers[slot]))
        play.stuck = f"form still open after {MAX_EXTRA_TURNS} answered turns"

    def play(self, dialogue: dict[str, Any], sender: str, mode: str, subst: dict[str, str]) -> Play:
        """Play one dialogue in the given mode."""
        play = Play(mode=mode, sender=sender)
        turns = [str(t).format(**subst) if subst else str(t) for t in dialogue["turns"]]
        answers = dialogue.get("answers") or {}
        if mode == "answers":
            # scripted turns until a form starts asking (usually just the first), then answer it
            for text in turns:
                self.say(play, text)
                if self.form_state(play.sender)[0]:
                    break
            self.finish_from_answers(play, answers)
        else:
            for text in turns:
                self.say(play, text)
            if answers:
                self.finish_from_answers(play, answers)
        return play

    def create_existing(self, sender: str, resolved: bool) -> dict:
        """The resident's earlier report (status/rating dialogues); resolved if it is rated."""
        with self.stack.hub() as hub:
            r = hub.post("/api/cases", json={**EXISTING_CASE, "sender_id": sender})
            r.raise_for_status()
            case = r.json()
        if resolved:  # staff would resolve it; the benchmark sets the status directly
            with sqlite3.connect(self.stack.data_dir / "cases.db") as db:
                db.execute(
                    "UPDATE cases SET status = 'resolved' WHERE case_no = ?", (case["case_no"],)
                )
        return case

    def cases_of(self, sender: str) -> list[dict]:
        """Every case stored for the sender, newest first."""
        with self.stack.hub() as hub:
            r = hub.get("/api/cases", params={"sender_id": sender, "limit": 50})
            r.raise_for_status()
            return r.json()

    def rating_of(self, case_no: str) -> str | None:
        """The rating stored on a case."""
        with sqlite3.connect(self.stack.data_dir / "cases.db") as db:
            row = db.execute("SELECT rating FROM cases WHERE case_no = ?", (case_no,)).fetchone()
        return row[0] if row else None

    def run_one(self, dialogue: dict[str, Any]) -> dict[str, Any]:
        """Play and score one dialogue (with the turns fallback)."""
        expected = dialogue["expected"]
        use_answers = (
            self.prefer_answers
            and bool(dialogue.get("answers"))
            and dialogue.get("kind") in ANSWER_KINDS
        )
        modes = ["answers", "turns"] if use_answers else ["turns"]
        result: dict[str, Any] = {}
        fallback_reason = None
        for mode in modes:
            sender = f"web:bench-{dialogue['id'][:3]}-{uuid.uuid4().hex[:8]}"
            existing = None
            subst: dict[str, str] = {}
            if dialogue.get("needs") == "existing_case":
                existing = self.create_existing(sender, resolved="rating" in expected)
                subst = {"case_no": existing["case_no"], "case_tail": existing["case_no"][-4:]}
            play = self.play(dialogue, sender, mode, subst)
            if mode == "answers" and play.stuck and len(modes) > 1:
                fallback_reason = play.stuck
                continue
            new_cases = [
                c
                for c in self.cases_of(sender)
                if not existing or c["case_no"] != existing["case_no"]
            ]
            loop, _ = self.form_state(sender)
            form_answers, form_emergencies = form_answer_emergencies(
                self.tracker(sender).get("events") or []
            )
            problems = compare(
                expected,
                new_cases,
                replies="\n".join(play.replies),
                existing=existing,
                rating=self.rating_of(existing["case_no"]) if existing else None,
                form_active=bool(loop),
            )
            if play.stuck and expected.get("outcome", "case") == "case" and not new_cases:
                problems.append(play.stuck)
            problems += play.errors
            result = {
                "id": dialogue["id"],
                "kind": dialogue.get("kind"),
                "mode": mode,
                "fallback_reason": fallback_reason,
                "passed": not problems,
                "reason": "; ".join(problems) if problems else "",
                "outcome": expected.get("outcome", "case"),
                "case_created": bool(new_cases),
                "form_answers": form_answers,
                "form_answer_emergencies": form_emergencies,
                "turns": len(play.turns),
                "latencies_ms": [round(x, 1) for x in play.latencies_ms],
                "transcript": [
                    {"resident": t, "bot": b} for t, b in zip(play.turns, play.replies, strict=True)
                ],
                "stored": new_cases[0] if new_cases else None,
            }
            break  # scored: the turns mode is only a fallback for a stuck answers run
        return result


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall success, per kind, turns per completed report, per-turn latency."""
    latencies = sorted(x for r in results for x in r["latencies_ms"])
    by_kind: dict[str, dict[str, int]] = {}
    for r in results:
        k = by_kind.setdefault(r["kind"], {"n": 0, "passed": 0})
        k["n"] += 1
        k["passed"] += int(r["passed"])
    completed = [
        r["turns"]
        for r in results
        if r["passed"]
        and r["outcome"] == "case"
        and (r.get("stored") or {}).get("type") in ("report", "service")
    ]
    # an emergency said inside a form by an emergency dialogue is right, not false
    guarded = [r for r in results if r.get("kind") != "emergency"]
    form_answers = sum(r.get("form_answers", 0) for r in guarded)
    false_emergencies = sum(r.get("form_answer_emergencies", 0) for r in guarded)
    return {
        "dialogues": len(results),
        "passed": sum(r["passed"] for r in results),
        "form_answers": form_answers,
        "form_answer_false_emergencies": false_emergencies,
        "form_answer_false_emergency_rate": round(false_emergencies / form_answers, 4)
        if form_answers
        else None,
        "success_rate": round(sum(r["passed"] for r in results) / len(results), 3)
        if results
        else None,
        "by_kind": {
            k: {**v, "rate": round(v["passed"] / v["n"], 3)} for k, v in sorted(by_kind.items())
        },
        "turns_per_completed_report": {
            "n": len(completed),
            "mean": round(statistics.mean(completed), 2) if completed else None,
            "median": statistics.median(completed) if completed else None,
        },
        "answers_mode": sum(r["mode"] == "answers" for r in results),
        "turns_mode": sum(r["mode"] == "turns" for r in results),
        "turn_latency_ms": {
            "n": len(latencies),
            "p50": round(statistics.median(latencies), 1) if latencies else None,
            "p95": round(latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))], 1)
            if latencies
            else None,
            "max": round(latencies[-1], 1) if latencies else None,
        },
    }


def main() -> None:
    """Start a stack, play every dialogue, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="dialogue ids (prefixes) to run")
    parser.add_argument(
        "--dialogues",
        type=Path,
        default=DIALOGUES,
        help="another dialogues file of the same format (e.g. an earlier version, to compare)",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--turns-only",
        action="store_true",
        help="play every dialogue's scripted turns (no answers mode); e.g. --out "
        "bench/results/dialogue_turns_only.json",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    dialogues = yaml.safe_load(args.dialogues.read_text(encoding="utf-8"))
    if args.only:
        dialogues = [d for d in dialogues if any(d["id"].startswith(p) for p in args.only)]
    machine = machine_info()
    data_dir = Path(tempfile.mkdtemp(prefix="linli-dlg-bench-"))
    share_models(data_dir)
    stack = Stack(data_dir=data_dir)
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        stack.start_all()
        runner = Runner(stack, prefer_answers=not args.turns_only)
        runner.play({"turns": ["你好"]}, "web:bench-warmup", "turns", {})
        for d in dialogues:
            try:
                r = runner.run_one(d)
            except httpx.HTTPError as exc:
                r = {
                    "id": d["id"],
                    "kind": d.get("kind"),
                    "mode": "error",
                    "passed": False,
                    "reason": f"{exc.__class__.__name__}: {exc}",
                    "outcome": d["expected"].get("outcome", "case"),
                    "turns": 0,
                    "latencies_ms": [],
                    "transcript": [],
                    "stored": None,
                }
            logger.info("%-36s %s %s", d["id"], "PASS" if r["passed"] else "FAIL", r["reason"])
            results.append(r)
    finally:
        stack.close()
    machine["load_avg_end"] = [round(x, 2) for x in __import__("os").getloadavg()]
    play = "scripted turns only" if args.turns_only else "answers mode where possible"
    out = {
        "play": play,
        "dialogues_file": str(args.dialogues.resolve().relative_to(ROOT))
        if args.dialogues.resolve().is_relative_to(ROOT)
        else str(args.dialogues),
        "machine": machine,
        "seconds": round(time.monotonic() - started, 1),
        "summary": summarise(results),
        "dialogues": results,
    }
    if args.dialogues.resolve() == DIALOGUES and not args.only:
        out["previous"] = PREVIOUS[play]
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    logger.info(
        "success %s/%s → %s", out["summary"]["passed"], out["summary"]["dialogues"], args.out
    )


if __name__ == "__main__":
    main()
