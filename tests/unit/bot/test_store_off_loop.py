"""The bot never waits on SQLite on the event loop (issue 15, item 6): every store call made by a
handler, the dialogue pump, the retry loop, the outbox pollers and the notice pusher runs on the
store's worker thread. A store that raises when it is called on the loop's thread is driven
through the real PTB application against the fakes: texts, buttons (short and long payloads),
长辈模式, voice, photos and locations, an outage, case and 议事 pushes, the confirmation
question, the notice setting and a notice."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from bot.app import running
from bot.notices import CURSOR
from bot.store import BotStore
from tests.unit.bot.helpers import eventually, tiny_jpeg, tone_ogg
from tests.unit.bot.test_flow import script_report

CHAT = 7301
SENDER = f"tg:{CHAT}"


class LoopGuard:
    """Makes every public ``BotStore`` method of one store raise ``AssertionError`` (and record
    its name) when it runs on the event loop's thread."""

    def __init__(self, store: BotStore) -> None:
        self.loop_thread = threading.get_ident()
        self.armed = True
        self.on_loop: list[str] = []
        self.off_loop: set[str] = set()
        for name, value in vars(BotStore).items():
            if callable(value) and not name.startswith("_"):
                setattr(store, name, self._guarded(name, getattr(store, name)))

    def _guarded(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if self.armed and threading.get_ident() == self.loop_thread:
                self.on_loop.append(name)
                raise AssertionError(f"BotStore.{name} called on the event loop's thread")
            self.off_loop.add(name)
            return method(*args, **kwargs)

        return guarded

    @contextlib.contextmanager
    def disarmed(self) -> Iterator[None]:
        self.armed = False
        try:
            yield
        finally:
            self.armed = True


async def test_the_guard_catches_a_call_on_the_loop(tmp_path: Path) -> None:
    store = BotStore(tmp_path / "b.db")
    guard = LoopGuard(store)
    with pytest.raises(AssertionError, match="prefs"):
        store.prefs(1)  # what a handler calling the store directly would do
    assert guard.on_loop == ["prefs"]
    assert (await store.aio.prefs(1)).chat_id == 1  # the facade goes to the worker thread
    _, after = await store.aio.update_prefs(1, lambda p: setattr(p, "elder_mode", True))
    assert after.elder_mode and (await store.aio.prefs(1)).elder_mode
    assert {"prefs", "update_prefs", "save_prefs"} <= guard.off_loop
    await store.aio.close()


async def test_no_store_call_on_the_event_loop(
    bot_factory, tmp_path, fake_tg, backend, fake_cases, fake_yishi, recognizer
):
    backend.script = script_report
    store = BotStore(tmp_path / "guarded.db")
    guard = LoopGuard(store)
    application = bot_factory(store=store)
    async with running(application):
        # /start, the 长辈模式 button, /mode, /help
        fake_tg.send_text(CHAT, "/start")
        start = await fake_tg.wait_text(CHAT, "邻里小助手")
        fake_tg.press_button(CHAT, start.result["message_id"], start.buttons[0]["callback_data"])
        await fake_tg.wait_text(CHAT, texts.MODE_ON)
        fake_tg.send_text(CHAT, "/mode")
        await fake_tg.wait_text(CHAT, texts.MODE_OFF)
        fake_tg.send_text(CHAT, "/help")
        await fake_tg.wait_text(CHAT, texts.HELP[:8])
        # a report: the question, a kept photo, a voice answer, a button, the case number
        fake_tg.send_text(CHAT, "电梯坏了")
        await fake_tg.wait_text(CHAT, "几号楼")
        fake_tg.send_photo(CHAT, tiny_jpeg())
        await fake_tg.wait_text(CHAT, texts.PHOTO_KEPT)
        recognizer.queue.append("五号楼二单元")
        fake_tg.send_voice(CHAT, tone_ogg())
        await fake_tg.wait_text(CHAT, "收到：五号楼二单元")
        fake_tg.send_text(CHAT, "要按钮")
        call = await fake_tg.wait_text(CHAT, "是这样吗")
        fake_tg.press_button(CHAT, call.result["message_id"], call.buttons[0]["callback_data"])
        await fake_tg.wait_text(CHAT, "附到工单 BS-20261121-0042")
        fake_tg.send_location(CHAT, 31.2304, 121.4737)
        await fake_tg.wait_text(CHAT, texts.LOCATION_ATTACHED.format(case_no="BS-20261121-0042"))
        # a payload too long for Telegram goes through a remembered token
        fake_tg.send_text(CHAT, "长按钮")
        call = await fake_tg.wait_text(CHAT, "选一个")
        fake_tg.press_button(CHAT, call.result["message_id"], call.buttons[0]["callback_data"])
        await eventually(lambda: "elevator" in (backend.messages(SENDER) or [""])[-1])
        # an outage: kept, told once, replayed when Rasa's side is back
        backend.actions_up = False
        fake_tg.send_text(CHAT, "停电时的话")
        await fake_tg.wait_text(CHAT, texts.OUTAGE)
        backend.actions_up = True
        await fake_tg.wait_text(CHAT, "收到：停电时的话", timeout=10)
        await fake_tg.wait_text(CHAT, texts.RECOVERED.format(text="停电时的话"))
        # messages sent in a burst reach Rasa in the order they were sent
        burst = [f"第{n}条" for n in range(1, 6)]
        for said in burst:
            fake_tg.send_text(CHAT, said)
        await fake_tg.wait_text(CHAT, "收到：第5条", timeout=10)
        assert backend.messages(SENDER)[-5:] == burst
        # pushes from both outboxes, and the confirmation question answered
        fake_cases.add_case("BS-20261121-0007", SENDER, status="resolved")
        fake_cases.push(
            41, "BS-20261121-0007", CHAT, "您的工单 BS-20261121-0007 已办结，问题解决了吗？"
        )
        fake_yishi.push(1, CHAT, "【邻里】您的第3号建议已经通过审核，谢谢您！")
        done = await fake_tg.wait_text(CHAT, "已办结")
        await fake_tg.wait_text(CHAT, "第3号建议")
        fake_tg.press_button(CHAT, done.result["message_id"], done.buttons[0]["callback_data"])
        await fake_tg.wait_text(CHAT, texts.RATE_THANKS["resolved"])
        await eventually(lambda: 41 in fake_cases.acked and 1 in fake_yishi.acked)
        # the notice setting, then a notice for the chosen building
        fake_tg.send_text(CHAT, "/tongzhi")
        menu = await fake_tg.wait_text(CHAT, texts.NOTICE_ASK)
        five = next(b for b in menu.buttons if b["text"] == "5号楼")
        fake_tg.press_button(CHAT, menu.result["message_id"], five["callback_data"])
        await fake_tg.wait_text(CHAT, texts.NOTICE_SET_BUILDING.format(building="5号楼"))
        fake_cases.publish("5号楼电梯检修", "buildings", ["5"])
        await fake_tg.wait_text(CHAT, "5号楼电梯检修")
        assert await store.aio.cursor(CURSOR) == 1
        assert (await store.aio.prefs(CHAT)).last_case_no == "BS-20261121-0042"
    assert guard.on_loop == []
    assert texts.ERROR not in fake_tg.texts(CHAT)
    assert [a["kind"] for a in fake_cases.attachments] == ["photo", "location"]
    used = {
        "seen_chat", "enqueue", "fill", "next_item", "set_state", "chats_with_work", "prefs",
        "update_prefs", "add_attachment", "attachments_for", "mark_attached", "save_button",
        "button", "push_delivered", "mark_push_delivered", "mark_push_acked", "unacked_pushes",
        "notice_pref", "set_notice_pref", "notice_audience", "claim_notice", "finish_notice",
        "cursor", "advance_cursor", "attachments_to_retry", "close",
    }  # fmt: skip
    assert used <= guard.off_loop, used - guard.off_loop
