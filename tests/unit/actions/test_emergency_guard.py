"""Inside a form an answer never becomes an emergency unless its words signal a real danger
(real rasa-sdk Tracker; the live-stack counterpart is tests/integration/test_understanding.py)."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import is_real_emergency
from actions.forms import ValidateServiceForm

DOMAIN = {
    "forms": {
        "service_form": {
            "required_slots": [
                "service_type",
                "applicant",
                "time_preference",
                "contact",
                "confirmed",
            ]
        }
    },
    "slots": {},
}


def service_tracker(text: str, intent: str, requested: str) -> Tracker:
    return Tracker(
        sender_id="web:guard",
        slots={
            "requested_slot": requested,
            "service_type": "elderly_allowance",
            "applicant": "母亲",
        },
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.8}},
        events=[{"event": "user", "text": text}],
        paused=False,
        followup_action=None,
        active_loop={"name": "service_form"},
        latest_action_name="action_listen",
    )


async def test_an_answer_the_nlu_took_for_an_emergency_fills_the_form() -> None:
    dispatcher = CollectingDispatcher()
    events = await ValidateServiceForm().run(
        dispatcher,
        service_tracker("周三上午我可以带她过去", "emergency", "time_preference"),
        DOMAIN,
    )
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("time_preference")
    assert "周三" in slots["time_preference"]


async def test_a_real_danger_still_ends_the_form() -> None:
    events = await ValidateServiceForm().run(
        CollectingDispatcher(),
        service_tracker("不好了我妈刚才摔倒了起不来", "emergency", "time_preference"),
        DOMAIN,
    )
    assert events == []  # rejected: the emergency rule takes over


@pytest.mark.parametrize(
    "text",
    [
        "周三上午我可以带她过去",
        "明天下午三点以后都在家",
        "她腿脚不好走不了路",
        "不急，慢慢来",
        "电话13812345678",
        "我家楼上天天半夜砸东西吵得睡不着",
    ],
)
def test_answers_are_no_danger(text: str) -> None:
    assert not is_real_emergency(text)


@pytest.mark.parametrize(
    "text",
    ["厨房里煤气味好重", "楼下着火了冒黑烟", "我老伴喘不上气了", "救命", "有人被困在电梯里了"],
)
def test_dangers_are_recognised(text: str) -> None:
    assert is_real_emergency(text)


async def test_action_emergency_inside_a_form_without_danger_hands_back_to_the_form() -> None:
    from actions.urgent import Emergency

    dispatcher = CollectingDispatcher()
    events = await Emergency().run(
        dispatcher, service_tracker("周三上午我可以带她过去", "emergency", "time_preference"), {}
    )
    assert events == [{"event": "followup", "name": "service_form", "timestamp": None}]
    assert dispatcher.messages == []  # no alarm, no guidance, no case


def free_tracker(text: str) -> Tracker:
    """A message outside any form that the NLU took for an emergency."""
    return Tracker(
        sender_id="tg:gas",
        slots={},
        latest_message={"text": text, "intent": {"name": "emergency", "confidence": 0.98}},
        events=[{"event": "user", "text": text}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    "said", ["我家里的煤气灶打不着火了，想找人看看", "燃气灶点不着了", "煤气灶老是打不着火"]
)
async def test_a_gas_stove_that_will_not_light_is_a_repair_not_a_gas_leak(said: str) -> None:
    """Seen in Telegram: an elderly resident whose stove would not light was told 请马上离开屋子
    and an emergency case was raised; no smell, no leak: it is a report."""
    from actions.urgent import Emergency

    assert not is_real_emergency(said)
    dispatcher = CollectingDispatcher()
    events = await Emergency().run(dispatcher, free_tracker(said), {})
    assert events == [{"event": "followup", "name": "report_form", "timestamp": None}]
    assert dispatcher.messages == []  # no alarm, no guidance, no case


@pytest.mark.parametrize(
    "said",
    ["煤气灶打不着火，屋里还有股煤气味", "燃气灶点不着，闻着有点呛", "厨房里好大一股煤气味儿",
     "燃气管道漏气了"],
)  # fmt: skip
def test_a_gas_smell_is_still_an_emergency(said: str) -> None:
    assert is_real_emergency(said)
