"""Community notices pushed to Telegram (real PTB client, fake Bot API, fake case system; the real
hub: tests/e2e/telegram/test_yishi_live.py): who gets what, the /tongzhi setting, never twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import texts
from bot.app import running
from bot.ids import chat_ref
from bot.notices import CURSOR, NoticePusher, building_code, notice_text
from bot.store import BotStore, NoticeSend, NoticeWants
from tests.unit.bot.conftest import FakeCases
from tests.unit.bot.helpers import eventually

FIVE, SEVEN, DEFAULT, ALL, OFF = 7201, 7202, 7203, 7204, 7205


async def choose(fake_tg, chat_id: int, label: str) -> None:
    """The resident opens 通知设置 and presses ``label``."""
    mark = fake_tg.mark()
    fake_tg.send_text(chat_id, "/tongzhi")
    menu = await fake_tg.wait_text(chat_id, texts.NOTICE_ASK, start=mark)
    button = next(b for b in menu.buttons if b["text"].strip("👉👈 ") == label)
    fake_tg.press_button(chat_id, menu.result["message_id"], button["callback_data"])
    await fake_tg.wait_for(lambda c: c.chat_id == chat_id and c.text.startswith("好的"), start=mark)


async def test_the_menu_is_plain_and_big(live_bot, fake_tg, backend):
    fake_tg.send_text(FIVE, "通知设置")  # the words work like the command, not sent to Rasa
    menu = await fake_tg.wait_text(FIVE, texts.NOTICE_ASK)
    labels = [b["text"] for b in menu.buttons]
    assert labels[:3] == ["1号楼", "2号楼", "3号楼"] and "20号楼" in labels
    assert labels[-2:] == ["都要", "不要通知"]
    rows = menu.params["reply_markup"]["inline_keyboard"]
    assert max(len(r) for r in rows) <= 4 and [len(r) for r in rows[-2:]] == [1, 1]
    assert all(len(b["callback_data"].encode()) <= 64 for b in menu.buttons)
    assert backend.messages(f"tg:{FIVE}") in (None, [])
    fake_tg.press_button(FIVE, menu.result["message_id"], menu.buttons[4]["callback_data"])
    said = await fake_tg.wait_text(FIVE, "好的")
    assert said.text == texts.NOTICE_SET_BUILDING.format(building="5号楼")
    assert fake_tg.message(FIVE, menu.result["message_id"]).get("reply_markup") is None
    fake_tg.send_text(FIVE, "通知設置")  # Traditional
    again = await fake_tg.wait_text(FIVE, texts.NOTICE_NOW_BUILDING.format(building="5号楼"))
    assert again.buttons
    assert backend.messages(f"tg:{FIVE}") in (None, [])


async def test_each_notice_reaches_exactly_the_chats_in_its_scope(
    live_bot, fake_tg, fake_cases: FakeCases
):
    for chat_id in (FIVE, SEVEN, DEFAULT, ALL, OFF):
        fake_tg.send_text(chat_id, "你好")
        await fake_tg.wait_text(chat_id, "收到：你好")
    await choose(fake_tg, FIVE, "5号楼")
    await choose(fake_tg, SEVEN, "7号楼")
    await choose(fake_tg, ALL, "都要")
    await choose(fake_tg, OFF, "不要通知")
    fake_cases.publish("周六上午全小区停水", body="8点到12点停水，请提前储水。")
    fake_cases.publish("5号楼电梯检修", "buildings", ["5"])
    fake_cases.publish("第一网格议事会", "grids", ["G1"])  # buildings 1-5
    fake_cases.publish("12号楼楼道粉刷", "buildings", ["12"])
    await eventually(lambda: live_bot.bot_data.services.store.cursor(CURSOR) == 4)
    await asyncio.sleep(0.5)  # more rounds: nothing more

    def got(chat_id: int) -> list[str]:
        return [t.splitlines()[0] for t in fake_tg.texts(chat_id) if t.startswith("📢")]

    water = "📢 社区通知：周六上午全小区停水"
    assert got(FIVE) == [water, "📢 社区通知：5号楼电梯检修", "📢 社区通知：第一网格议事会"]
    assert got(SEVEN) == [water]
    assert got(DEFAULT) == [water]
    assert len(got(ALL)) == 4
    assert got(OFF) == []
    assert got(999) == []  # never talked to the bot
    full = next(t for t in fake_tg.texts(DEFAULT) if t.startswith(water))
    assert "8点到12点停水" in full
    notice_call = next(c for c in fake_tg.sent(DEFAULT) if c.text.startswith(water))
    assert [b["text"] for b in notice_call.buttons] == [texts.NOTICE_SETTINGS_BUTTON]


async def test_unsubscribe_stops_notices_and_the_button_under_a_notice_opens_the_menu(
    live_bot, fake_tg, fake_cases: FakeCases
):
    fake_tg.send_text(DEFAULT, "/start")
    await fake_tg.wait_text(DEFAULT, "邻里小助手")
    fake_cases.publish("燃气安全检查")
    notice = await fake_tg.wait_text(DEFAULT, "燃气安全检查")
    mark = fake_tg.mark()
    fake_tg.press_button(DEFAULT, notice.result["message_id"], notice.buttons[0]["callback_data"])
    menu = await fake_tg.wait_text(DEFAULT, texts.NOTICE_ASK, start=mark)
    off = next(b for b in menu.buttons if b["text"] == "不要通知")
    fake_tg.press_button(DEFAULT, menu.result["message_id"], off["callback_data"])
    await fake_tg.wait_text(DEFAULT, texts.NOTICE_SET_OFF, start=mark)
    fake_cases.publish("下周一停电")
    await eventually(lambda: live_bot.bot_data.services.store.cursor(CURSOR) == 2)
    assert not any("停电" in t for t in fake_tg.texts(DEFAULT))
    await choose(fake_tg, DEFAULT, "都要")  # and back on
    fake_cases.publish("社区义诊")
    await fake_tg.wait_text(DEFAULT, "社区义诊")


async def test_never_twice_across_restarts_and_crashes(
    bot_factory, fake_tg, fake_cases: FakeCases, tmp_path: Path
):
    store = BotStore(tmp_path / "bot.db")
    for chat_id in (FIVE, SEVEN):
        store.seen_chat(chat_id)
    fake_cases.publish("周三检修水管")
    # a crash after the send to SEVEN and before it was recorded: its claim stays, no resend
    assert store.claim_notice(1, SEVEN)
    store.close()
    application = bot_factory()
    async with running(application):
        await fake_tg.wait_text(FIVE, "周三检修水管")
        await eventually(lambda: application.bot_data.services.store.cursor(CURSOR) == 1)
    application = bot_factory()  # restart: the feed is read from after the watermark
    async with running(application):
        await eventually(lambda: len(fake_cases.feed_calls) >= 3 and fake_cases.feed_calls[-1] == 1)
    assert fake_tg.texts(FIVE).count(notice_text(fake_cases.notices[0])) == 1
    assert fake_tg.texts(SEVEN) == []


async def test_hub_down_blocked_chats_and_old_notices(
    bot_factory, fake_tg, fake_cases: FakeCases, caplog
):
    caplog.set_level(logging.INFO)
    fake_cases.notices_down = True
    fake_tg.blocked_chats.add(SEVEN)
    application = bot_factory()
    store = application.bot_data.services.store
    store.seen_chat(FIVE)
    store.seen_chat(SEVEN)
    fake_cases.publish("四天前的通知", published_at=datetime.now(UTC) - timedelta(days=4))
    fake_cases.publish("今晚停气", expires_at=datetime.now(UTC) + timedelta(hours=5))
    async with running(application):
        await asyncio.sleep(0.5)
        assert store.cursor(CURSOR) == 0 and fake_tg.texts(FIVE) == []
        fake_cases.notices_down = False
        call = await fake_tg.wait_text(FIVE, "今晚停气")
        await eventually(lambda: store.cursor(CURSOR) == 2)
        assert store.notice_sends(2) == {FIVE: NoticeSend.SENT, SEVEN: NoticeSend.BLOCKED}
        assert store.notice_pref(SEVEN).blocked  # no further tries
        store.seen_chat(SEVEN)  # talks again: reachable again
        assert not store.notice_pref(SEVEN).blocked
    assert "（到" in call.text and "为止）" in call.text
    assert not any("四天前" in t for t in fake_tg.texts(FIVE))
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert chat_ref(SEVEN) in logged and str(SEVEN) not in logged and str(FIVE) not in logged


async def test_a_pusher_without_telegram_keeps_the_claims_free(fake_cases: FakeCases) -> None:
    store = BotStore(":memory:")
    store.seen_chat(FIVE)
    fake_cases.publish("测试通知")
    pusher = NoticePusher(fake_cases, store, send_gap_s=0)  # not bound to a bot yet
    assert await pusher.push_once() == 0
    assert store.notice_sends(1) == {} and store.cursor(CURSOR) == 0


def test_small_parts() -> None:
    assert building_code("5号楼") == "5" and building_code(" 12 ") == "12"
    store = BotStore(":memory:")
    store.set_notice_pref(1, NoticeWants.BUILDING, "5")
    store.set_notice_pref(1, NoticeWants.ALL)  # the building is kept
    assert store.notice_pref(1).building == "5" and store.notice_pref(1).wants == NoticeWants.ALL
    assert store.notice_pref(2).wants == NoticeWants.COMMUNITY  # a new chat: community notices
    store.advance_cursor("x", 5)
    store.advance_cursor("x", 3)
    assert store.cursor("x") == 5
    assert store.claim_notice(1, 1) and not store.claim_notice(1, 1)
    store.release_notice(1, 1)
    assert store.claim_notice(1, 1)


async def test_elder_mode_hears_the_notice_too(live_bot, fake_tg, fake_cases: FakeCases):
    fake_tg.send_text(FIVE, "/mode")
    await fake_tg.wait_text(FIVE, texts.MODE_ON)
    await fake_tg.wait_for(lambda c: c.method == "sendVoice" and c.chat_id == FIVE)
    mark = fake_tg.mark()
    fake_cases.publish("明天上午停电检修")
    notice = await fake_tg.wait_text(FIVE, "明天上午停电检修", start=mark)
    assert notice.buttons[0]["text"] == f"👉 {texts.NOTICE_SETTINGS_BUTTON} 👈"
    await fake_tg.wait_for(lambda c: c.method == "sendVoice" and c.chat_id == FIVE, start=mark)


async def test_a_chat_that_comes_later_is_not_sent_older_notices(
    live_bot, fake_tg, fake_cases: FakeCases
):
    fake_tg.send_text(FIVE, "/start")
    await fake_tg.wait_text(FIVE, "邻里小助手")
    fake_cases.publish("先发的通知")
    await fake_tg.wait_text(FIVE, "先发的通知")
    fake_tg.send_text(SEVEN, "/start")
    await fake_tg.wait_text(SEVEN, "邻里小助手")
    fake_cases.publish("后发的通知")
    await fake_tg.wait_text(SEVEN, "后发的通知")
    await fake_tg.wait_text(FIVE, "后发的通知")
    assert not any("先发的通知" in t for t in fake_tg.texts(SEVEN))
