"""Smoke: /start and one text turn through the real PTB client and the fake Bot API."""

from __future__ import annotations

CHAT = 5001


async def test_start_and_text_turn(live_bot, fake_tg, backend):
    fake_tg.send_text(CHAT, "/start")
    call = await fake_tg.wait_text(CHAT, "邻里小助手")
    assert "隐私" in call.text
    fake_tg.send_text(CHAT, "楼道灯坏了")
    await fake_tg.wait_text(CHAT, "收到：楼道灯坏了")
    assert backend.messages(f"tg:{CHAT}") == ["楼道灯坏了"]
