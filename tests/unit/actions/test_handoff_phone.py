"""转人工 in the web chat or Telegram without a phone: the call-back task is made at once, then
the assistant asks for a phone (11 digits, or 不留) and adds the answer to the same task, the way
the kiosk's hand-off asks (voice/kiosk/handoff.py; the kiosk is not asked twice). Issue 13."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.emergency_form import AskEmergencyContact, EmergencyFollowupDone
from actions.handoff_text import CALLBACK
from actions.urgent import Handoff
from core.config import ActionsSettings
from core.contracts import CaseCreate, CaseType
from core.errors import ServiceUnavailable
from harness.fakes.case_client import FakeCaseClient
from tests.unit.actions.test_emergency_followup import SENDER, answer, slots_of, texts, tracker


@pytest.fixture
def hub(tmp_path: Path) -> FakeCaseClient:
    runtime.configure(ActionsSettings(data_dir=tmp_path, service_token="t"))
    fake = FakeCaseClient()
    runtime.set_clients(cases=fake)
    return fake


async def handoff(sender: str = SENDER, slots: dict | None = None) -> tuple[list[dict], str]:
    d = CollectingDispatcher()
    events = await Handoff().run(d, tracker("转人工", "handoff_human", slots, sender=sender), {})
    return events, texts(d)


def followups(events: list[dict]) -> list[str]:
    return [e["name"] for e in events if e["event"] == "followup"]


async def test_handoff_asks_for_a_phone_and_adds_it_to_the_call_back(hub: FakeCaseClient) -> None:
    events, said = await handoff()
    (case,) = hub.created
    assert case.type is CaseType.CALLBACK and case.contact_phone is None
    assert "已为您转人工" in said and "打电话给您（尾号" not in said
    assert followups(events) == ["emergency_form"]
    slots = slots_of(events)
    assert slots["emergency_case"]["kind"] == CALLBACK
    assert slots["emergency_case"]["case_no"] in said  # the task just announced
    assert slots["contact"] is None and slots["location"] == "declined"  # only the phone is asked

    ask = CollectingDispatcher()
    await AskEmergencyContact().run(ask, tracker("", "handoff_human", slots), {})
    question = texts(ask)
    assert "手机号" in question and "11位" in question and "不留" in question
    assert "值班" not in question and "请说" not in question
    assert {"expect": "phone"} in [m["custom"] for m in ask.messages if m.get("custom")]

    events, d = await answer("13912345678", "inform", slots, "contact")
    assert slots_of(events)["contact"] == "13912345678"
    assert "尾号5678" in texts(d) and "工作人员" in texts(d) and "值班" not in texts(d)
    stored = await hub.get_case(slots["emergency_case"]["case_no"])
    assert stored is not None and stored.contact_masked and stored.contact_masked.endswith("5678")

    done = CollectingDispatcher()
    await EmergencyFollowupDone().run(
        done, tracker("", "inform", {**slots, "contact": "13912345678"}), {}
    )
    assert "打电话给您" in texts(done) and "安全" not in texts(done)


async def test_no_phone_is_fine(hub: FakeCaseClient) -> None:
    events, _ = await handoff()
    slots = slots_of(events)
    events, _ = await answer("不留", "deny", slots, "contact")
    assert slots_of(events)["contact"] == "declined"
    done = CollectingDispatcher()
    await EmergencyFollowupDone().run(
        done, tracker("", "deny", {**slots, "contact": "declined"}), {}
    )
    assert "不留电话也行" in texts(done) and "一楼综合窗口" in texts(done)


async def test_a_wrong_number_is_asked_again_kindly(hub: FakeCaseClient) -> None:
    events, _ = await handoff()
    slots = slots_of(events)
    events, d = await answer("1391234", "inform", slots, "contact")
    assert "contact" not in {k for k, v in slots_of(events).items() if v}
    assert "不太对" in texts(d) or "没听清" in texts(d)
    ask = CollectingDispatcher()  # the form asks again right after: one question, not two
    await AskEmergencyContact().run(ask, tracker("", "inform", {**slots, **slots_of(events)}), {})
    said = texts(d) + texts(ask)
    assert said.count("不想留") == 1 and said.count("？") == 1, said


async def test_a_phone_already_known_is_not_asked_again(hub: FakeCaseClient) -> None:
    events, said = await handoff(slots={"contact": "13912345678"})
    assert followups(events) == [] and "尾号5678" in said


async def test_the_kiosk_asks_on_its_own(hub: FakeCaseClient) -> None:
    events, _ = await handoff(sender="kiosk:abc")
    assert followups(events) == []  # voice/kiosk/handoff.py asks for a phone and a place


async def test_hub_down_the_phone_waits_with_the_queued_call_back(
    hub: FakeCaseClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(case: CaseCreate):  # noqa: ANN202
        raise ServiceUnavailable("down")

    monkeypatch.setattr(hub, "create_case", down)
    events, said = await handoff()
    assert "系统暂时连不上" in said and "已保存" in said  # kind, and nothing is lost
    slots = slots_of(events)
    assert slots["emergency_case"]["case_no"] is None and followups(events) == ["emergency_form"]
    _, d = await answer("13912345678", "inform", slots, "contact")
    (waiting,) = await runtime.pending().all()
    assert waiting.type is CaseType.CALLBACK and waiting.contact_phone == "13912345678"
    assert "记下了" in texts(d) and "恢复" in texts(d)


async def test_something_else_instead_of_a_phone_says_the_way_out(hub: FakeCaseClient) -> None:
    """A resident who moves on ("我想问问…") is not told 没听清楚 again and again: 回答“不留”."""
    events, _ = await handoff()
    events, d = await answer("我想问问高龄津贴怎么办", "consult", slots_of(events), "contact")
    assert "不留" in texts(d) and "没听清" not in texts(d)
    assert slots_of(events) == {"contact": None}  # the question is asked again


async def test_the_question_the_faq_could_not_answer_goes_with_the_call_back(
    hub: FakeCaseClient,
) -> None:
    """转人工 pressed under 您是想问： (the FAQ was unsure): the call-back task said only
    居民要求人工服务。, so whoever calls back did not know what the resident had asked."""
    from rasa_sdk import Tracker

    def asked(question: str, intent: str) -> Tracker:
        return Tracker(
            sender_id=SENDER,
            slots={},
            latest_message={"text": "/handoff_human", "intent": {"name": "handoff_human"}},
            events=[
                {"event": "user", "text": question, "parse_data": {"intent": {"name": intent}}},
                {"event": "bot", "text": "我不太确定，您是想问："},
                {"event": "action", "name": "action_listen"},
                {
                    "event": "user",
                    "text": "/handoff_human",
                    "parse_data": {"intent": {"name": "handoff_human"}},
                },
            ],  # fmt: skip
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    d = CollectingDispatcher()
    await Handoff().run(d, asked("请问打疫苗的事，我电话13912345678", "consult"), {})
    (case,) = hub.created
    assert "打疫苗的事" in case.description and "13912345678" not in case.description
    assert "一并转给了工作人员" in texts(d)

    d = CollectingDispatcher()
    await Handoff().run(d, asked("3号楼", "inform"), {})  # an answer, not a question
    assert "3号楼" not in hub.created[-1].description
