"""Drives a conversation through the fake Bot API like a resident would, answering each question
by the kind of answer the dialogue announced (``custom.expect``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.dialogue import CASE_NO_RE
from harness.fakes.telegram_api import FakeTelegram, SentCall
from tests import heldout

ANSWERS = heldout.TG_ANSWERS
"""Typed answers per question kind: held-out words, none a training example."""
BUTTON_ANSWERS = {"category": "楼道灯", "urgency": "不急", "phone": "不留电话", "yes_no": "对"}
"""Labels of the buttons a resident presses (the bot's own words, not the resident's)."""


class Resident:
    """One resident chatting with the real bot."""

    def __init__(self, fake: FakeTelegram, application: Any, chat_id: int) -> None:
        """Bind to the fake server, the running bot and a chat."""
        self.fake = fake
        self.application = application
        self.chat_id = chat_id

    @property
    def dialogue(self) -> Any:
        """The bot's dialogue pump."""
        return self.application.bot_data.services.dialogue

    @property
    def expect(self) -> str | None:
        """What the last question expects."""
        return self.application.bot_data.services.store.prefs(self.chat_id).expect

    async def turn(self, action: Any, *, timeout: float = 60.0) -> list[SentCall]:
        """Do ``action()`` (inject an update) and wait until the bot delivered Rasa's answer."""
        before = self.dialogue.turns
        mark = self.fake.mark()
        action()
        deadline = time.monotonic() + timeout
        while self.dialogue.turns <= before:
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer within {timeout}s: {self.texts(mark)}")
            await asyncio.sleep(0.05)
        return [c for c in self.fake.sent()[mark:] if c.chat_id == self.chat_id]

    def texts(self, start: int = 0) -> list[str]:
        """Texts the bot sent to this chat from call index ``start``."""
        calls = self.fake.sent()[start:]
        return [c.text for c in calls if c.chat_id == self.chat_id and c.method == "sendMessage"]

    async def say(self, text: str, **kwargs: Any) -> list[SentCall]:
        """Type a message."""
        return await self.turn(lambda: self.fake.send_text(self.chat_id, text), **kwargs)

    async def press(self, call: SentCall, title: str, **kwargs: Any) -> list[SentCall]:
        """Press the button labelled ``title`` under one of the bot's messages."""
        button = next(b for b in call.buttons if title in b["text"])
        message_id = call.result["message_id"]
        return await self.turn(
            lambda: self.fake.press_button(self.chat_id, message_id, button["callback_data"]),
            **kwargs,
        )

    async def complete(
        self, calls: list[SentCall], *, buttons: bool = False, max_turns: int = 10
    ) -> tuple[str, list[SentCall]]:
        """Answer questions until a case number appears; returns it and every call seen."""
        seen = list(calls)
        for _ in range(max_turns):
            for call in seen:
                found = CASE_NO_RE.findall(call.text)
                if found and call.method == "sendMessage":
                    return found[0], seen  # the resident's own (a linked report comes after)
            kind = self.expect or "yes_no"
            with_buttons = [c for c in calls if c.buttons]
            label = BUTTON_ANSWERS.get(kind)
            if (
                buttons
                and with_buttons
                and label
                and any(label in b["text"] for b in with_buttons[-1].buttons)
            ):
                calls = await self.press(with_buttons[-1], label)
            else:
                calls = await self.say(ANSWERS.get(kind, heldout.TG_CONFIRM))
            seen.extend(calls)
        raise AssertionError(f"no case number after {max_turns} turns: {[c.text for c in seen]}")
