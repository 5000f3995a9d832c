"""Issue 16's 议事 dialogue in Telegram, end to end: the real PTB client against the fake Bot API
and the real stack (``live_stack``: the trained Rasa model, the action server, the hub with its
deliberation part). A resident makes a proposal step by step and confirms its read-back by
pressing 对; votes on a poll staff opened, choosing 同意 and confirming by buttons (alone, and with
a second poll open, so that the poll is chosen by a button too); then asks what was decided. The
same words and replies as over Rasa's REST channel (``tests/integration/test_yishi_dialogue.py``);
everything the resident types comes from ``tests/heldout.py``. The demo household register gives
5号楼2单元301 the phone tail 5201.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot import texts
from harness.fakes.telegram_api import FakeTelegram, SentCall
from tests import heldout as h
from tests.e2e.telegram.conftest import service_token
from tests.e2e.telegram.driver import Resident

pytestmark = pytest.mark.integration

STAFF = {"X-Staff-Name": "%E6%B5%8B%E8%AF%95"}  # 测试
HOUSEHOLD = ("5", "2", "301")
TAIL = "5201"
QUESTION = "是否在各单元门口加装雨棚"
OTHER_QUESTION = "是否把北门的门禁换成刷脸的"
"""A second poll staff open in one run, so that the bot must ask which one (by buttons)."""


def staff(live_stack: Any) -> httpx.AsyncClient:
    """The hub's API as a staff member (service token, named 测试)."""
    headers = {"Authorization": f"Bearer {service_token(live_stack)}", **STAFF}
    return httpx.AsyncClient(base_url=live_stack.hub_url, headers=headers, timeout=30)


@pytest.fixture
async def poll(live_stack: Any) -> AsyncIterator[dict[str, Any]]:
    """A poll staff open now for the whole community (closed again after the test)."""
    async with staff(live_stack) as hub:
        response = await hub.post(
            "/api/deliberation/polls", json={"question": QUESTION, "scope": "community"}
        )
        assert response.status_code in (200, 201), response.text
        created = response.json()
    yield created
    async with staff(live_stack) as hub:
        await hub.post(f"/api/deliberation/polls/{created['number']}/close")


async def tally(live_stack: Any, number: int) -> dict[str, Any]:
    """The poll as the hub counts it."""
    async with staff(live_stack) as hub:
        response = await hub.get(f"/api/deliberation/polls/{number}")
        response.raise_for_status()
        return response.json()


def said(calls: list[SentCall]) -> str:
    """Everything the bot wrote in these calls, joined."""
    return "\n".join(c.text for c in calls if c.method == "sendMessage" and c.text)


def label(button: dict[str, Any]) -> str:
    """A button's label without the 长辈模式 marks."""
    return str(button["text"]).strip("👉👈 ")


def with_button(
    calls: list[SentCall], match: Callable[[str], bool]
) -> tuple[SentCall, dict[str, Any]]:
    """The newest message carrying a button whose label satisfies ``match``, and that button."""
    for call in reversed(calls):
        for button in call.buttons:
            if match(label(button)):
                return call, button
    offered = [[label(b) for b in c.buttons] for c in calls if c.buttons]
    raise AssertionError(f"no such button; offered {offered}: {said(calls)}")


async def press(
    resident: Resident, fake_tg: FakeTelegram, calls: list[SentCall], match: Callable[[str], bool]
) -> list[SentCall]:
    """Tap a button as a person does (a callback query); the bot echoes the label, takes the
    keyboard away and answers the query."""
    call, button = with_button(calls, match)
    message_id = call.result["message_id"]
    answered = len(fake_tg.sent(method="answerCallbackQuery"))
    reply = await resident.turn(
        lambda: fake_tg.press_button(resident.chat_id, message_id, button["callback_data"])
    )
    assert texts.CHOSEN.format(title=label(button)) in said(reply), said(reply)
    assert len(fake_tg.sent(method="answerCallbackQuery")) > answered
    assert fake_tg.message(resident.chat_id, message_id).get("reply_markup") is None
    return reply


