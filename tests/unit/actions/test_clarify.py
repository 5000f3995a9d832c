"""Clarify, don't guess: the button pressed after "您是想…？" starts the flow with what the
resident said first (real rasa-sdk Tracker; the real counterpart is the clarify test against
the live stack in tests/integration/test_understanding.py)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import text_before_clarify
from actions.forms import ValidateReportForm

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

FIRST = "东区7号楼后面那条路的灯好些天都黑着，老人晚上出门遛弯看不见"


def clarified_events(first: str, answer: str, between: str = "utter_clarify") -> list[dict]:
    return [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": first, "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "action", "name": between},
        {"event": "bot", "text": "我不太确定您的意思。"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": answer, "parse_data": {"intent": {"name": "report"}}},
    ]


def test_the_first_words_are_found_after_the_clarify_question() -> None:
    assert text_before_clarify(clarified_events(FIRST, "/report")) == FIRST
    assert text_before_clarify(clarified_events(FIRST, "我要报事")) == FIRST


def test_nothing_is_carried_over_without_the_question() -> None:
    assert text_before_clarify(clarified_events(FIRST, "/report", between="utter_greet")) is None
    assert text_before_clarify(clarified_events("/consult", "/report")) is None
    assert text_before_clarify([{"event": "user", "text": "/report"}]) is None


async def test_report_form_started_by_the_button_uses_what_was_said_first() -> None:
    events = clarified_events(FIRST, "/report")
    tracker = Tracker(
        sender_id="web:clarify",
        slots={"requested_slot": None},
        latest_message={"text": "/report", "intent": {"name": "report", "confidence": 1.0}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "report_form"},
        latest_action_name="action_listen",
    )
    got = {
        e["name"]: e["value"]
        for e in await ValidateReportForm().run(CollectingDispatcher(), tracker, DOMAIN)
        if e.get("event") == "slot"
    }
    assert got["location"]["building"] == "7"
    assert "老人晚上出门" in got["description"]


async def test_question_after_clarify_is_what_was_asked_first(monkeypatch) -> None:
    from actions import consult, runtime

    asked: list[str] = []

    class Client:
        async def ask(self, question: str, channel: str, sender: str) -> None:
            asked.append(question)
            return None

    monkeypatch.setattr(runtime, "knowledge_client", lambda: Client())
    first = "听说今年起六十五岁以上的可以领什么补贴，我家老头子够不够条件"
    tracker = Tracker(
        sender_id="web:clarify",
        slots={},
        latest_message={"text": "/consult", "intent": {"name": "consult", "confidence": 1.0}},
        events=clarified_events(first, "/consult"),
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
    dispatcher = CollectingDispatcher()
    await consult.AnswerQuestion().run(dispatcher, tracker, {})
    assert asked == [first]
    assert "您想问什么" not in dispatcher.messages[0]["text"]


async def test_a_start_button_payload_is_never_taken_as_the_description() -> None:
    tracker = Tracker(
        sender_id="web:button",
        slots={"requested_slot": None},
        latest_message={"text": "/report", "intent": {"name": "report", "confidence": 1.0}},
        events=[{"event": "user", "text": "/report"}],
        paused=False,
        followup_action=None,
        active_loop={"name": "report_form"},
        latest_action_name="action_listen",
    )
    events = await ValidateReportForm().run(CollectingDispatcher(), tracker, DOMAIN)
    described = [e for e in events if e.get("event") == "slot" and e.get("name") == "description"]
    assert not any(e["value"] for e in described)


async def test_a_question_typed_after_clarify_is_answered(monkeypatch) -> None:
    """ "我有个问题" → "您是想…？" → the resident types the question itself instead of a button:
    that question is answered (it was dropped for the vague first words)."""
    from actions import consult, runtime

    asked: list[str] = []

    class Client:
        async def ask(self, question: str, channel: str, sender: str) -> None:
            asked.append(question)
            return None

    monkeypatch.setattr(runtime, "knowledge_client", lambda: Client())
    question = "社区里有没有不要钱的法律咨询"
    tracker = Tracker(
        sender_id="web:clarify2",
        slots={},
        latest_message={"text": question, "intent": {"name": "consult", "confidence": 0.9}},
        events=clarified_events("我有个问题", question, between="utter_ask_what"),
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
    dispatcher = CollectingDispatcher()
    await consult.AnswerQuestion().run(dispatcher, tracker, {})
    assert asked == [question]


async def test_a_report_said_in_full_after_clarify_is_the_report() -> None:
    """Junk first ("'; DROP TABLE cases; --" → "您是想…？"), then a whole report: the report is
    what the form reads, not the junk (CI found the form asking the category of the junk)."""
    report = "5号楼2单元楼梯口的灯一直不亮，你们有空再来"
    tracker = Tracker(
        sender_id="web:clarify3",
        slots={"requested_slot": None},
        latest_message={"text": report, "intent": {"name": "report", "confidence": 0.7}},
        events=clarified_events("'; DROP TABLE cases; --", report, between="utter_ask_what"),
        paused=False,
        followup_action=None,
        active_loop={"name": "report_form"},
        latest_action_name="action_listen",
    )
    got = {
        e["name"]: e["value"]
        for e in await ValidateReportForm().run(CollectingDispatcher(), tracker, DOMAIN)
        if e.get("event") == "slot"
    }
    assert got["location"]["building"] == "5" and "DROP" not in got["description"]
    assert got.get("category") and "楼梯口" in got["description"]
