"""Issue 13 item 2 in Telegram, end to end (real PTB client, fake Bot API, real Rasa, action
server and hub): a case reported at the kiosk is checked by its number plus the last 4 digits
of the reporting phone, and answered 没解决 with the button the bot shows."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from core.contracts import CaseCreate, CaseType, Channel, Location
from tests import heldout as h
from tests.e2e.telegram.driver import Resident
from tests.e2e.telegram.test_telegram_live import _resolve

pytestmark = pytest.mark.integration

KIOSK_PHONE = "13566667777"


async def test_a_kiosk_case_is_checked_and_answered_by_button(
    tg_bot, fake_tg, chat_id, case_client, live_stack
):
    case = await case_client.create_case(CaseCreate(
        type=CaseType.REPORT, category="corridor_light", description="楼道灯不亮",
        location=Location(building="5", unit="2"), contact_phone=KIOSK_PHONE,
        channel=Channel.KIOSK, sender_id=f"kiosk:{secrets.token_hex(6)}"))  # fmt: skip
    no = case.case_no
    await asyncio.to_thread(_resolve, live_stack, no)
    resident = Resident(fake_tg, tg_bot, chat_id)
    calls = await resident.say(h.TG_STATUS_NUMBER_AND_PHONE % (no[-4:], KIOSK_PHONE[-4:]))
    said = "\n".join(c.text for c in calls if c.method == "sendMessage")
    assert f"查到了。编号 {no}" in said and "5号楼2单元" in said, said
    assert KIOSK_PHONE not in said
    question = next(c for c in calls if c.buttons)
    assert [b["text"] for b in question.buttons] == ["解决了", "部分解决", "没解决"]

    answer = await resident.press(question, "没解决")
    replies = "\n".join(c.text for c in answer if c.method == "sendMessage")
    assert "重新打开" in replies, replies
    assert (await case_client.get_case(no)).status not in ("resolved", "closed")
    assert any(e.status == "reopened" for e in await case_client.get_history(no))
    # the kiosk case stays the kiosk's: this chat did not become its reporter
    assert await case_client.list_cases_for_sender(f"tg:{chat_id}") == []
