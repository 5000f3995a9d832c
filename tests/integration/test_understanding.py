"""Understanding real residents, end to end on the real stack (Rasa + actions + hub): an answer
inside a form never raises an emergency, long written messages start the right flow, and an
unsure NLU asks instead of guessing."""

from __future__ import annotations

import pytest

from actions.consult import ASK_WHAT, NOT_SURE
from harness.stack import Stack, texts, web_sender
from tests import heldout

pytestmark = pytest.mark.integration


def test_an_answer_in_a_service_form_never_raises_an_emergency(live_stack: Stack) -> None:
    who = web_sender()
    live_stack.say(who, heldout.SERVICE_FOR_FATHER)  # service and applicant in one go
    assert live_stack.tracker(who)["slots"]["requested_slot"] == "time_preference"

    reply = live_stack.say(who, heldout.TIME_THAT_IS_NO_EMERGENCY)
    assert "【紧急】" not in texts(reply)
    state = live_stack.tracker(who)
    assert (state.get("active_loop") or {}).get("name") == "service_form"
    assert "周三" in (state["slots"].get("time_preference") or "")
    assert [c for c in live_stack.cases_of(who) if c["type"] == "emergency"] == []


def test_a_long_written_complaint_starts_a_report(live_stack: Stack) -> None:
    who = web_sender()
    live_stack.say(who, heldout.LONG_WRITTEN_REPORT)
    state = live_stack.tracker(who)
    assert (state.get("active_loop") or {}).get("name") == "report_form"
    assert "排水沟" in (state["slots"].get("description") or "")


@pytest.mark.parametrize("key", sorted(heldout.BARE_COMPLAINTS))
def test_a_bare_problem_statement_starts_a_report(live_stack: Stack, key: str) -> None:
    who = web_sender()
    live_stack.say(who, heldout.BARE_COMPLAINTS[key])
    state = live_stack.tracker(who)
    assert (state.get("active_loop") or {}).get("name") == "report_form"
    assert state["slots"].get("description")
    assert [c for c in live_stack.cases_of(who) if c["type"] == "emergency"] == []


def test_a_long_written_question_is_answered_or_honestly_declined(live_stack: Stack) -> None:
    who = web_sender()
    reply = live_stack.say(who, heldout.LONG_WRITTEN_QUESTION)
    state = live_stack.tracker(who)
    assert not (state.get("active_loop") or {}).get("name"), "a question must not start a form"
    ran = [e.get("name") for e in state["events"] if e.get("event") == "action"]
    assert "action_answer_question" in ran
    assert texts(reply)


def test_when_unsure_it_asks_with_three_big_buttons(live_stack: Stack) -> None:
    who = web_sender()
    reply = live_stack.say(who, "/nlu_fallback")
    said = texts(reply)
    assert "我不太确定" in said
    titles = [b["title"] for m in reply for b in m.get("buttons") or []]
    assert titles[:3] == ["我要报事", "我想问问", "我要办事"] and "转人工" in titles
    assert live_stack.cases_of(who) == []


def test_long_messages_keep_intents_the_router_must_not_touch(live_stack: Stack) -> None:
    assert live_stack.parse(heldout.LONG_EMERGENCY)["intent"]["name"] == "emergency"
    # a long complaint that names gas (no danger now) is a complaint, never an emergency
    assert live_stack.parse(heldout.LONG_GAS_SERVICE_COMPLAINT)["intent"]["name"] != "emergency"
    assert live_stack.parse(heldout.LONG_STATUS_QUESTION)["intent"]["name"] == "ask_status"
    assert live_stack.parse("/report")["intent"]["name"] == "report"


def test_a_question_about_a_class_does_not_start_a_report(live_stack: Stack) -> None:
    who = web_sender()
    live_stack.say(who, heldout.PAINTING_CLASS_QUESTION)
    state = live_stack.tracker(who)
    assert (state.get("active_loop") or {}).get("name") != "report_form"
    assert live_stack.cases_of(who) == []


def test_acute_danger_words_always_raise_an_emergency(live_stack: Stack) -> None:
    assert live_stack.parse(heldout.FIRE_SAID_PLAINLY)["intent"]["name"] == "emergency"
    assert live_stack.parse(heldout.BREAK_IN)["intent"]["name"] == "emergency"
    assert live_stack.parse(heldout.GAS_BILL_QUESTION)["intent"]["name"] != "emergency"


def test_a_question_the_assistant_offered_is_answered_when_chosen(live_stack: Stack) -> None:
    who = web_sender()
    offered = live_stack.say(who, heldout.VAGUE_ELEVATOR_QUESTION)
    assert offered[0]["text"].startswith(NOT_SURE)
    questions = [b["payload"] for b in offered[0]["buttons"] if b["title"] != "转人工"]
    assert len(questions) == 3
    for question in questions:  # each tapped in turn (the suggestions asked for again between)
        reply = live_stack.say(who, question)
        with live_stack.hub() as hub:
            faq = hub.get("/api/kb/search", params={"q": question}).json()["hits"][0]
        assert faq["question"] == question
        assert [m.get("text") for m in reply] == [faq["answer"]], reply  # nothing else said
        assert not (live_stack.tracker(who).get("active_loop") or {}).get("name")
        live_stack.say(who, heldout.VAGUE_ELEVATOR_QUESTION)
    assert live_stack.cases_of(who) == []


def test_a_question_about_fire_raises_no_alarm(live_stack: Stack) -> None:
    who = web_sender()
    reply = live_stack.say(who, heldout.FIRE_AS_A_TOPIC)
    assert "【紧急】" not in texts(reply)
    assert live_stack.cases_of(who) == []
    ran = [e.get("name") for e in live_stack.tracker(who)["events"] if e.get("event") == "action"]
    assert "action_answer_question" in ran


def test_what_is_asked_after_what_would_you_like_to_ask_is_answered(live_stack: Stack) -> None:
    who = web_sender()
    assert texts(live_stack.say(who, heldout.ASK_TO_ASK)) == ASK_WHAT
    reply = live_stack.say(who, heldout.QUESTION_AFTER_ASK)
    with live_stack.hub() as hub:
        faq = hub.get("/api/kb/search", params={"q": heldout.QUESTION_AFTER_ASK}).json()["hits"][0]
    assert texts(reply).endswith(faq["answer"]), reply
