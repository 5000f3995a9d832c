"""``status_form`` (actions/status_form.py), for when nlu/domain.yml declares it: the number and
the phone digits asked one by one, each answer taken whatever the NLU makes of it; the submit
is ``action_case_status`` reading the slots. Without the form in the domain the inline path of
tests/unit/actions/test_status_lookup.py runs instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.status import CaseStatus
from actions.status_form import (
    FORM,
    NUMBER_SLOT,
    TAIL_SLOT,
    AskStatusNumber,
    AskStatusPhoneTail,
    ValidateStatusForm,
)
from core.config import ActionsSettings
from core.contracts import CaseCreate, CaseType, Location
from harness.fakes.case_client import FakeCaseClient

SLOT = {"type": "text", "influence_conversation": False, "mappings": [{"type": "custom"}]}
DOMAIN = {
    "forms": {FORM: {"required_slots": [NUMBER_SLOT, TAIL_SLOT]}},
    "slots": {NUMBER_SLOT: SLOT, TAIL_SLOT: SLOT},
}


@pytest.fixture
def hub(tmp_path: Path) -> FakeCaseClient:
    runtime.configure(ActionsSettings(data_dir=tmp_path, service_token="t"))
    fake = FakeCaseClient()
    runtime.set_clients(cases=fake)
    return fake


def tracker(text: str, intent: str, requested: str | None = None, **slots: str | None) -> Tracker:
    return Tracker(
        sender_id="tg:42",
        slots={"requested_slot": requested, NUMBER_SLOT: None, TAIL_SLOT: None, **slots},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[{"event": "user", "text": text}],
        paused=False,
        followup_action=None,
        active_loop={"name": FORM} if requested else {},
        latest_action_name="action_listen",
    )


def slot_events(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def validate(t: Tracker) -> tuple[dict, list[str]]:
    d = CollectingDispatcher()
    events = await ValidateStatusForm().run(d, t, DOMAIN)
    return slot_events(events), [m["text"] for m in d.messages if m.get("text")]


async def test_a_number_without_phone_starts_the_form(hub: FakeCaseClient) -> None:
    d = CollectingDispatcher()
    events = await CaseStatus().run(d, tracker("尾号0098的进度", "ask_status"), DOMAIN)
    assert slot_events(events) == {NUMBER_SLOT: "0098", TAIL_SLOT: None}
    assert any(e["event"] == "followup" and e["name"] == FORM for e in events)
    assert d.messages == []  # the form asks


async def test_answers_count_whatever_the_nlu_thinks(hub: FakeCaseClient) -> None:
    for said, intent in (("是7777", "affirm"), ("七七七七", "report"), ("7777", "inform")):
        got, _ = await validate(tracker(said, intent, TAIL_SLOT, **{NUMBER_SLOT: "0098"}))
        assert got.get(TAIL_SLOT) == "7777", (said, got)
    got, _ = await validate(tracker("单子尾号是0098，手机尾数是7777", "inform", NUMBER_SLOT))
    assert got == {NUMBER_SLOT: "0098", TAIL_SLOT: "7777"}


async def test_nothing_usable_gets_a_kind_re_ask_and_endings_leave(hub: FakeCaseClient) -> None:
    got, said = await validate(
        tracker("我记不太清了", "inform", TAIL_SLOT, **{NUMBER_SLOT: "0098"})
    )
    assert got == {TAIL_SLOT: None} and "最后4位" in said[0]
    for intent in ("cancel", "handoff_human"):
        assert await validate(tracker("算了不查了", intent, TAIL_SLOT)) == ({}, [])


async def test_the_questions(hub: FakeCaseClient) -> None:
    d = CollectingDispatcher()
    await AskStatusNumber().run(d, tracker("", "ask_status", NUMBER_SLOT), DOMAIN)
    await AskStatusPhoneTail().run(
        d, tracker("", "ask_status", TAIL_SLOT, **{NUMBER_SLOT: "0098"}), DOMAIN
    )
    said = [m["text"] for m in d.messages if m.get("text")]
    assert "编号" in said[0] and "尾号0098" in said[1] and "手机号后四位" in said[1]
    hints = [m["custom"] for m in d.messages if m.get("custom")]
    # a kiosk pad takes these few digits instead of asking for a whole phone number
    assert hints == [{"expect": "phone", "digits": [4, 12]}, {"expect": "phone", "digits": [4]}]


async def test_the_submit_looks_up_and_clears_the_slots(hub: FakeCaseClient) -> None:
    case = await hub.create_case(CaseCreate(
        type=CaseType.REPORT, category="corridor_light", location=Location(building="5"),
        contact_phone="13566667777", sender_id="kiosk:s1", channel="kiosk"))  # fmt: skip
    d = CollectingDispatcher()
    slots = {NUMBER_SLOT: case.case_no[-4:], TAIL_SLOT: "7777"}
    events = await CaseStatus().run(d, tracker("7777", "inform", **slots), DOMAIN)
    assert f"查到了。编号 {case.case_no}" in d.messages[0]["text"]
    assert slot_events(events) == {NUMBER_SLOT: None, TAIL_SLOT: None}
