"""``nlu_fallback`` (actions/unsure.py): the digits just asked for are looked up, the clarify
question's choices work in words, anything else gets the clarify question (real rasa-sdk
Tracker; the live counterpart is tests/integration/test_status_elsewhere.py)."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import unsure


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("反映问题", "report_form"),
        ("我要反映问题。", "report_form"),
        ("报事吧", "report_form"),
        ("问问题", "action_answer_question"),
        ("我想问问", "action_answer_question"),
        ("咨询", "action_answer_question"),
        ("办事", "service_form"),
        ("我是来办事的", "service_form"),
        ("辦事", "service_form"),
    ],
)
def test_the_choices_in_words(text: str, target: str) -> None:
    assert unsure.clarify_choice(text) == target


@pytest.mark.parametrize("text", ["阿巴阿巴", "问题没了", "反映问题的那个电话多少", "", "🙂"])
def test_anything_else_is_no_choice(text: str) -> None:
    assert unsure.clarify_choice(text) is None


def _tracker(text: str) -> Tracker:
    return Tracker(
        sender_id="web:unsure",
        slots={},
        latest_message={"text": text, "intent": {"name": "nlu_fallback", "confidence": 1.0}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def _run(text: str) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await unsure.Clarify().run(dispatcher, _tracker(text), {})
    return events, dispatcher


async def test_unsure_asks_the_clarify_question(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing(*_args: object) -> None:
        return None

    monkeypatch.setattr(unsure, "answer_status_followup", nothing)
    events, dispatcher = await _run("阿巴阿巴")
    assert events == [] and dispatcher.messages[0]["response"] == "utter_clarify"


async def test_a_choice_word_starts_its_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing(*_args: object) -> None:
        return None

    monkeypatch.setattr(unsure, "answer_status_followup", nothing)
    events, dispatcher = await _run("反映问题")
    assert events == [{"event": "followup", "timestamp": None, "name": "report_form"}]
    assert dispatcher.messages == []


async def test_the_digits_asked_for_are_looked_up_first(monkeypatch: pytest.MonkeyPatch) -> None:
    async def looked_up(dispatcher: CollectingDispatcher, *_args: object) -> list:
        dispatcher.utter_message(text="查到了。")
        return [{"event": "slot", "name": "last_case_no", "value": "BS-20261204-0001"}]

    monkeypatch.setattr(unsure, "answer_status_followup", looked_up)
    events, dispatcher = await _run("单子尾号是0001，手机尾数是5678")
    assert events[0]["name"] == "last_case_no"
    assert [m["text"] for m in dispatcher.messages] == ["查到了。"]
