"""The actions with a real rasa-sdk Tracker and CollectingDispatcher, and fake hub clients.

The real counterparts (the same actions against the real hub) are
tests/integration/test_dialogues.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.forms import ValidateReportForm
from actions.submit import SubmitReport
from actions.urgent import Emergency
from core.config import ActionsSettings
from core.contracts import CaseCreate, CasePublic
from core.errors import ServiceUnavailable

DOMAIN = {
    "forms": {
        "report_form": {
            "required_slots": [
                "description",
                "category",
                "location",
                "urgency",
                "contact",
                "confirmed",
            ]
        }
    },
    "slots": {},
}


class FakeCases:
    """Records created cases; can pretend the hub is down."""

    def __init__(self) -> None:
        self.created: dict[str, CasePublic] = {}
        self.down = False

    async def create_case(self, case: CaseCreate) -> CasePublic:
        if self.down:
            raise ServiceUnavailable("down")
        key = case.idempotency_key or str(len(self.created))
        if key not in self.created:
            self.created[key] = CasePublic(
                case_no=f"BS-20261121-{len(self.created) + 1:04d}",
                type=case.type,
                status="accepted",
                status_label="已受理",
                category=case.category,
                location=case.location,
                description=case.description,
                urgency=case.urgency,
                created_at=datetime.now(UTC),
            )
        return self.created[key]


@pytest.fixture
def cases(tmp_path: Path) -> FakeCases:
    runtime.configure(ActionsSettings(data_dir=tmp_path, service_token="t"))
    fake = FakeCases()
    runtime.set_clients(cases=fake)
    return fake


def tracker(
    text: str,
    intent: str,
    slots: dict | None = None,
    requested: str | None = None,
    active_loop: str | None = "report_form",
) -> Tracker:
    all_slots = {"requested_slot": requested, **(slots or {})}
    return Tracker(
        sender_id="web:test",
        slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[{"event": "user", "timestamp": 1700000000.0, "text": text}],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def slot_events(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_form_fills_every_detail_from_one_message() -> None:
    d = CollectingDispatcher()
    events = await ValidateReportForm().run(
        d, tracker("5号楼2单元的楼道灯全坏了，挺急的，电话13812345678", "report"), DOMAIN
    )
    got = slot_events(events)
    assert got["category"] == "corridor_light" and got["urgency"] == "urgent"
    assert got["location"]["building"] == "5" and got["contact"] == "13812345678"


async def test_question_mid_form_is_not_swallowed_as_a_slot_value() -> None:
    d = CollectingDispatcher()
    events = await ValidateReportForm().run(
        d, tracker("社区服务中心几点开门", "consult", requested="location"), DOMAIN
    )
    assert events == []  # the form rejects; a rule answers the question


async def test_unclear_answer_gets_a_gentle_re_ask() -> None:
    d = CollectingDispatcher()
    events = await ValidateReportForm().run(d, tracker("嗯", "affirm", requested="contact"), DOMAIN)
    assert slot_events(events) == {"contact": None}
    assert "手机号" in d.messages[0]["text"]


async def test_submit_is_idempotent_and_resets_the_form(cases: FakeCases) -> None:
    slots = {
        "category": "elevator",
        "location": {"building": "5", "unit": "2"},
        "description": "电梯坏了",
        "urgency": "urgent",
        "contact": "declined",
        "confirmed": True,
    }
    t = tracker("对", "affirm", slots, active_loop=None)
    d = CollectingDispatcher()
    events = await SubmitReport().run(d, t, {})
    await SubmitReport().run(CollectingDispatcher(), t, {})  # a retried action
    assert len(cases.created) == 1
    assert "BS-20261121-0001" in d.messages[0]["text"]
    assert (
        slot_events(events)["category"] is None
        and slot_events(events)["last_case_no"] == "BS-20261121-0001"
    )


async def test_hub_down_keeps_the_submission_and_delivers_it_later(cases: FakeCases) -> None:
    cases.down = True
    t = tracker(
        "对",
        "affirm",
        {"category": "leak", "description": "漏水", "confirmed": True},
        active_loop=None,
    )
    d = CollectingDispatcher()
    await SubmitReport().run(d, t, {})
    assert "保存" in d.messages[0]["text"] and cases.created == {}
    assert len(await runtime.pending().all()) == 1
    cases.down = False
    assert await runtime.flush_pending() == 1
    assert len(cases.created) == 1 and await runtime.pending().all() == []


async def test_emergency_guides_first_then_creates_an_urgent_case(cases: FakeCases) -> None:
    d = CollectingDispatcher()
    events = await Emergency().run(d, tracker("5号楼楼道里好大一股煤气味", "emergency"), {})
    assert "119" in d.messages[0]["text"]
    (case,) = cases.created.values()
    assert case.urgency == "emergency" and case.location and case.location.building == "5"
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)


async def test_a_clear_answer_is_taken_even_if_the_nlu_calls_it_chit_chat() -> None:
    d = CollectingDispatcher()
    events = await ValidateReportForm().run(
        d, tracker("挺急的。", "out_of_scope", requested="urgency"), DOMAIN
    )
    assert slot_events(events)["urgency"] == "urgent"
    events = await ValidateReportForm().run(
        d, tracker("对，没错。", "out_of_scope", requested="confirmed"), DOMAIN
    )
    assert slot_events(events)["confirmed"] is True


async def test_a_description_is_taken_whatever_intent_the_nlu_guessed() -> None:
    d = CollectingDispatcher()
    text = "电梯坏了<script>alert('x')</script>'; DROP TABLE cases; --"
    events = await ValidateReportForm().run(
        d, tracker(text, "out_of_scope", requested="description"), DOMAIN
    )
    assert slot_events(events)["description"] == text
    assert (
        await ValidateReportForm().run(
            d, tracker("今天天气怎么样", "out_of_scope", requested="description"), DOMAIN
        )
        == []
    )
