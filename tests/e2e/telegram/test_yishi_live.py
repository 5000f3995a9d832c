"""Issue 16 in Telegram, end to end: the real PTB client against the fake Bot API and the real hub
(``live_stack``: its deliberation and case parts, seeded demo community). A proposal's moderation
reaches the proposer's chat exactly once; community notices published in the staff console reach
the chats in their scope (building buttons from the hub, grids resolved by the hub), once; a chat
that said 不要通知 gets none. The fakes these stand for: tests/unit/bot/conftest.py."""

from __future__ import annotations

import asyncio
import re
import secrets
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot import texts
from bot.app import running
from bot.notices import CURSOR
from deliberation.client import DeliberationClient
from deliberation.schemas import ProposalIn
from harness.fakes.telegram_api import FakeTelegram
from harness.stack import ROOT
from tests.e2e.telegram.conftest import service_token

pytestmark = pytest.mark.integration

FAST = {"push_interval_s": 0.3, "notices_interval_s": 0.3, "notice_send_gap_s": 0.0}


@pytest.fixture
async def yishi_bot(bot_factory) -> AsyncIterator[Any]:
    """The running bot, reading the outboxes and the notice feed often."""
    application = bot_factory(**FAST)
    async with running(application):
        yield application


def staff_client(live_stack: Any) -> tuple[httpx.Client, str]:
    """An admin created with the CLI, logged in to the console: (client, CSRF token)."""
    username = f"e2e{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    env = {**live_stack.env, "CASES_NEW_PASSWORD": password}
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "cases", "create-user", "--role", "admin",
         "--username", username],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    client = httpx.Client(base_url=live_stack.hub_url, timeout=30)
    login = client.post("/staff/login", data={"username": username, "password": password})
    assert login.status_code in (200, 303), login.text[:300]
    page = client.get("/staff/notices")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:300]
    return client, match.group(1)


def publish(staff: tuple[httpx.Client, str], title: str, **form: Any) -> None:
    """Publish a notice the way staff do it in the console."""
    client, csrf = staff
    response = client.post(
        "/staff/notices", data={"csrf_token": csrf, "title": title, "body": "详见公告栏。", **form}
    )
    assert response.status_code in (200, 303), response.text[:300]
    assert "未能发布" not in response.text


async def choose(fake_tg: FakeTelegram, chat_id: int, label: str) -> None:
    """The resident opens 通知设置 (/tongzhi) and presses ``label``."""
    mark = fake_tg.mark()
    fake_tg.send_text(chat_id, "/tongzhi")
    menu = await fake_tg.wait_text(chat_id, texts.NOTICE_ASK, start=mark)
    button = next(b for b in menu.buttons if b["text"] == label)
    fake_tg.press_button(chat_id, menu.result["message_id"], button["callback_data"])
    await fake_tg.wait_for(lambda c: c.chat_id == chat_id and c.text.startswith("好的"), start=mark)


async def propose(live_stack: Any, chat_id: int, what: str) -> int:
    """A resident's proposal from this chat, submitted as the dialogue does; its number."""
    async with DeliberationClient(live_stack.hub_url, service_token(live_stack)) as client:
        receipt = await client.submit_proposal(
            ProposalIn(what=what, why="老人多，方便大家", channel="telegram",
                       resident_key=f"tg:{chat_id}", idempotency_key=secrets.token_hex(8))
        )  # fmt: skip
    return receipt.number


async def moderate(live_stack: Any, number: int, action: str, **body: str) -> None:
    """Staff approve or decline (service token, named like a console member)."""
    async with httpx.AsyncClient(
        base_url=live_stack.hub_url,
        headers={"Authorization": f"Bearer {service_token(live_stack)}", "X-Staff-Name": "e2e"},
    ) as staff:
        response = await staff.post(
            f"/api/deliberation/proposals/{number}/{action}", json=body or None
        )
        assert response.status_code == 200, response.text


async def left_for(live_stack: Any, chat_id: int) -> list[Any]:
    """The chat's messages still waiting in the 议事 outbox."""
    async with DeliberationClient(live_stack.hub_url, service_token(live_stack)) as client:
        left = await client.fetch_outbox("telegram")
    return [item for item in left if item.recipient == str(chat_id)]


