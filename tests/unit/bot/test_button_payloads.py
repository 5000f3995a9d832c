"""Rasa's buttons with ``/intent{"slot":"value"}`` payloads in Chinese (proposals, votes) go
through Telegram's 64-byte callback data and come back to Rasa byte for byte (real PTB client,
fake Bot API, scripted Rasa)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import texts
from bot.app import running
from bot.keyboards import CALLBACK_LIMIT, RASA_PREFIX, TOKEN_PREFIX, rasa_keyboard
from bot.store import BotStore
from core.rasa_rest import Button
from tests.unit.bot.helpers import eventually

CHAT = 7301
SENDER = f"tg:{CHAT}"

VOTE = [
    ("同意", '/vote{"poll":"3","choice":"同意"}'),
    ("不同意", '/vote{"poll":"3","choice":"不同意"}'),
    ("弃权", '/vote{"poll":"3","choice":"弃权"}'),
]
"""Short enough to travel in the callback data itself."""
PROPOSE = [
    ("对", '/affirm{"proposal_what":"在5号楼和6号楼之间加装两张长椅，方便老人歇脚",'
           '"proposal_where":"5号楼"}'),
    ("全社区", '/inform{"proposal_where":"全社区","proposal_why":"晚上散步的老人多，路灯太暗"}'),
    ("投给5号楼的", '/vote{"poll":"12","choice":"同意","relation":"女儿",'
                   '"household":"5号楼2单元301室"}'),
]  # fmt: skip
"""Longer than 64 bytes in UTF-8 (a Chinese character is 3 bytes): remembered in the store."""


def script(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    pairs = {"投票": VOTE, "提建议": PROPOSE}.get(message)
    if pairs is None:
        return [{"recipient_id": sender, "text": f"收到：{message}"}]
    buttons = [{"title": t, "payload": p} for t, p in pairs]
    return [{"recipient_id": sender, "text": "请选一个：", "buttons": buttons}]


@pytest.mark.parametrize("pairs", [VOTE, PROPOSE], ids=["vote", "proposal"])
async def test_each_button_round_trips_to_rasa_exactly(live_bot, fake_tg, backend, pairs):
    backend.script = script
    word = "投票" if pairs is VOTE else "提建议"
    for title, payload in pairs:
        mark = fake_tg.mark()
        fake_tg.send_text(CHAT, word)
        menu = await fake_tg.wait_text(CHAT, "请选一个", start=mark)
        assert [b["text"] for b in menu.buttons] == [t for t, _ in pairs]
        assert all(len(b["callback_data"].encode()) <= CALLBACK_LIMIT for b in menu.buttons)
        button = next(b for b in menu.buttons if b["text"] == title)
        long = len((RASA_PREFIX + payload).encode()) > CALLBACK_LIMIT
        assert button["callback_data"].startswith(TOKEN_PREFIX if long else RASA_PREFIX)
        fake_tg.press_button(CHAT, menu.result["message_id"], button["callback_data"])
        await eventually(lambda p=payload: (backend.messages(SENDER) or [""])[-1] == p)
        got = backend.messages(SENDER)[-1]
        assert got == payload
        assert json.loads(got[got.index("{") :]) == json.loads(payload[payload.index("{") :])
        await fake_tg.wait_text(CHAT, texts.CHOSEN.format(title=title), start=mark)


async def test_a_long_button_still_works_after_a_restart(bot_factory, fake_tg, backend):
    backend.script = script
    application = bot_factory()
    async with running(application):
        fake_tg.send_text(CHAT, "提建议")
        menu = await fake_tg.wait_text(CHAT, "请选一个")
    title, payload = PROPOSE[0]
    application = bot_factory()  # the same bot.db: the remembered payload is still there
    async with running(application):
        fake_tg.press_button(CHAT, menu.result["message_id"], menu.buttons[0]["callback_data"])
        await eventually(lambda: (backend.messages(SENDER) or [""])[-1] == payload)


async def test_another_chats_long_button_is_refused(live_bot, fake_tg, backend):
    backend.script = script
    fake_tg.send_text(CHAT, "提建议")
    menu = await fake_tg.wait_text(CHAT, "请选一个")
    stranger = 7399
    fake_tg.send_text(stranger, "你好")
    hello = await fake_tg.wait_text(stranger, "收到：你好")
    # a forged press in another chat carrying this chat's token
    fake_tg.press_button(stranger, hello.result["message_id"], menu.buttons[0]["callback_data"])
    await fake_tg.wait_text(stranger, texts.ERROR)
    assert PROPOSE[0][1] not in (backend.messages(f"tg:{stranger}") or [])


def test_keyboard_keeps_every_callback_within_64_bytes() -> None:
    store = BotStore(":memory:")
    buttons = [Button(t, p) for t, p in VOTE + PROPOSE]
    markup = rasa_keyboard(buttons, chat_id=CHAT, store=store, elder_mode=True)
    for row, (title, payload) in zip(markup.inline_keyboard, VOTE + PROPOSE, strict=True):
        data = row[0].callback_data
        assert isinstance(data, str) and len(data.encode()) <= CALLBACK_LIMIT
        if data.startswith(TOKEN_PREFIX):
            assert store.button(data[len(TOKEN_PREFIX) :], CHAT) == (title, payload)
            assert store.button(data[len(TOKEN_PREFIX) :], CHAT + 1) is None
        else:
            assert data == RASA_PREFIX + payload
