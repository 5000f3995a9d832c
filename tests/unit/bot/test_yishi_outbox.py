"""The 议事 outbox delivered beside the case outbox (real PTB client, fake Bot API, fake outboxes;
the real hub: tests/e2e/telegram/test_yishi_live.py): once, acknowledged after the send, a blocked
chat acknowledged without its id in the logs, a hub outage retried, a crash not resent."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

from bot.app import running
from bot.ids import chat_of, chat_ref
from bot.notify import DELIBERATION_SOURCE
from bot.store import CASES_SOURCE, BotStore
from tests.unit.bot.helpers import eventually

CHAT = 7101
APPROVED = "【邻里】您的第3号建议已经通过审核，谢谢您！"


def test_recipients_map_to_chats_like_the_case_outbox() -> None:
    assert chat_of("12345") == 12345  # the hub strips tg: (cases.events.channel_of)
    assert chat_of("tg:-100200") == -100200
    assert chat_of("kiosk:abc") is None and chat_of("") is None
    assert str(CHAT) not in chat_ref(CHAT) and chat_ref(CHAT) == chat_ref(CHAT)


async def test_a_yishi_message_reaches_the_chat_once_beside_a_case_message(
    live_bot, fake_tg, fake_yishi, fake_cases
):
    # both outboxes number their rows from 1: the bot keeps them apart
    fake_yishi.push(1, CHAT, APPROVED)
    fake_cases.add_case("BS-20261203-0001", f"tg:{CHAT}")
    fake_cases.push(1, "BS-20261203-0001", CHAT, "【邻里】您的事项 BS-20261203-0001：已派单")
    await fake_tg.wait_text(CHAT, "第3号建议")
    await fake_tg.wait_text(CHAT, "已派单")
    await eventually(lambda: fake_yishi.acked == [1] and fake_cases.acked == [1])
    await asyncio.sleep(0.6)  # a few more rounds
    assert fake_tg.texts(CHAT).count(APPROVED) == 1
    store = live_bot.bot_data.services.store
    assert store.push_delivered(1, DELIBERATION_SOURCE) and store.push_delivered(1, CASES_SOURCE)


async def test_blocked_chat_is_acknowledged_and_logged_without_its_id(
    live_bot, fake_tg, fake_yishi, caplog
):
    caplog.set_level(logging.INFO)
    fake_tg.blocked_chats.add(66606660)
    fake_yishi.push(5, 66606660, "【邻里】第2号投票结果：同意 12，不同意 3")
    fake_yishi.push(6, CHAT, "【邻里】第2号投票结果：同意 12，不同意 3")
    await fake_tg.wait_text(CHAT, "投票结果")
    await eventually(lambda: sorted(fake_yishi.acked) == [5, 6])
    assert fake_tg.texts(66606660) == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert chat_ref(66606660) in logged
    assert "66606660" not in logged


async def test_hub_down_then_back_delivers_once(bot_factory, fake_tg, fake_yishi):
    fake_yishi.down = True
    fake_yishi.push(7, CHAT, "【邻里】第1号决定有了新进展：已完成")
    application = bot_factory()
    async with running(application):
        await asyncio.sleep(0.6)
        assert fake_tg.texts(CHAT) == []
        fake_yishi.down = False
        await fake_tg.wait_text(CHAT, "新进展")
        await eventually(lambda: fake_yishi.acked == [7])
        await asyncio.sleep(0.5)
    assert len([t for t in fake_tg.texts(CHAT) if "新进展" in t]) == 1


async def test_ack_lost_after_the_send_is_not_sent_again(
    bot_factory, fake_tg, fake_yishi, tmp_path: Path
):
    fake_yishi.ack_down = True
    fake_yishi.push(8, CHAT, "【邻里】您的建议已合并到第2号建议")
    application = bot_factory()
    async with running(application):
        await fake_tg.wait_text(CHAT, "合并")
        await asyncio.sleep(0.8)  # rounds see it again, unacknowledged
    assert fake_yishi.acked == []
    # a restart with the same store: acknowledged, not sent again
    fake_yishi.ack_down = False
    application = bot_factory()
    async with running(application):
        await eventually(lambda: fake_yishi.acked == [8])
        await asyncio.sleep(0.4)
    assert len([t for t in fake_tg.texts(CHAT) if "合并" in t]) == 1


def test_old_store_keeps_its_case_pushes_and_its_chats(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE pushes (outbox_id INTEGER PRIMARY KEY, delivered REAL NOT NULL,"
        " acked INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO pushes VALUES (41, 1.0, 1), (42, 2.0, 0);"
        "CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, elder_mode INTEGER NOT NULL DEFAULT 0,"
        " expect TEXT, last_case_no TEXT, last_case_at REAL,"
        " outage_notified INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO chats (chat_id) VALUES (501);"
    )
    conn.commit()
    conn.close()
    store = BotStore(path)
    assert store.push_delivered(41) and store.push_delivered(42, CASES_SOURCE)
    assert not store.push_delivered(41, DELIBERATION_SOURCE)
    assert store.unacked_pushes() == [42] and store.unacked_pushes(DELIBERATION_SOURCE) == []
    assert [p.chat_id for p in store.notice_audience()] == [501]  # talked before: notices
    store.close()
    again = BotStore(path)  # opening again changes nothing
    assert again.unacked_pushes() == [42] and len(again.notice_audience()) == 1
    again.close()
