"""After an emergency the bot expects the place next, then a phone, and attaches both to the same
urgent case — whatever the NLU thought the answers were (issue 14, item 2).

Actions run with a real rasa-sdk Tracker and CollectingDispatcher against FakeCaseClient, which
tests/unit/cases/test_client_contract.py keeps in step with the real hub; the real stack runs
the same dialogue in tests/integration/test_emergency_followup.py. The utterances are not NLU
training examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.emergency_followup import DECLINED, followup_turn
from actions.emergency_form import (
    AskEmergencyLocation,
    EmergencyFollowupDone,
    ValidateEmergencyForm,
)
from actions.urgent import Emergency
from core.config import ActionsSettings
from core.contracts import CaseCreate, CaseType
from core.errors import ServiceUnavailable
from harness.fakes.case_client import FakeCaseClient

SENDER = "web:gas7"
FIRST = "我闻到一股很浓的煤气味"


@pytest.fixture
def hub(tmp_path: Path) -> FakeCaseClient:
    runtime.configure(ActionsSettings(data_dir=tmp_path, service_token="t"))
    fake = FakeCaseClient()
    runtime.set_clients(cases=fake)
    return fake


def tracker(
    text: str,
    intent: str,
    slots: dict | None = None,
    *,
    requested: str | None = None,
    loop: str | None = None,
    sender: str = SENDER,
    stamp: float = 1700000000.0,
) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots={**(slots or {}), "requested_slot": requested},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[
            {"event": "user", "timestamp": stamp, "text": text},
            # Rasa calls a form's validation with the form's own execution appended
            *([{"event": "action", "name": loop}] if loop else []),
        ],
        paused=False,
        followup_action=None,
        active_loop={"name": loop} if loop else {},
        latest_action_name=loop or "action_listen",
    )


def slots_of(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(d: CollectingDispatcher) -> str:
    return "\n".join(m["text"] for m in d.messages if m.get("text"))


async def start(hub: FakeCaseClient, sender: str = SENDER) -> tuple[dict, CollectingDispatcher]:
    """The emergency turn; returns the follow-up slots and what was said."""
    d = CollectingDispatcher()
    events = await Emergency().run(d, tracker(FIRST, "emergency", sender=sender), {})
    assert [e["name"] for e in events if e["event"] == "followup"] == ["emergency_form"]
    return slots_of(events), d


async def answer(
    text: str, intent: str, slots: dict, requested: str
) -> tuple[list[dict], CollectingDispatcher]:
    d = CollectingDispatcher()
    t = tracker(text, intent, slots, requested=requested, loop="emergency_form")
    return await ValidateEmergencyForm().run(d, t, {}), d


async def test_the_emergency_expects_the_place_next(hub: FakeCaseClient) -> None:
    slots, d = await start(hub)
    (case,) = hub.created
    assert case.type is CaseType.EMERGENCY and case.location is None
    said = texts(d)
    assert "119" in said and "紧急编号 JJ-" in said
    assert "查询码" in said  # the resident's secret, in their chat
    payload = next(m["custom"] for m in d.messages if m.get("custom"))
    assert payload["case_no"].startswith("JJ-") and payload["access_code"] in said
    assert slots["emergency_case"]["case_no"] == payload["case_no"]
    assert slots["location"] is None and slots["contact"] is None
    ask = CollectingDispatcher()
    await AskEmergencyLocation().run(ask, tracker("", "emergency"), {})
    assert "在哪里" in texts(ask)
    assert {"expect": "location"} in [m["custom"] for m in ask.messages if m.get("custom")]


async def test_a_place_said_next_goes_to_the_same_case_even_if_the_nlu_says_report(
    hub: FakeCaseClient,
) -> None:
    slots, _ = await start(hub)
    no = slots["emergency_case"]["case_no"]
    await hub.ack_outbox([a.id for a in await hub.fetch_outbox("staff")], "staff")
    events, d = await answer("我住17号楼2单元602", "report", slots, "location")
    got = slots_of(events)
    assert got["location"]["building"] == "17" and got["location"]["room"] == "602"
    assert "17号楼2单元602室" in texts(d) and "值班人员" in texts(d)
    stored = await hub.get_case(no)
    assert stored.location.building == "17" and stored.location.unit == "2"
    (alert,) = await hub.fetch_outbox("staff")  # pushed to staff at once
    assert alert.case_no == no and "17号楼2单元602室" in alert.text
    assert len(hub.created) == 1  # no new report was started

    slots.update(got)
    events, d = await answer("电话是13766668888", "inform", slots, "contact")
    assert slots_of(events)["contact"] == "13766668888"
    assert (await hub.get_case(no)).contact_masked == "137****8888"
    assert "尾号8888" in texts(d)


async def test_the_phone_may_be_declined_and_nothing_is_sent(hub: FakeCaseClient) -> None:
    slots, _ = await start(hub)
    slots["location"] = {"building": "17"}
    before = await hub.fetch_outbox("staff")
    events, d = await answer("电话就不留了吧", "deny", slots, "contact")
    assert slots_of(events)["contact"] == DECLINED
    assert await hub.fetch_outbox("staff") == before and texts(d) == ""


async def test_unclear_answers_are_asked_again_never_taken_as_a_place(hub: FakeCaseClient) -> None:
    slots, _ = await start(hub)
    for text, intent in (
        ("好的好的，太谢谢了", "thank"),
        ("就在我家灶台那边", "report"),
        ("嗯，好的呀", "affirm"),
    ):
        events, d = await answer(text, intent, slots, "location")
        assert slots_of(events) == {"location": None}, text  # asked again, form goes on
        assert texts(d)
    events, d = await answer("煤气味越来越大了", "emergency", slots, "location")
    assert slots_of(events) == {"location": None} and "119" in texts(d)  # guidance again
    assert len(hub.created) == 1
    events, _ = await answer("我不知道是几号楼", "inform", slots, "location")
    assert slots_of(events) == {"location": DECLINED}  # then the phone is asked


async def test_a_place_in_the_residents_own_words_is_kept(hub: FakeCaseClient) -> None:
    slots, _ = await start(hub)
    events, _ = await answer("就在小区北门保安亭旁边", "inform", slots, "location")
    place = slots_of(events)["location"]
    assert place["landmark"] and place["raw"] == "就在小区北门保安亭旁边"
    no = slots["emergency_case"]["case_no"]
    assert (await hub.get_case(no)).location.raw == "就在小区北门保安亭旁边"


async def test_a_person_or_another_emergency_is_left_to_the_rules(hub: FakeCaseClient) -> None:
    slots, _ = await start(hub)
    assert (await answer("能不能让真人跟我说", "handoff_human", slots, "location"))[0] == []
    assert (await answer("楼下配电房在冒烟", "emergency", slots, "location"))[0] == []


async def test_stopping_asks_nothing_more(hub: FakeCaseClient) -> None:
    slots, _ = await start(hub)
    events, _ = await answer("那就先这样吧，不用问了", "cancel", slots, "location")
    assert slots_of(events) == {"location": DECLINED, "contact": DECLINED}
    done = CollectingDispatcher()
    cleared = slots_of(await EmergencyFollowupDone().run(done, tracker("", "cancel"), {}))
    assert cleared["emergency_case"] is None and cleared["location"] is None
    assert "安全" in texts(done)


async def test_place_and_phone_in_the_first_message_need_no_questions(hub: FakeCaseClient) -> None:
    d = CollectingDispatcher()
    text = "6号楼1单元102厨房漏煤气了，我电话13955556666"
    events = await Emergency().run(d, tracker(text, "emergency"), {})
    (case,) = hub.created
    assert case.location.building == "6" and case.contact_phone == "13955556666"
    assert not any(e.get("event") == "followup" for e in events)
    assert "安全的地方" in texts(d)


async def test_at_the_kiosk_the_code_goes_to_the_slip_not_the_speech(hub: FakeCaseClient) -> None:
    _, d = await start(hub, sender="kiosk:abc")
    assert "查询码" not in texts(d)
    payload = next(m["custom"] for m in d.messages if m.get("custom"))
    assert payload["access_code"]


async def test_hub_down_the_place_waits_with_the_queued_case(
    hub: FakeCaseClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(case: CaseCreate):  # noqa: ANN202
        raise ServiceUnavailable("down")

    monkeypatch.setattr(hub, "create_case", down)
    slots, d = await start(hub)
    assert "保存" in texts(d) and slots["emergency_case"]["case_no"] is None
    _, d = await answer("我住17号楼2单元602", "report", slots, "location")
    (waiting,) = await runtime.pending().all()
    assert waiting.type is CaseType.EMERGENCY and waiting.location.building == "17"
    assert "记下了" in texts(d) and "拨打" in texts(d)  # not told it reached anyone yet


async def test_hub_down_after_the_case_the_resident_is_told_to_call(
    hub: FakeCaseClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    slots, _ = await start(hub)

    async def down(*args: object, **kwargs: object) -> None:
        raise ServiceUnavailable("down")

    monkeypatch.setattr(hub, "add_details", down)
    events, d = await answer("我住17号楼2单元602", "report", slots, "location")
    assert slots_of(events)["location"]["building"] == "17"  # the form goes on to the phone
    assert "连不上" in texts(d) and "拨打" in texts(d)


async def test_the_form_reads_only_new_messages(hub: FakeCaseClient) -> None:
    slots, _ = await start(hub)
    t = tracker("我住17号楼2单元602", "report", slots, requested="location", loop="emergency_form")
    t.events[1:1] = [{"event": "action", "name": "action_handoff"}]  # resumed after a rule
    assert await ValidateEmergencyForm().run(CollectingDispatcher(), t, {}) == []


async def test_pure_turns() -> None:
    both = followup_turn("17号楼2单元602，电话13766668888", "location", "report", "gas")
    assert both.updates["location"]["building"] == "17" and both.updates["contact"] == "13766668888"
    assert followup_turn("1376666", "contact", "inform", "gas").problem  # a short number
    assert followup_turn("12号楼3单元401", "contact", "inform", "gas").updates["location"]
    assert followup_turn("随便", "contact", "inform", "gas").updates == {}
