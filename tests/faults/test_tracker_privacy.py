"""Privacy of Rasa's tracker store and the action server's queue, on the real stack.

* The masking tracker store (nlu/addons/masking_tracker_store.py, configured in
  nlu/endpoints.yml) keeps no raw phone number in stored messages, while the form still gets the
  full number: it survives a Rasa crash mid-form and reaches the stored case.
* The idle-conversation purge deletes exactly the conversations idle past the cutoff from a
  tracker database that real conversations produced.
* A deletion on request removes a submission still waiting in the action server's queue (hub
  down at 对): after the hub is back, it is never delivered.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from actions.pending import queue_path
from actions.resident_data import PendingSubmissionsData
from cases.db import make_engine, make_session_factory, session_scope
from cases.privacy import ResidentRequest, delete_resident
from conversations.tracker import purge_idle_conversations
from harness.stack import Stack, texts
from tests import heldout as h

pytestmark = pytest.mark.integration

PHONE = "13866661234"
ID_NO = "110101199003071234"


def sender() -> str:
    """A fresh resident for each conversation."""
    return f"web:{uuid.uuid4().hex[:12]}"


def stored_events(stack: Stack, who: str) -> list[tuple[str, dict]]:
    """(type, data) of every event Rasa stored for the sender."""
    with sqlite3.connect(f"file:{stack.data_dir / 'rasa_tracker.db'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (who,)
        ).fetchall()
    return [(kind, json.loads(data)) for kind, data in rows]


def stored_phone(stack: Stack, who: str) -> list[str | None]:
    """The full contact phone of the sender's cases, straight from the case database."""
    with sqlite3.connect(f"file:{stack.data_dir / 'cases.db'}?mode=ro", uri=True) as db:
        return [
            r[0] for r in db.execute("SELECT contact_phone FROM cases WHERE sender_id = ?", (who,))
        ]


def test_numbers_are_masked_in_the_tracker_store_but_the_form_keeps_them(
    fault_stack: Stack,
) -> None:
    who = sender()
    assert "什么问题" in texts(fault_stack.say(who, h.FAULT_REPORT_OPENING))
    assert "在哪里" in texts(fault_stack.say(who, h.ELEVATOR_WITH_ID_NO.format(id_no=ID_NO)))
    assert "急不急" in texts(fault_stack.say(who, h.FAULT_ELEVATOR_PLACE))
    assert "手机号" in texts(fault_stack.say(who, h.FAULT_NOT_URGENT))
    readback = texts(fault_stack.say(who, h.MY_PHONE_IS.format(phone=PHONE)))
    assert "对吗" in readback and "1234" in readback
    # Rasa crashes at the read-back: the form comes back from the (masked) store
    fault_stack.stop("rasa", sig=signal.SIGKILL)
    fault_stack.start("rasa")
    done = texts(fault_stack.say(who, h.FAULT_CONFIRM))
    assert "已受理" in done
    assert stored_phone(fault_stack, who) == [PHONE]

    events = stored_events(fault_stack, who)
    spoken = [data for kind, data in events if kind in ("user", "bot")]
    assert any(d.get("text") == h.MY_PHONE_IS.format(phone="138****1234") for d in spoken)
    assert any((d.get("text") or "").endswith("110101********4") for d in spoken)
    for data in spoken:
        assert PHONE not in json.dumps(data, ensure_ascii=False), data
        assert ID_NO not in json.dumps(data, ensure_ascii=False), data
    # slot events keep the values the form needs
    assert any(kind == "slot" and data.get("value") == PHONE for kind, data in events)


def _last_event(db_path: Path, who: str) -> float:
    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT MAX(timestamp) FROM events WHERE sender_id = ?", (who,))
        return float(row.fetchone()[0])


def test_idle_conversations_are_purged_from_a_real_tracker_store(fault_stack: Stack) -> None:
    early, late = sender(), sender()
    fault_stack.say(early, h.FAULT_REPORT_OPENING)
    fault_stack.say(early, h.BULB_BURNT_OUT)
    fault_stack.say(late, h.HELLO_ANYONE)
    live = fault_stack.data_dir / "rasa_tracker.db"
    early_at, late_at = _last_event(live, early), _last_event(live, late)
    assert early_at < late_at
    midway = datetime.fromtimestamp((early_at + late_at) / 2, UTC) + timedelta(hours=72)
    assert purge_idle_conversations(live, now=midway, idle_hours=0) is None  # kept forever
    deleted = purge_idle_conversations(live, now=midway, idle_hours=72)
    assert deleted and deleted > 0
    assert stored_events(fault_stack, early) == [] and stored_events(fault_stack, late)
    assert purge_idle_conversations(live, now=midway, idle_hours=72) == 0
    # Rasa (running all along) starts the purged resident afresh
    assert texts(fault_stack.say(early, h.HELLO_ANYONE))
    said = [d["text"] for kind, d in stored_events(fault_stack, early) if kind == "user"]
    assert said == [h.HELLO_ANYONE]


def test_deletion_on_request_removes_a_waiting_submission(fault_stack: Stack) -> None:
    who = sender()
    fault_stack.say(who, h.FAULT_REPORT_OPENING)
    fault_stack.say(who, h.FAULT_ELEVATOR)
    fault_stack.say(who, h.FAULT_ELEVATOR_PLACE)
    fault_stack.say(who, h.FAULT_NOT_URGENT)
    assert "对吗" in texts(fault_stack.say(who, "13866665678"))
    fault_stack.stop("hub", sig=signal.SIGKILL)
    try:
        assert "保存好了" in texts(fault_stack.say(who, h.FAULT_CONFIRM))
        engine = make_engine(f"sqlite:///{fault_stack.data_dir / 'cases.db'}")
        try:
            with session_scope(make_session_factory(engine)) as session:
                result = delete_resident(
                    session,
                    req=ResidentRequest(
                        phone="138-6666-5678",
                        sender_id=None,
                        actor="test",
                        pending=PendingSubmissionsData(queue_path(fault_stack.data_dir)),
                    ),
                    now=datetime.now(UTC),
                )
        finally:
            engine.dispose()
    finally:
        fault_stack.start("hub")
    assert result.cases == [] and result.pending_deleted == 1
    time.sleep(6)  # three retry periods of the action server (LINLI_PENDING_RETRY_S=2)
    assert stored_phone(fault_stack, who) == []
    assert fault_stack.procs["actions"].poll() is None
