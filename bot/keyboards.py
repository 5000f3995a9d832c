"""Inline keyboards: Rasa buttons and the confirmation question, big and few."""

from __future__ import annotations

import hashlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.store import BotStore
from cases.client import Building
from core.rasa_rest import Button

MAX_BUTTONS = 8
"""Never show more buttons than this (few, plain words): the 8 report categories ending in
其他 fit; beyond it the last button (the way out: 其他, 转人工) is kept."""
CALLBACK_LIMIT = 64
"""Telegram's limit on callback data, in bytes."""

RASA_PREFIX = "p:"
"""Callback data ``p:<payload>``: send the payload to Rasa."""
TOKEN_PREFIX = "t:"
"""Callback data ``t:<token>``: a long payload remembered in the store."""
RATE_PREFIX = "rate:"
"""Callback data ``rate:<case_no>:<rating>``: the confirmation question."""
MODE_DATA = "mode:toggle"
NOTICE_PREFIX = "n:"
"""Callback data of the notice setting: ``n:menu``, ``n:all``, ``n:off``, ``n:b:<building>``."""
NOTICE_MENU = NOTICE_PREFIX + "menu"


def shown_buttons(buttons: list[Button]) -> list[Button]:
    """At most ``MAX_BUTTONS``, the last one always among them."""
    if len(buttons) <= MAX_BUTTONS:
        return list(buttons)
    return [*buttons[: MAX_BUTTONS - 1], buttons[-1]]


def button_label(title: str, elder_mode: bool) -> str:
    """The label shown: in 长辈模式 a wider, marked label that is easy to hit and read."""
    title = title.strip()
    return f"👉 {title} 👈" if elder_mode else title


def rasa_keyboard(
    buttons: list[Button], *, chat_id: int, store: BotStore, elder_mode: bool
) -> InlineKeyboardMarkup | None:
    """Inline keyboard for Rasa's buttons (one per row in 长辈模式, else up to three per row);
    a payload too long for Telegram is remembered in ``store`` (synchronous: not for coroutines,
    which use ``rasa_keyboard_async``)."""
    markup, long = _rasa_markup(buttons, chat_id=chat_id, elder_mode=elder_mode)
    for token, title, payload in long:
        store.save_button(token, chat_id, title, payload)
    return markup


async def rasa_keyboard_async(
    buttons: list[Button], *, chat_id: int, store: BotStore, elder_mode: bool
) -> InlineKeyboardMarkup | None:
    """``rasa_keyboard`` for coroutines: long payloads are remembered off the event loop."""
    markup, long = _rasa_markup(buttons, chat_id=chat_id, elder_mode=elder_mode)
    for token, title, payload in long:
        await store.aio.save_button(token, chat_id, title, payload)
    return markup


def _rasa_markup(
    buttons: list[Button], *, chat_id: int, elder_mode: bool
) -> tuple[InlineKeyboardMarkup | None, list[tuple[str, str, str]]]:
    """The keyboard, and the (token, title, payload) of each button whose payload does not fit
    Telegram's callback data (to remember before the keyboard is sent)."""
    if not buttons:
        return None, []
    rows: list[list[InlineKeyboardButton]] = []
    long: list[tuple[str, str, str]] = []
    per_row = 1 if elder_mode or len(buttons) > 3 else len(buttons)
    row: list[InlineKeyboardButton] = []
    for button in shown_buttons(buttons):
        data = RASA_PREFIX + button.payload
        if len(data.encode()) > CALLBACK_LIMIT:
            token = hashlib.sha1(f"{chat_id}:{button.payload}".encode()).hexdigest()[:20]
            long.append((token, button.title, button.payload))
            data = TOKEN_PREFIX + token
        row.append(InlineKeyboardButton(button_label(button.title, elder_mode), callback_data=data))
        if len(row) >= per_row:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows), long


def rating_keyboard(case_no: str, *, elder_mode: bool = False) -> InlineKeyboardMarkup:
    """解决了 / 部分解决 / 没解决 for a resolved case."""
    buttons = [
        InlineKeyboardButton(
            button_label(title, elder_mode), callback_data=f"{RATE_PREFIX}{case_no}:{value}"
        )
        for title, value in texts.RATE_BUTTONS
    ]
    rows = [[b] for b in buttons] if elder_mode else [buttons]
    return InlineKeyboardMarkup(rows)


def mode_keyboard() -> InlineKeyboardMarkup:
    """One button that turns 长辈模式 on or off."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.MODE_BUTTON_ON, callback_data=MODE_DATA)]]
    )


def notice_keyboard(buildings: list[Building], *, elder_mode: bool) -> InlineKeyboardMarkup:
    """The building buttons (4 a row, 3 in 长辈模式), then 都要 and 不要通知 each on its own row."""
    per_row = 3 if elder_mode else 4
    rows: list[list[InlineKeyboardButton]] = []
    for start in range(0, len(buildings), per_row):
        rows.append(
            [
                InlineKeyboardButton(b.name, callback_data=f"{NOTICE_PREFIX}b:{b.code}")
                for b in buildings[start : start + per_row]
            ]
        )
    for title, value in ((texts.NOTICE_ALL_BUTTON, "all"), (texts.NOTICE_OFF_BUTTON, "off")):
        label = button_label(title, elder_mode)
        rows.append([InlineKeyboardButton(label, callback_data=NOTICE_PREFIX + value)])
    return InlineKeyboardMarkup(rows)


def notice_settings_button(*, elder_mode: bool = False) -> InlineKeyboardButton:
    """The 通知设置 button under every notice."""
    return InlineKeyboardButton(
        button_label(texts.NOTICE_SETTINGS_BUTTON, elder_mode), callback_data=NOTICE_MENU
    )
