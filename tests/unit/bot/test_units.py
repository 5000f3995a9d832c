"""Unit tests of the bot's pure parts: settings, store, Rasa client, keyboards, helpers."""

from __future__ import annotations

import socket

import pytest
from pydantic import ValidationError

from bot.config import BotSettings
from bot.dialogue import CASE_NO_RE, speakable
from bot.keyboards import rasa_keyboard, rating_keyboard
from bot.store import BotStore, InboxState
from core.rasa_rest import BotMessage, Button, RasaClient, RasaUnavailable


def test_token_is_required_and_placeholders_refused(monkeypatch):
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(ValidationError):
        BotSettings(_env_file=None)
    with pytest.raises(ValidationError):
        BotSettings(token="changethis", _env_file=None)
    monkeypatch.setenv("BOT_TOKEN", "42:real")
    monkeypatch.setenv("BOT_ALLOWED_CHATS", "[1, 2]")
    monkeypatch.setenv("BOT_API_BASE_URL", "http://127.0.0.1:8081/bot")
    settings = BotSettings(_env_file=None)
    assert settings.allowed_chats == [1, 2]
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.mode == "polling"
    assert "42:real" not in repr(settings)


def test_inbox_dedupes_keeps_order_and_waits_for_voice():
    store = BotStore(":memory:")
    first = store.enqueue(1, 10, "voice", None, waiting=True)
    assert store.enqueue(1, 10, "voice", None) is None  # same update again
    store.enqueue(1, 11, "text", "第二句")
    assert store.next_item(1).state == InboxState.WAITING  # the text waits behind the voice note
    assert store.chats_with_work() == [1]
    store.fill(first, "第一句")
    item = store.next_item(1)
    assert (item.text, item.message_id) == ("第一句", "tg:1:10")
    store.set_state(item.id, InboxState.DONE, attempted=True)
    assert store.next_item(1).text == "第二句"
    store.fill(store.enqueue(2, 5, "voice", None, waiting=True), None)
    assert store.next_item(2) is None  # unclear voice note dropped


def test_prefs_roundtrip(tmp_path):
    store = BotStore(tmp_path / "b.db")
    prefs = store.prefs(9)
    assert not prefs.elder_mode
    prefs.elder_mode, prefs.expect, prefs.last_case_no = True, "location", "BS-20261121-0001"
    store.save_prefs(prefs)
    store.close()
    again = BotStore(tmp_path / "b.db").prefs(9)
    assert (again.elder_mode, again.expect, again.last_case_no) == (
        True,
        "location",
        "BS-20261121-0001",
    )


def test_bot_message_parsing():
    msg = BotMessage.from_dict(
        {
            "recipient_id": "tg:1",
            "text": "在哪？",
            "buttons": [{"title": "东门", "payload": "东门"}],
        }
    )
    assert msg.text == "在哪？" and msg.buttons == [Button("东门", "东门")] and msg.expect is None
    hint = BotMessage.from_dict({"recipient_id": "tg:1", "custom": {"expect": "location"}})
    assert hint.text == "" and hint.expect == "location"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_connection_refused_is_safe_to_retry():
    client = RasaClient(f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(RasaUnavailable) as info:
        await client.send("tg:1", "你好")
    assert info.value.maybe_delivered is False
    assert await client.has_message("tg:1", "tg:1:1") is None
    await client.aclose()


async def test_server_error_may_have_been_delivered(backend):
    client = RasaClient(backend.url)
    backend.webhook_status = 500
    with pytest.raises(RasaUnavailable) as info:
        await client.send("tg:1", "你好", {"message_id": "tg:1:7"})
    assert info.value.maybe_delivered is True
    assert await client.has_message("tg:1", "tg:1:7") is True
    assert await client.has_message("tg:1", "tg:1:8") is False
    replies = await client.replies_to("tg:1", "tg:1:7")
    assert [r.text for r in replies] == ["收到：你好"]
    await client.aclose()


def test_keyboards():
    store = BotStore(":memory:")
    buttons = [Button(t, t) for t in ["很急", "不急"]]
    markup = rasa_keyboard(buttons, chat_id=1, store=store, elder_mode=False)
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [["很急", "不急"]]
    big = rasa_keyboard(buttons, chat_id=1, store=store, elder_mode=True)
    assert len(big.inline_keyboard) == 2 and "很急" in big.inline_keyboard[0][0].text
    many = rasa_keyboard(
        [Button(str(i), str(i)) for i in range(9)], chat_id=1, store=store, elder_mode=False
    )
    shown = [b.text for r in many.inline_keyboard for b in r]
    assert len(shown) == 8 and shown[-1] == "8"  # the last (the way out: 其他, 转人工) is kept
    rate = rating_keyboard("BS-20261121-0042")
    assert [b.callback_data for b in rate.inline_keyboard[0]] == [
        "rate:BS-20261121-0042:resolved",
        "rate:BS-20261121-0042:partial",
        "rate:BS-20261121-0042:unresolved",
    ]


def test_case_numbers_and_speakable_text():
    text = "已受理！您的报事编号是 BS-20261121-0042（尾号 0 0 4 2）。"
    assert CASE_NO_RE.findall(text) == ["BS-20261121-0042"]
    assert CASE_NO_RE.findall("FW-20261121-0001和XBS-20261121-00421") == ["FW-20261121-0001"]
    assert speakable("🏠 你好 https://x.y/z • 报事") == "你好 报事"


def test_elder_mode_says_the_closest_questions_where_they_are_asked():
    # the FAQ is unsure: "您是想问：" is followed by the buttons. Read aloud in 长辈模式, the
    # voice note said "您是想问：都不是的话……" and the questions only at the very end
    from actions.consult import NOT_SURE, NOT_SURE_NOTE
    from bot.dialogue import spoken_line

    titles = ["社区活动室能借用吗？", "社区有老年人活动吗？", "转人工"]
    said = spoken_line(f"{NOT_SURE}\n{NOT_SURE_NOTE}", titles)
    assert said.startswith(
        "我不太确定，您是想问：社区活动室能借用吗，还是社区有老年人活动吗？都不是"
    )
    assert "可以说" not in said and said.count("社区有老年人活动吗") == 1
    assert spoken_line("是这样吗？", ["对", "不对"]) == "是这样吗？可以说：对、不对"
    assert spoken_line("编号如下：\n都在这里", []) == "编号如下：\n都在这里"


def test_every_category_button_is_shown_with_other():
    # "这属于哪一类问题？" offers 8 categories ending in 其他; Telegram showed the first 6, so a
    # resident whose problem fits none (煤气灶打不着火) had no 其他 to tap
    from actions.ask import AskCategory
    from bot.keyboards import rasa_keyboard

    titles = [b["title"] for b in AskCategory().buttons()]
    for elder in (False, True):
        markup = rasa_keyboard(
            [Button(t, t) for t in titles], chat_id=1, store=BotStore(":memory:"), elder_mode=elder
        )
        shown = [b.text.strip("👉👈 ") for row in markup.inline_keyboard for b in row]
        assert shown == titles and shown[-1] == "其他"
