"""Faults survived by the real stack: action server killed, Rasa killed, hub down, SQLite locked.

Every test talks to Rasa's REST webhook as a resident would, breaks one process in the middle of
the conversation and then checks what the resident was told and what the hub stored.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from harness.stack import Stack, texts
from tests import heldout as h

pytestmark = pytest.mark.integration


def sender() -> str:
    """A fresh resident for each conversation."""
    return f"web:{uuid.uuid4().hex[:12]}"


def cases_of(stack: Stack, who: str) -> list[dict]:
    """Every case the hub stored for this sender."""
    with stack.hub() as hub:
        r = hub.get("/api/cases", params={"sender_id": who, "limit": 50})
        r.raise_for_status()
        return r.json()


def wait_for_cases(stack: Stack, who: str, timeout_s: float = 45) -> list[dict]:
    """Poll until the sender has at least one case (or the timeout passes)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = cases_of(stack, who)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(1)


def start_elevator_report(stack: Stack, who: str) -> None:
    """First two turns of a step-by-step report (the form is waiting for the location)."""
    assert "什么问题" in texts(stack.say(who, h.FAULT_REPORT_OPENING))
    assert "在哪里" in texts(stack.say(who, h.FAULT_ELEVATOR))


def finish_elevator_report(stack: Stack, who: str) -> str:
    """The remaining turns up to the read-back (not yet confirmed); returns the read-back."""
    assert "急不急" in texts(stack.say(who, h.FAULT_ELEVATOR_PLACE))
    assert "手机号" in texts(stack.say(who, h.FAULT_NOT_URGENT))
    readback = texts(stack.say(who, h.FAULT_NO_PHONE))
    assert "电梯故障" in readback and "3号楼1单元" in readback and "对吗" in readback
    return readback


def assert_one_elevator_case(stack: Stack, who: str) -> dict:
    """Exactly one case, with what the resident said before and after the fault."""
    found = cases_of(stack, who)
    assert len(found) == 1, found
    case = found[0]
    assert case["category"] == "elevator"
    assert (case["location"]["building"], case["location"]["unit"]) == ("3", "1")
    assert h.FAULT_ELEVATOR_HAS in case["description"]
    return case


def test_action_server_killed_mid_form_and_restarted(fault_stack: Stack) -> None:
    who = sender()
    start_elevator_report(fault_stack, who)
    fault_stack.stop("actions", sig=signal.SIGKILL)
    fault_stack.start("actions")
    finish_elevator_report(fault_stack, who)
    done = texts(fault_stack.say(who, h.FAULT_CONFIRM))
    assert "已受理" in done
    case = assert_one_elevator_case(fault_stack, who)
    assert case["case_no"] in done.replace(" ", "") or case["case_no"][-4:] in done
    # a repeated confirmation after the form ended does not create a second case
    fault_stack.say(who, h.FAULT_CONFIRM)
    assert len(cases_of(fault_stack, who)) == 1


def test_hub_down_at_confirmation_is_told_truthfully_and_delivered_once(fault_stack: Stack) -> None:
    who = sender()
    start_elevator_report(fault_stack, who)
    finish_elevator_report(fault_stack, who)
    fault_stack.stop("hub", sig=signal.SIGKILL)
    try:
        reply = texts(fault_stack.say(who, h.FAULT_CONFIRM))
    finally:
        fault_stack.start("hub")
    assert "保存好了" in reply and "已受理" not in reply
    found = wait_for_cases(fault_stack, who)
    assert len(found) == 1, found
    time.sleep(5)  # two more retry periods: still exactly one
    assert_one_elevator_case(fault_stack, who)
    assert fault_stack.procs["actions"].poll() is None


