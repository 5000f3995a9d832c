"""议事 through the real stack (Rasa + trained model, action server, hub with its deliberation
part): a proposal step by step with its read-back, a household's vote replaced by a second vote
of the same household, wrong phone digits asked again, a vote on a poll closed meanwhile refused
kindly, and asking what was decided. What the resident says comes from ``tests/heldout.py``; the
demo household register gives 5号楼2单元301 the phone tail 5201.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from harness.stack import Stack, texts, web_sender
from tests import heldout as h

pytestmark = pytest.mark.integration

STAFF = {"X-Staff-Name": "%E6%B5%8B%E8%AF%95"}  # 测试
HOUSEHOLD = ("5", "2", "301")
TAIL = "5201"


@pytest.fixture
def poll(live_stack: Stack) -> Iterator[dict]:
    """A poll open now for the whole community (closed again after the test)."""
    with live_stack.hub() as hub:
        response = hub.post(
            "/api/deliberation/polls",
            json={"question": "是否在各单元门口加装雨棚", "scope": "community"},
            headers=STAFF,
        )
        assert response.status_code in (200, 201), response.text
        created = response.json()
    yield created
    with live_stack.hub() as hub:
        hub.post(f"/api/deliberation/polls/{created['number']}/close", headers=STAFF)


def buttons(messages: list[dict]) -> dict[str, str]:
    return {b["title"]: b["payload"] for m in messages for b in m.get("buttons") or []}


def choose_our_poll(stack: Stack, who: str, said: list[dict], number: int) -> list[dict]:
    """When other polls are open too, the dialogue asks which: press ours."""
    if "您要投哪一个" not in texts(said):
        return said
    for title, payload in buttons(said).items():
        if "雨棚" in title:
            return stack.say(who, payload)
    raise AssertionError(f"poll {number} not offered: {buttons(said)}")


def tally(stack: Stack, number: int) -> dict:
    with stack.hub() as hub:
        return hub.get(f"/api/deliberation/polls/{number}").json()


def test_a_proposal_step_by_step(live_stack: Stack) -> None:
    who = web_sender()
    asked = live_stack.say(who, h.PROPOSE_START)
    assert "您有什么建议" in texts(asked), texts(asked)
    where = live_stack.say(who, h.PROPOSAL_WHAT)
    assert "整个小区，还是哪栋楼" in texts(where), texts(where)
    why = live_stack.say(who, h.PROPOSAL_SCOPE)
    assert "为什么" in texts(why) and "不用了" in buttons(why), texts(why)
    readback = texts(live_stack.say(who, h.PROPOSAL_WHY))
    assert h.PROPOSAL_WHAT_HAS in readback and "整个小区" in readback and "对吗" in readback
    done = texts(live_stack.say(who, h.CONFIRM))
    m = re.search(r"编号是第(\d+)号", done)
    assert m, done
    with live_stack.hub() as hub:
        listed = hub.get("/api/deliberation/proposals", headers=STAFF).json()
    mine = [p for p in listed if p["number"] == int(m.group(1))]
    assert mine and h.PROPOSAL_WHAT_HAS in mine[0]["what"] and mine[0]["channel"] == "web"
    assert "歇脚" in mine[0]["why"]
    # the form is over: a greeting now is a greeting, not a proposal's answer
    assert "邻里小助手" in texts(live_stack.say(who, h.GREET_AFTER_CANCEL))


def vote_until_readback(stack: Stack, who: str, opening: str, number: int) -> list[dict]:
    said = choose_our_poll(stack, who, stack.say(who, opening), number)
    if "您的意见是" in texts(said):
        first = next(iter(buttons(said).values()))  # the first option (同意), pressed
        said = stack.say(who, first)
    assert "门牌" in texts(said), texts(said)
    said = stack.say(who, h.VOTE_HOUSEHOLD % HOUSEHOLD)
    assert "后四位" in texts(said), texts(said)
    return said


def test_a_household_votes_and_a_second_vote_replaces_the_first(
    live_stack: Stack, poll: dict
) -> None:
    number = poll["number"]
    first = web_sender()
    vote_until_readback(live_stack, first, h.VOTE_START, number)
    readback = texts(live_stack.say(first, h.VOTE_DIGITS % TAIL))
    assert "您要投：同意" in readback and "5号楼2单元301室" in readback, readback
    assert "已记下您家的投票：同意" in texts(live_stack.say(first, h.CONFIRM))
    assert tally(live_stack, number)["counts"][:2] == [1, 0]

    # a daughter votes for her mother, same household, from another device: replaces it
    second = web_sender()
    said = choose_our_poll(
        live_stack, second, live_stack.say(second, h.VOTE_FOR_MOTHER_AGAINST), number
    )
    assert "门牌" in texts(said), texts(said)
    live_stack.say(second, h.VOTE_HOUSEHOLD % HOUSEHOLD)
    readback = texts(live_stack.say(second, h.VOTE_DIGITS % TAIL))
    assert "您要投：不同意" in readback and "母亲" in readback, readback
    assert "改为：不同意" in texts(live_stack.say(second, h.CONFIRM))
    result = tally(live_stack, number)
    assert result["counts"][:2] == [0, 1] and result["participants"] == 1

    answer = texts(live_stack.say(web_sender(), h.ASK_RESULTS))
    assert "雨棚" in answer and "户" in answer, answer


def test_wrong_digits_are_asked_again_and_a_closed_poll_refuses_kindly(
    live_stack: Stack, poll: dict
) -> None:
    number = poll["number"]
    who = web_sender()
    vote_until_readback(live_stack, who, h.VOTE_START, number)
    live_stack.say(who, h.VOTE_DIGITS % "0000")
    wrong = live_stack.say(who, h.CONFIRM)
    assert "不一致" in texts(wrong) and "后四位" in texts(wrong), texts(wrong)
    assert "对吗" in texts(live_stack.say(who, h.VOTE_DIGITS % TAIL))
    with live_stack.hub() as hub:
        hub.post(f"/api/deliberation/polls/{number}/close", headers=STAFF).raise_for_status()
    refused = texts(live_stack.say(who, h.CONFIRM))
    assert "结束" in refused and "不能再投" in refused, refused
    assert tally(live_stack, number)["participants"] == 0


def test_no_thanks_to_the_why_question_skips_it_and_keeps_the_proposal(live_stack: Stack) -> None:
    who = web_sender()
    live_stack.say(who, h.PROPOSE_START)
    live_stack.say(who, h.PROPOSAL_WHAT)
    live_stack.say(who, h.PROPOSAL_SCOPE)
    readback = texts(live_stack.say(who, h.PROPOSAL_NO_REASON))  # often read as a cancel
    assert h.PROPOSAL_WHAT_HAS in readback and "对吗" in readback and "理由" not in readback
    assert "编号是第" in texts(live_stack.say(who, h.CONFIRM))


def test_a_fault_told_instead_of_a_proposal_becomes_a_report(live_stack: Stack) -> None:
    """ "I have an idea" then a broken tap: the report form takes over with the same words."""
    who = web_sender()
    assert "您有什么建议" in texts(live_stack.say(who, h.PROPOSE_START))
    said = texts(live_stack.say(who, h.PROPOSAL_TURNS_OUT_A_FAULT))
    assert "报事" in said, said
    # the report form's next question (which kind of problem, or where), no proposal question
    assert re.search(r"哪一类|在哪里", said) and "整个小区，还是哪栋楼" not in said, said
    tracker = live_stack.tracker(who)
    assert (tracker.get("active_loop") or {}).get("name") == "report_form", tracker
    assert tracker["slots"].get("description"), tracker["slots"]