def exactly(title: str) -> Callable[[str], bool]:
    """Matches the button labelled ``title`` (同意 is not 不同意, 对 is not 不对)."""
    return lambda text: text == title


async def test_a_proposal_confirmed_by_pressing_yes(tg_bot, fake_tg, chat_id, live_stack):
    resident = Resident(fake_tg, tg_bot, chat_id)
    asked = await resident.say(h.PROPOSE_START)
    assert "您有什么建议" in said(asked), said(asked)
    where = await resident.say(h.PROPOSAL_WHAT)
    assert "整个小区，还是哪栋楼" in said(where), said(where)
    why = await resident.say(h.PROPOSAL_SCOPE)
    assert "为什么" in said(why), said(why)
    with_button(why, exactly("不用了"))  # the reason may be skipped by a button
    readback = await resident.say(h.PROPOSAL_WHY)
    text = said(readback)
    assert h.PROPOSAL_WHAT_HAS in text and "整个小区" in text and "对吗" in text, text
    assert resident.expect == "yes_no"
    done = said(await press(resident, fake_tg, readback, exactly("对")))
    found = re.search(r"编号是第(\d+)号", done)
    assert found, done
    async with staff(live_stack) as hub:
        response = await hub.get("/api/deliberation/proposals")
        response.raise_for_status()
    mine = [p for p in response.json() if p["number"] == int(found.group(1))]
    assert len(mine) == 1, response.json()
    assert h.PROPOSAL_WHAT_HAS in mine[0]["what"] and "歇脚" in mine[0]["why"], mine[0]
    assert mine[0]["channel"] == "telegram" and mine[0]["scope"] == "community", mine[0]


@pytest.fixture(params=["alone", "among_others"])
async def other_poll(request: pytest.FixtureRequest, live_stack: Any) -> AsyncIterator[int | None]:
    """Nothing, or a second poll open at the same time (closed again after the test)."""
    if request.param == "alone":
        yield None
        return
    async with staff(live_stack) as hub:
        response = await hub.post(
            "/api/deliberation/polls", json={"question": OTHER_QUESTION, "scope": "community"}
        )
        assert response.status_code in (200, 201), response.text
    number = int(response.json()["number"])
    yield number
    async with staff(live_stack) as hub:
        await hub.post(f"/api/deliberation/polls/{number}/close")


async def test_a_vote_by_buttons_then_what_was_decided(
    tg_bot, fake_tg, chat_id, live_stack, poll, other_poll
):
    number = poll["number"]
    resident = Resident(fake_tg, tg_bot, chat_id)
    calls = await resident.say(h.VOTE_START)
    if other_poll is not None:
        assert "您要投哪一个" in said(calls), said(calls)
    if "您要投哪一个" in said(calls):  # other polls are open too: press ours
        calls = await press(resident, fake_tg, calls, lambda t: "雨棚" in t)
    assert "您的意见是" in said(calls) and QUESTION in said(calls), said(calls)
    calls = await press(resident, fake_tg, calls, exactly("同意"))
    assert "门牌" in said(calls), said(calls)
    calls = await resident.say(h.VOTE_HOUSEHOLD % HOUSEHOLD)
    assert "后四位" in said(calls), said(calls)
    readback = await resident.say(h.VOTE_DIGITS % TAIL)
    text = said(readback)
    assert "您要投：同意" in text and "5号楼2单元301室" in text and "对吗" in text, text
    done = said(await press(resident, fake_tg, readback, exactly("对")))
    assert "已记下您家的投票：同意" in done or "改为：同意" in done, done
    await asyncio.sleep(1.0)  # more retry rounds of the bot: the vote is not sent twice
    result = await tally(live_stack, number)
    assert result["participants"] == 1 and result["counts"] == [1, 0, 0], result
    if other_poll is not None:
        assert (await tally(live_stack, other_poll))["participants"] == 0

    answer = said(await resident.say(h.ASK_RESULTS))
    line = next((ln for ln in answer.splitlines() if QUESTION in ln), "")
    assert re.search(r"\d+户", line), answer
    assert "已经有1户投了票" in line, answer
