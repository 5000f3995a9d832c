"""The bot echoes only what a person reads and its privacy note tells the truth (issue 14
item 7)."""

from __future__ import annotations

from bot import texts
from bot.handlers import chosen_title


def test_a_button_payload_is_never_echoed() -> None:
    assert chosen_title("/affirm") is None
    assert chosen_title("affirm") is None
    assert chosen_title("") is None
    assert chosen_title(None) is None
    assert chosen_title("👉 对 👈") == "对"
    assert chosen_title("3号楼") == "3号楼"


def test_privacy_note_says_who_sees_full_numbers() -> None:
    # admins and grid workers see full numbers (README: Staff access); the note must not say
    # every number is masked
    assert "会被遮挡" not in texts.START
    assert "网格员" in texts.START and "管理员" in texts.START
