"""The real PTB client against the fake Bot API and a scripted Rasa: turns, buttons, voice,
photos, locations, pushes, modes and outages."""

from __future__ import annotations

import asyncio
from typing import Any

from bot import texts
from bot.app import running
from bot.store import InboxState
from tests.unit.bot.helpers import eventually, silent_ogg, tiny_jpeg, tiny_png, tone_ogg

CHAT = 7001
SENDER = f"tg:{CHAT}"


def script_report(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """A miniature report dialogue."""
    if message == "电梯坏了":
        return [
            {
                "recipient_id": sender,
                "text": "好的，请问在几号楼？",
                "custom": {"expect": "location"},
            }
        ]
    if message == "要按钮":
        return [
            {
                "recipient_id": sender,
                "text": "是这样吗？",
                "buttons": [
                    {"title": "对", "payload": "/affirm"},
                    {"title": "不对", "payload": "/deny"},
                ],
            }
        ]
    if message == "长按钮":
        payload = '/inform{"category":"elevator","location":"五号楼二单元","note":"很长很长的说明"}'
        return [
            {
                "recipient_id": sender,
                "text": "选一个",
                "buttons": [{"title": "电梯", "payload": payload}],
            }
        ]
    if message == "邻居报过":
        return [
            {
                "recipient_id": sender,
                "text": "已受理！您的报事编号是 BS-20261121-0043（尾号 0 0 4 3）。"
                "这个问题邻居已经反映过了（编号 BS-20261121-0042），您的反映已合并进去。",
            },
            {"recipient_id": sender, "custom": {"case_no": "BS-20261121-0043", "type": "report"}},
        ]
    if message in ("/affirm", "对"):
        return [{"recipient_id": sender, "text": "已为您登记，工单号 BS-20261121-0042，请记好。"}]
    return [{"recipient_id": sender, "text": f"收到：{message}"}]


async def test_buttons_become_inline_keyboard_and_press_sends_payload(live_bot, fake_tg, backend):
    backend.script = script_report
    fake_tg.send_text(CHAT, "要按钮")
    call = await fake_tg.wait_text(CHAT, "是这样吗")
    assert [b["text"] for b in call.buttons] == ["对", "不对"]
    message_id = call.result["message_id"]
    mark = fake_tg.mark()
    fake_tg.press_button(CHAT, message_id, call.buttons[0]["callback_data"])
    await fake_tg.wait_text(CHAT, "工单号", start=mark)
    assert backend.messages(SENDER)[-1] == "/affirm"
    assert any(c.method == "answerCallbackQuery" for c in fake_tg.sent())
    assert fake_tg.message(CHAT, message_id).get("reply_markup") is None
    assert texts.CHOSEN.format(title="对") in fake_tg.texts(CHAT)


async def test_long_payload_goes_through_a_token(live_bot, fake_tg, backend):
    backend.script = script_report
    fake_tg.send_text(CHAT, "长按钮")
    call = await fake_tg.wait_text(CHAT, "选一个")
    data = call.buttons[0]["callback_data"]
    assert len(data.encode()) <= 64 and data.startswith("t:")
    fake_tg.press_button(CHAT, call.result["message_id"], data)
    await eventually(lambda: "elevator" in (backend.messages(SENDER) or [""])[-1])
    assert backend.messages(SENDER)[-1].startswith('/inform{"category":"elevator"')


async def test_voice_note_uses_expectation_and_shows_transcript(
    live_bot, fake_tg, backend, recognizer
):
    backend.script = script_report
    fake_tg.send_text(CHAT, "电梯坏了")
    await fake_tg.wait_text(CHAT, "几号楼")
    recognizer.queue.append("五号楼二单元")
    mark = fake_tg.mark()
    fake_tg.send_voice(CHAT, tone_ogg())
    await fake_tg.wait_text(CHAT, "我听到的是：五号楼二单元", start=mark)
    await fake_tg.wait_text(CHAT, "收到：五号楼二单元", start=mark)
    assert recognizer.calls[-1][1].kind == "location"
    assert any("号楼" in p for p in recognizer.calls[-1][1].phrases)


async def test_unclear_voice_asks_again_and_sends_nothing(live_bot, fake_tg, backend, recognizer):
    recognizer.default = ""
    fake_tg.send_voice(CHAT, tone_ogg())
    await fake_tg.wait_text(CHAT, texts.VOICE_UNCLEAR)
    fake_tg.send_voice(CHAT, silent_ogg())
    await fake_tg.wait_text(CHAT, "没听到声音")
    fake_tg.send_text(CHAT, "你好")
    await fake_tg.wait_text(CHAT, "收到：你好")
    assert backend.messages(SENDER) == ["你好"]


async def test_outage_keeps_messages_and_replays_them_in_order_once(live_bot, fake_tg, backend):
    backend.actions_up = False
    fake_tg.send_text(CHAT, "第一句")
    await fake_tg.wait_text(CHAT, texts.OUTAGE)
    fake_tg.send_text(CHAT, "第二句")
    await fake_tg.wait_text(CHAT, texts.OUTAGE_QUEUED)
    assert backend.messages(SENDER) == []
    backend.actions_up = True
    await fake_tg.wait_text(CHAT, "收到：第二句", timeout=10)
    assert backend.messages(SENDER) == ["第一句", "第二句"]
    all_texts = fake_tg.texts(CHAT)
    assert all_texts.index("收到：第一句") < all_texts.index("收到：第二句")
    assert texts.RECOVERED.format(text="第一句") in all_texts
    await asyncio.sleep(0.5)  # a few more retry rounds must not send anything again
    assert backend.messages(SENDER) == ["第一句", "第二句"]


async def test_rasa_error_after_sending_is_not_sent_twice(bot_factory, fake_tg, backend):
    backend.script = script_report
    application = bot_factory(uncertain_grace_s=0.5)
    async with running(application):
        backend.webhook_status = 500  # Rasa processed it, the answer got lost
        fake_tg.send_text(CHAT, "对")
        await fake_tg.wait_text(CHAT, texts.OUTAGE)
        backend.webhook_status = 200
        # the reply is recovered from Rasa's tracker instead of sending "对" again
        await fake_tg.wait_text(CHAT, "工单号 BS-20261121-0042", timeout=10)
        await asyncio.sleep(0.5)
        store = application.bot_data.services.store
        assert store.count(CHAT, InboxState.DONE) == 1
        assert store.prefs(CHAT).last_case_no == "BS-20261121-0042"
    assert backend.messages(SENDER) == ["对"]
    assert texts.RECOVERED_PLAIN not in fake_tg.texts(CHAT)


async def test_message_rasa_never_got_is_sent_after_the_grace(bot_factory, fake_tg, backend):
    application = bot_factory(uncertain_grace_s=0.5)
    async with running(application):
        store = application.bot_data.services.store
        # as if the bot had sent it, then lost the connection before Rasa read it
        item_id = store.enqueue(CHAT, 1, "text", "没送到的话")
        store.set_state(item_id, InboxState.UNCERTAIN, attempted=True)
        await fake_tg.wait_text(CHAT, "收到：没送到的话", timeout=10)
    assert backend.messages(SENDER) == ["没送到的话"]


async def test_duplicate_update_is_processed_once(live_bot, fake_tg, backend):
    update_id = fake_tg.next_update_id()
    message = {
        "message_id": 99,
        "date": 0,
        "chat": {"id": CHAT, "type": "private"},
        "from": {"id": CHAT, "is_bot": False, "first_name": "x"},
        "text": "重复",
    }
    fake_tg.inject_raw({"update_id": update_id, "message": message})
    await fake_tg.wait_text(CHAT, "收到：重复")
    fake_tg.inject_raw({"update_id": update_id, "message": message})  # redelivered after a crash
    fake_tg.send_text(CHAT, "下一句")
    await fake_tg.wait_text(CHAT, "收到：下一句")
    assert backend.messages(SENDER) == ["重复", "下一句"]


async def test_photo_before_case_is_attached_when_case_number_arrives(
    live_bot, fake_tg, backend, fake_cases
):
    backend.script = script_report
    fake_tg.send_text(CHAT, "电梯坏了")
    await fake_tg.wait_text(CHAT, "几号楼")
    fake_tg.send_photo(CHAT, tiny_jpeg())
    await fake_tg.wait_text(CHAT, texts.PHOTO_KEPT)
    fake_tg.send_location(CHAT, 31.2304, 121.4737)
    await fake_tg.wait_text(CHAT, texts.LOCATION_KEPT)
    assert fake_cases.attachments == []
    fake_tg.send_text(CHAT, "对")
    await fake_tg.wait_text(CHAT, "附到工单 BS-20261121-0042")
    kinds = [a["kind"] for a in fake_cases.attachments]
    assert kinds == ["photo", "location"]
    assert fake_cases.attachments[0]["data"] == tiny_jpeg()
    assert fake_cases.attachments[0]["content_type"] == "image/jpeg"
    assert fake_cases.attachments[1]["latitude"] == 31.2304
    assert {a["case_no"] for a in fake_cases.attachments} == {"BS-20261121-0042"}
    # A photo right after the case was created goes straight to it.
    fake_tg.send_document(CHAT, tiny_png(), "image/png", "leak.png")
    await fake_tg.wait_text(CHAT, texts.PHOTO_ATTACHED.format(case_no="BS-20261121-0042"))
    assert fake_cases.attachments[-1]["content_type"] == "image/png"


async def test_photo_limits(bot_factory, fake_tg, fake_cases):
    application = bot_factory(max_photo_bytes=100)
    async with running(application):
        fake_tg.send_photo(CHAT, tiny_jpeg())
        await fake_tg.wait_text(CHAT, texts.PHOTO_TOO_BIG)
        fake_tg.send_document(CHAT, b"%PDF-1.4 not a photo", "application/pdf", "x.pdf")
        await fake_tg.wait_text(CHAT, texts.PHOTO_BAD_TYPE)
    assert fake_cases.attachments == []


async def test_push_with_confirmation_unresolved_reopens(live_bot, fake_tg, fake_cases):
    fake_cases.add_case("BS-20261121-0007", SENDER, status="resolved")
    fake_cases.push(
        41, "BS-20261121-0007", CHAT, "您的工单 BS-20261121-0007 已办结，问题解决了吗？"
    )
    call = await fake_tg.wait_text(CHAT, "已办结")
    assert [b["text"] for b in call.buttons] == ["解决了", "部分解决", "没解决"]
    await eventually(lambda: 41 in fake_cases.acked)
    mark = fake_tg.mark()
    fake_tg.press_button(CHAT, call.result["message_id"], call.buttons[2]["callback_data"])
    await fake_tg.wait_text(CHAT, texts.RATE_THANKS["unresolved"], start=mark)
    assert fake_cases.confirmations == [("BS-20261121-0007", SENDER, "unresolved")]
    assert fake_cases.cases["BS-20261121-0007"].status == "reopened"
    await asyncio.sleep(0.5)
    assert len([c for c in fake_tg.texts(CHAT) if "已办结" in c]) == 1  # pushed once


async def test_status_lists_my_cases(live_bot, fake_tg, fake_cases):
    fake_tg.send_text(CHAT, "/status")
    await fake_tg.wait_text(CHAT, texts.NO_CASES)
    fake_cases.add_case("BS-20261121-0003", SENDER)
    fake_cases.add_case("BS-20261121-0004", "tg:999")
    fake_tg.send_text(CHAT, "/status")
    call = await fake_tg.wait_text(CHAT, texts.CASES_HEADER)
    assert "BS-20261121-0003" in call.text and "已受理" in call.text
    assert "BS-20261121-0004" not in call.text
    assert texts.ELSEWHERE_HINT in call.text  # cases reported at the kiosk: number + phone


async def test_elder_mode_speaks_replies_and_enlarges_buttons(
    live_bot, fake_tg, backend, synthesizer
):
    backend.script = script_report
    fake_tg.send_text(CHAT, "/mode")
    on = await fake_tg.wait_text(CHAT, texts.MODE_ON)
    await fake_tg.wait_for(lambda c: c.method == "sendVoice" and c.at >= on.at)  # said aloud too
    mark = fake_tg.mark()
    fake_tg.send_text(CHAT, "要按钮")
    call = await fake_tg.wait_text(CHAT, "是这样吗", start=mark)
    markup = call.params["reply_markup"]["inline_keyboard"]
    assert len(markup) == 2 and all(len(row) == 1 for row in markup)
    assert "对" in markup[0][0]["text"]
    voice = await fake_tg.wait_for(
        lambda c: c.method == "sendVoice" and c.chat_id == CHAT, start=mark
    )
    assert voice.files["voice"][:4] == b"OggS"
    assert synthesizer.calls[-1][0] == "是这样吗？可以说：对、不对"
    assert synthesizer.calls[-1][1] == 110  # slow
    fake_tg.send_text(CHAT, "/start")
    await fake_tg.wait_text(CHAT, texts.ELDER_SHORT[texts.START])
    fake_tg.send_text(CHAT, "/mode")
    await fake_tg.wait_text(CHAT, texts.MODE_OFF)


async def test_human_command_asks_rasa_for_a_person(live_bot, fake_tg, backend):
    fake_tg.send_text(CHAT, "/human")
    await fake_tg.wait_text(CHAT, "收到：转人工")


async def test_traditional_input_is_normalised(live_bot, fake_tg, backend):
    fake_tg.send_text(CHAT, "樓道燈壞了")
    await fake_tg.wait_text(CHAT, "收到：楼道灯坏了")


async def test_allow_list(bot_factory, fake_tg, backend):
    application = bot_factory(allowed_chats=[CHAT])
    async with running(application):
        fake_tg.send_text(4242, "你好")
        await fake_tg.wait_text(4242, texts.NOT_ALLOWED)
        fake_tg.send_text(CHAT, "你好")
        await fake_tg.wait_text(CHAT, "收到：你好")
    assert backend.messages() == ["你好"]


async def test_kept_messages_survive_a_restart(bot_factory, fake_tg, backend):
    backend.rasa_up = False
    first = bot_factory()
    async with running(first):
        fake_tg.send_text(CHAT, "停电前的话")
        await fake_tg.wait_text(CHAT, texts.OUTAGE)
    assert backend.messages() == []
    backend.rasa_up = True
    second = bot_factory()
    async with running(second):
        await fake_tg.wait_text(CHAT, "收到：停电前的话", timeout=10)
    assert backend.messages() == ["停电前的话"]


async def test_attachment_kept_when_hub_refuses_then_retried(
    live_bot, fake_tg, backend, fake_cases
):
    backend.script = script_report
    fake_cases.attachments_down = True
    fake_tg.send_text(CHAT, "电梯坏了")
    await fake_tg.wait_text(CHAT, "几号楼")
    fake_tg.send_photo(CHAT, tiny_jpeg())
    await fake_tg.wait_text(CHAT, texts.PHOTO_KEPT)
    fake_tg.send_text(CHAT, "对")
    await fake_tg.wait_text(CHAT, "工单号 BS-20261121-0042")
    await asyncio.sleep(0.5)
    assert fake_cases.attachments == []
    # a later report must not take this photo: it belongs to BS-20261121-0042
    fake_cases.attachments_down = False
    store = live_bot.bot_data.services.store
    assert store.attachments_to_retry() == []  # backing off
    live_bot.bot_data.services.dialogue.clock_skew_s = 61.0  # the minute of back-off has passed
    await fake_tg.wait_text(CHAT, "照片已经附到工单 BS-20261121-0042", timeout=10)
    assert [a["case_no"] for a in fake_cases.attachments] == ["BS-20261121-0042"]


async def test_linked_report_attaches_to_the_residents_own_case(
    live_bot, fake_tg, backend, fake_cases
):
    backend.script = script_report
    fake_tg.send_text(CHAT, "电梯坏了")
    await fake_tg.wait_text(CHAT, "几号楼")
    fake_tg.send_photo(CHAT, tiny_jpeg())
    await fake_tg.wait_text(CHAT, texts.PHOTO_KEPT)
    fake_tg.send_text(CHAT, "邻居报过")
    await fake_tg.wait_text(CHAT, "附到工单 BS-20261121-0043")
    assert [a["case_no"] for a in fake_cases.attachments] == ["BS-20261121-0043"]


async def test_only_the_resolution_notice_gets_confirmation_buttons(live_bot, fake_tg, fake_cases):
    fake_cases.add_case("BS-20261121-0008", SENDER, status="resolved")
    fake_cases.push(
        51, "BS-20261121-0008", CHAT, "【邻里】您的事项 BS-20261121-0008：工作人员正在处理"
    )
    fake_cases.push(
        52, "BS-20261121-0008", CHAT,
        "【邻里】您的事项 BS-20261121-0008：已经处理好了。请回复“解决了”“部分解决”或“没解决”",
    )  # fmt: skip
    done = await fake_tg.wait_text(CHAT, "已经处理好了")
    first = await fake_tg.wait_text(CHAT, "正在处理")
    assert first.buttons == [] and len(done.buttons) == 3
    texts_sent = fake_tg.texts(CHAT)
    assert texts_sent.index(first.text) < texts_sent.index(done.text)  # in order


async def test_start_offers_the_elder_mode_button(live_bot, fake_tg):
    fake_tg.send_text(CHAT, "/start")
    start = await fake_tg.wait_text(CHAT, "邻里小助手")
    assert [b["text"] for b in start.buttons] == [texts.MODE_BUTTON_ON]
    fake_tg.press_button(CHAT, start.result["message_id"], start.buttons[0]["callback_data"])
    await fake_tg.wait_text(CHAT, texts.MODE_ON)
    assert live_bot.bot_data.services.store.prefs(CHAT).elder_mode
    fake_tg.send_text(CHAT, "/help")
    await fake_tg.wait_text(CHAT, texts.ELDER_SHORT[texts.HELP])


async def test_crash_after_rasa_answered_does_not_resend(bot_factory, fake_tg, backend):
    """A bot killed between Rasa's answer and its bookkeeping finds the answer in the tracker."""
    application = bot_factory(uncertain_grace_s=0.3)
    store = application.bot_data.services.store
    # the store after such a crash: both marked "maybe delivered" before they were sent
    for update_id, text in ((77, "崩溃前的话"), (78, "没送出去的话")):
        item_id = store.enqueue(CHAT, update_id, "text", text)
        store.set_state(item_id, InboxState.UNCERTAIN, attempted=True)
    backend.events[SENDER] = [  # Rasa had answered the first one
        {"event": "user", "text": "崩溃前的话", "metadata": {"message_id": f"tg:{CHAT}:77"}},
        {"event": "bot", "text": "崩溃前的回答", "data": {}},
    ]
    async with running(application):
        fake_tg.send_text(CHAT, "下一句")
        await fake_tg.wait_text(CHAT, "收到：下一句", timeout=10)
    texts_sent = fake_tg.texts(CHAT)
    assert texts_sent.index("崩溃前的回答") < texts_sent.index("收到：没送出去的话")
    assert backend.messages(SENDER) == ["没送出去的话", "下一句"]  # the first was not sent again


async def test_push_to_a_chat_that_blocked_the_bot_is_acknowledged(live_bot, fake_tg, fake_cases):
    fake_tg.blocked_chats.add(666)
    fake_cases.add_case("BS-20261121-0009", "tg:666")
    fake_cases.push(
        61, "BS-20261121-0009", 666, "【邻里】您的事项 BS-20261121-0009：工作人员正在处理"
    )
    fake_cases.push(62, "BS-20261121-0009", CHAT, "【邻里】给另一位居民的消息")
    await fake_tg.wait_text(CHAT, "另一位居民")
    await eventually(lambda: 61 in fake_cases.acked and 62 in fake_cases.acked)
    assert fake_tg.texts(666) == []


def script_status(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """What action_case_status answers for a kiosk case found by number + phone last 4."""
    if message == "查尾号0098":
        return [
            {"recipient_id": sender, "text": "查到了。编号 BS-20261203-0098（楼道灯，5号楼2单元）"
             "现在是：已办结。\n办理经过：\n12月3日15:20 已办结：灯换好了"},
            {"recipient_id": sender, "text": "工作人员说已经办好了。问题解决了吗？",
             "buttons": [{"title": t, "payload": t} for t in ("解决了", "部分解决", "没解决")]},
            {"recipient_id": sender, "custom": {"status_case": "BS-20261203-0098"}},
        ]  # fmt: skip
    return [{"recipient_id": sender, "text": f"收到：{message}"}]


async def test_a_case_found_by_number_gets_the_three_answers_and_no_photos(
    live_bot, fake_tg, backend, fake_cases
):
    """Issue 13 item 2: the status of a case reported elsewhere, with 解决了 / 部分解决 / 没解决
    as buttons that answer through the dialogue; a photo kept for a report is not sent to
    that case (it is not this chat's)."""
    backend.script = script_status
    fake_tg.send_photo(CHAT, tiny_jpeg())
    await fake_tg.wait_text(CHAT, texts.PHOTO_KEPT)
    fake_tg.send_text(CHAT, "查尾号0098")
    call = await fake_tg.wait_text(CHAT, "问题解决了吗")
    assert [b["text"] for b in call.buttons] == ["解决了", "部分解决", "没解决"]
    assert "BS-20261203-0098" in " ".join(fake_tg.texts(CHAT))
    mark = fake_tg.mark()
    fake_tg.press_button(CHAT, call.result["message_id"], call.buttons[1]["callback_data"])
    await fake_tg.wait_text(CHAT, "收到：部分解决", start=mark)
    assert backend.messages(SENDER)[-1] == "部分解决"
    assert texts.CHOSEN.format(title="部分解决") in fake_tg.texts(CHAT)
    assert fake_cases.attachments == []
    assert live_bot.bot_data.services.store.prefs(CHAT).last_case_no is None


async def test_elder_mode_says_only_the_tail_of_a_case_number(
    live_bot, fake_tg, backend, synthesizer
):
    """长辈模式 says "编号尾号零零四三" as the kiosk does, not "B S 二零二六…" (issue 13); the
    chat text keeps the whole number."""
    backend.script = script_report
    fake_tg.send_text(CHAT, "/mode")
    await fake_tg.wait_text(CHAT, texts.MODE_ON)
    mark = fake_tg.mark()
    fake_tg.send_text(CHAT, "邻居报过")
    shown = await fake_tg.wait_text(CHAT, "已受理", start=mark)
    assert "BS-20261121-0043" in shown.text
    await fake_tg.wait_for(lambda c: c.method == "sendVoice" and c.chat_id == CHAT, start=mark)
    said = synthesizer.calls[-1][0]
    assert said.startswith("已受理！您的报事编号尾号零零四三。"), said
    assert "（编号尾号零零四二）" in said
    assert "BS" not in said and "2026" not in said and "尾号 0" not in said