async def test_proposal_decisions_reach_the_proposer_once(yishi_bot, fake_tg, chat_id, live_stack):
    approved = await propose(live_stack, chat_id, "在小区北门装一个快递柜")
    declined = await propose(live_stack, chat_id, "把小区花园改成停车场")
    await moderate(live_stack, approved, "approve")
    await moderate(live_stack, declined, "decline", reason="花园是大家休息的地方")
    yes = f"您提的第{approved}号建议已通过审核"
    no = f"您提的第{declined}号建议这次没有通过审核，原因是：花园是大家休息的地方"
    await fake_tg.wait_text(chat_id, yes, timeout=30)
    await fake_tg.wait_text(chat_id, no, timeout=30)
    await asyncio.sleep(1.5)  # several more rounds of both outboxes
    assert len([t for t in fake_tg.texts(chat_id) if yes in t]) == 1
    assert len([t for t in fake_tg.texts(chat_id) if no in t]) == 1
    assert await left_for(live_stack, chat_id) == []  # acknowledged


async def test_a_chat_that_blocked_the_bot_is_acknowledged(yishi_bot, fake_tg, chat_id, live_stack):
    fake_tg.blocked_chats.add(chat_id)
    number = await propose(live_stack, chat_id, "楼下的长椅修一修")
    await moderate(live_stack, number, "approve")
    deadline = asyncio.get_running_loop().time() + 30
    while await left_for(live_stack, chat_id):
        assert asyncio.get_running_loop().time() < deadline, "never acknowledged"
        await asyncio.sleep(0.2)
    assert fake_tg.texts(chat_id) == []


async def test_notices_reach_the_chats_in_scope_once(yishi_bot, fake_tg, live_stack):
    five, seven, anyone, nobody = (int(f"8{secrets.randbelow(10**7):07d}") for _ in range(4))
    store = yishi_bot.bot_data.services.store
    for chat in (five, seven, anyone, nobody):
        mark = fake_tg.mark()
        fake_tg.send_text(chat, "/start")
        await fake_tg.wait_text(chat, "邻里小助手", start=mark)
    await choose(fake_tg, five, "5号楼")
    await choose(fake_tg, seven, "7号楼")
    await choose(fake_tg, nobody, texts.NOTICE_OFF_BUTTON)
    menu = next(c for c in fake_tg.sent(five) if c.text.startswith(texts.NOTICE_ASK))
    assert [b["text"] for b in menu.buttons][:20] == [f"{n}号楼" for n in range(1, 21)]

    tag = secrets.token_hex(3)
    staff = await asyncio.to_thread(staff_client, live_stack)
    await asyncio.to_thread(publish, staff, f"全小区停水{tag}", scope_kind="community")
    await asyncio.to_thread(publish, staff, f"5号楼电梯检修{tag}", scope_kind="buildings",
                            buildings=["5"])  # fmt: skip
    # 第二网格 is buildings 6-10 in the seeded community: the hub says which buildings it covers
    await asyncio.to_thread(
        publish, staff, f"第二网格议事会{tag}", scope_kind="grids", grids=["G2"]
    )
    await fake_tg.wait_text(anyone, f"全小区停水{tag}", timeout=30)
    await fake_tg.wait_text(five, f"5号楼电梯检修{tag}", timeout=30)
    await fake_tg.wait_text(seven, f"第二网格议事会{tag}", timeout=30)
    await asyncio.sleep(1.5)  # more rounds: nothing more, nothing twice
    assert store.cursor(CURSOR) > 0

    def got(chat: int) -> list[str]:
        return [t for t in fake_tg.texts(chat) if t.startswith("📢") and tag in t]

    assert [t.splitlines()[0] for t in got(five)] == [
        f"📢 社区通知：全小区停水{tag}",
        f"📢 社区通知：5号楼电梯检修{tag}",
    ]
    assert [t.splitlines()[0] for t in got(seven)] == [
        f"📢 社区通知：全小区停水{tag}",
        f"📢 社区通知：第二网格议事会{tag}",
    ]
    assert [t.splitlines()[0] for t in got(anyone)] == [f"📢 社区通知：全小区停水{tag}"]
    assert got(nobody) == []
    await asyncio.to_thread(staff[0].close)