def test_waiting_submission_survives_an_action_server_crash(fault_stack: Stack) -> None:
    """Hub down at 对, then the action server crashes before the hub is back: the durable queue
    survives and the restarted action server delivers the submission exactly once."""
    who = sender()
    start_elevator_report(fault_stack, who)
    finish_elevator_report(fault_stack, who)
    fault_stack.stop("hub", sig=signal.SIGKILL)
    try:
        reply = texts(fault_stack.say(who, h.FAULT_CONFIRM))
        fault_stack.stop("actions", sig=signal.SIGKILL)
    finally:
        fault_stack.start("hub")
    assert "保存好了" in reply
    fault_stack.start("actions")
    fault_stack.say(
        sender(), h.FAULT_REPORT_OPENING
    )  # any resident's next turn wakes the restarted server
    found = wait_for_cases(fault_stack, who)
    assert len(found) == 1, found
    time.sleep(5)
    assert_one_elevator_case(fault_stack, who)


@contextmanager
def write_lock_held(stack: Stack, seconds: float) -> Iterator[None]:
    """Another connection holds the case database's write lock for ``seconds`` (from a thread)."""
    locked = threading.Event()

    def hold() -> None:
        db = sqlite3.connect(stack.data_dir / "cases.db", timeout=30, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("CREATE TABLE IF NOT EXISTS zz_lock_probe (x INTEGER)")
            locked.set()
            time.sleep(seconds)
            db.execute("ROLLBACK")
        finally:
            db.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert locked.wait(30), "could not take the write lock"
    try:
        yield
    finally:
        holder.join()


def test_sqlite_locked_by_a_long_writer_at_confirmation(fault_stack: Stack) -> None:
    """Another connection holds the write lock for 12 s: longer than the action server's hub
    timeout (10 s), shorter than the hub's busy timeout (15 s). The resident gets either the case
    number or the truthful "saved" message, and exactly one case exists in the end."""
    who = sender()
    start_elevator_report(fault_stack, who)
    finish_elevator_report(fault_stack, who)
    with write_lock_held(fault_stack, 12):
        reply = texts(fault_stack.say(who, h.FAULT_CONFIRM, timeout_s=90))
    assert "已受理" in reply or "保存好了" in reply, reply
    found = wait_for_cases(fault_stack, who)
    assert len(found) == 1, found
    time.sleep(5)
    assert_one_elevator_case(fault_stack, who)


def test_sqlite_locked_direct_create_waits_for_the_writer(fault_stack: Stack) -> None:
    """A case create while another writer holds the lock for 3 s succeeds once it is released."""
    who = sender()
    body = {
        "type": "report",
        "category": "leak",
        "description": "楼上漏水",
        "location": {"building": "2"},
        "sender_id": who,
        "idempotency_key": f"{who}:lock",
    }
    with write_lock_held(fault_stack, 3), fault_stack.hub() as hub:
        r = hub.post("/api/cases", json=body)
    assert r.status_code == 201, r.text
    assert len(cases_of(fault_stack, who)) == 1


def test_sqlite_locked_past_the_busy_timeout_fails_cleanly_then_retry_stores_once(
    fault_stack: Stack,
) -> None:
    """Lock held past the hub's 15 s busy timeout: a clean 503 with a Chinese detail (never a bare
    500), and the same submission retried afterwards is stored exactly once."""
    who = sender()
    body = {
        "type": "report",
        "category": "leak",
        "description": "楼上漏水",
        "location": {"building": "2"},
        "sender_id": who,
        "idempotency_key": f"{who}:lock2",
    }
    with write_lock_held(fault_stack, 18), fault_stack.hub() as hub:
        r = hub.post("/api/cases", json=body)
    assert r.status_code == 503, r.text  # the lock outlasts the busy timeout: never a 201
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])
    assert cases_of(fault_stack, who) == []  # nothing half-stored
    with fault_stack.hub() as hub:
        again = hub.post("/api/cases", json=body)
    assert again.status_code == 201, again.text  # created now (200 would mean stored before)
    assert len(cases_of(fault_stack, who)) == 1


def test_rasa_killed_mid_conversation_keeps_the_form(fault_stack: Stack) -> None:
    """The SQL tracker store keeps the form state across a Rasa crash and restart."""
    who = sender()
    start_elevator_report(fault_stack, who)
    fault_stack.stop("rasa", sig=signal.SIGKILL)
    fault_stack.start("rasa")
    finish_elevator_report(fault_stack, who)
    assert "已受理" in texts(fault_stack.say(who, h.FAULT_CONFIRM))
    assert_one_elevator_case(fault_stack, who)
