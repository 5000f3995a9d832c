"""Replies and hand-off descriptions use people's words and local time (issue 14 items 4 and 7)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.status import describe_case
from actions.urgent import Handoff
from core.config import ActionsSettings
from core.contracts import CasePublic, CaseType
from harness.fakes.case_client import FakeCaseClient

INTERNAL = re.compile(r"[a-z_]{4,}")


@pytest.fixture
def hub(tmp_path: Path) -> FakeCaseClient:
    runtime.configure(ActionsSettings(data_dir=tmp_path, service_token="t"))
    fake = FakeCaseClient()
    runtime.set_clients(cases=fake)
    return fake


async def test_handoff_description_has_no_slot_names_or_codes(hub: FakeCaseClient) -> None:
    slots = {"category": "leak", "description": "卫生间顶上一直滴水", "service_type": None,
             "requested_slot": "location"}  # fmt: skip
    tracker = Tracker(
        sender_id="web:h1", slots=slots,
        latest_message={"text": "转人工", "intent": {"name": "human_handoff", "confidence": 0.9}},
        events=[{"event": "user", "timestamp": 1700000000.0, "text": "转人工"}], paused=False,
        followup_action=None, active_loop={"name": "report_form"},
        latest_action_name="action_listen",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    await Handoff().run(dispatcher, tracker, {})
    description = hub.created[-1].description
    assert "类别：漏水" in description and "情况：卫生间顶上一直滴水" in description
    assert not INTERNAL.findall(description), description
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert not INTERNAL.findall(said), said


def test_status_reply_gives_the_deadline_in_local_time() -> None:
    case = CasePublic(case_no="BS-20261203-0007", type=CaseType.REPORT, status="dispatched",
                      status_label="已派单", category_label="漏水",
                      created_at=datetime(2026, 12, 3, 12, 34, tzinfo=UTC),
                      due_at=datetime(2026, 12, 4, 0, 30, tzinfo=UTC))  # fmt: skip
    line = describe_case(case)
    assert "12月4日8点半前办好" in line, line
