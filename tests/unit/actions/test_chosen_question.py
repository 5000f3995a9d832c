"""A question the assistant itself offered (您是想问：…) and the resident chose is answered, and
so is what is said right after 您想问什么？, whatever the NLU makes of it (actions/consult.py
``answers_a_consult_prompt``; real rasa-sdk Trackers; the live counterpart is
tests/integration/test_understanding.py)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import unsure, urgent
from actions.consult import ASK_WHAT, NOT_SURE, NOT_SURE_NOTE, answers_a_consult_prompt
from actions.emergency import asks_about_a_danger_topic
from actions.forms import ValidateReportForm

OFFERED = ["电动车着火了怎么办？", "电梯坏了找谁修？", "高龄津贴怎么申请？"]


def _events(bot_text: str, buttons: list[str], now: str) -> list[dict[str, Any]]:
    return [
        {"event": "user", "text": "电动车那个事"},
        {"event": "action", "name": "action_answer_question"},
        {
            "event": "bot",
            "text": bot_text,
            "data": {"buttons": [{"title": b, "payload": b} for b in buttons]},
        },
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": now},
    ]


def _offered(now: str) -> list[dict[str, Any]]:
    return _events(f"{NOT_SURE}\n{NOT_SURE_NOTE}", [*OFFERED, "转人工"], now)


def _names(events: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(e["event"], e.get("name")) for e in events]


def _tracker(now: str, intent: str, events: list[dict[str, Any]]) -> Tracker:
    return Tracker(
        sender_id="web:chosen",
        slots={},
        latest_message={"text": now, "intent": {"name": intent, "confidence": 0.9}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize("now", [*OFFERED, "电动车着火了怎么办"])
def test_a_suggested_question_chosen_answers_the_prompt(now: str) -> None:
    assert answers_a_consult_prompt(_offered(now), now, tapped_only=True)


@pytest.mark.parametrize("now", ["转人工", "我家电动车着火了", "", "电梯坏了"])
def test_anything_else_after_the_suggestions_does_not(now: str) -> None:
    assert not answers_a_consult_prompt(_offered(now), now, tapped_only=True)


def test_what_is_said_after_what_would_you_like_to_ask_answers_it() -> None:
    events = _events(ASK_WHAT, [], "高龄津贴怎么申请")
    assert answers_a_consult_prompt(events, "高龄津贴怎么申请")
    assert not answers_a_consult_prompt(events, "高龄津贴怎么申请", tapped_only=True)
    # a prompt two turns back no longer counts
    later = [*events, {"event": "bot", "text": "好的"}, {"event": "user", "text": "还有"}]
    assert not answers_a_consult_prompt(later, "还有")


async def test_unsure_answers_a_chosen_question(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing(*_args: object) -> None:
        return None

    monkeypatch.setattr(unsure, "answer_status_followup", nothing)
    now = OFFERED[2]
    events = await unsure.Clarify().run(
        CollectingDispatcher(), _tracker(now, "nlu_fallback", _offered(now)), {}
    )
    assert _names(events) == [("followup", "action_answer_question")]


async def test_a_chosen_fire_question_raises_no_alarm(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_case(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("no emergency case for a question the assistant offered")

    monkeypatch.setattr(urgent, "create_case", no_case)
    now = OFFERED[0]
    dispatcher = CollectingDispatcher()
    events = await urgent.Emergency().run(dispatcher, _tracker(now, "emergency", _offered(now)), {})
    assert _names(events) == [("followup", "action_answer_question")]
    assert dispatcher.messages == []


async def test_a_chosen_question_starts_no_form() -> None:
    now = OFFERED[1]
    tracker = _tracker(now, "report", _offered(now))
    events = await ValidateReportForm().run(CollectingDispatcher(), tracker, {"forms": {}})
    assert ("active_loop", None) in _names(events)
    assert _names(events)[-1] == ("followup", "action_answer_question")


@pytest.mark.parametrize("said", ["我想问问着火那些事", "想咨询下燃气安全注意什么"])
def test_a_question_about_a_danger_as_a_topic_is_answered(said: str) -> None:
    assert asks_about_a_danger_topic(said)


@pytest.mark.parametrize(
    "said",
    [
        "问一下煤气泄漏了怎么办",
        "我想问问家里着火了怎么办",
        "着火了怎么办",
        "想问问防火那些事，楼下在冒烟",
    ],
)
def test_a_danger_happening_stays_an_emergency(said: str) -> None:
    assert not asks_about_a_danger_topic(said)


async def test_a_fire_topic_question_raises_no_alarm(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_case(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("no emergency case for a question about fire safety")

    monkeypatch.setattr(urgent, "create_case", no_case)
    said = "我想问问着火那些事"
    events = await urgent.Emergency().run(
        CollectingDispatcher(), _tracker(said, "emergency", [{"event": "user", "text": said}]), {}
    )
    assert _names(events) == [("followup", "action_answer_question")]
