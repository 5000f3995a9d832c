"""Turning dialogue replies into what the kiosk shows and speaks (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from core.case_numbers import CASE_NO, digits_zh, say_case_numbers, spoken_tail
from core.rasa_rest import BotMessage

_LETTERS = {c: c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_SYMBOLS = re.compile(r"[*_#>`~•●◆■□✅❌👉👍🙏😊]")


def speakable_case_no(case_no: str) -> str:
    """ "BS-20261121-0042" → "B S，二零二六一一二一，零零四二" for slow speech."""
    m = CASE_NO.search(case_no)
    if not m:
        return case_no
    letters = " ".join(_LETTERS.get(c, c) for c in m.group(1))
    date, serial = m.group(2), m.group(3)
    return f"{letters}，{digits_zh(date[:4])}，{digits_zh(date[4:])}，{digits_zh(serial)}"


def find_case_no(messages: Sequence[BotMessage]) -> str | None:
    """The case number announced in a reply: ``custom.case_no`` first, then the text."""
    for msg in messages:
        if isinstance(msg.custom.get("case_no"), str):
            return str(msg.custom["case_no"])
    for msg in messages:
        m = CASE_NO.search(msg.text)
        if m:
            return m.group(0)
    return None


def find_access_code(messages: Sequence[BotMessage], case_no: str) -> str | None:
    """The resident's access code announced with ``case_no`` (``custom.access_code``), or None."""
    for msg in messages:
        if msg.custom.get("case_no") == case_no:
            code = msg.custom.get("access_code")
            if isinstance(code, str) and code:
                return code
    return None


def find_case_type(messages: Sequence[BotMessage], case_no: str) -> str | None:
    """The type announced with ``case_no`` (``custom.type``: report, service, callback …)."""
    for msg in messages:
        if msg.custom.get("case_no") == case_no:
            kind = msg.custom.get("type")
            return kind if isinstance(kind, str) else None
    return None


def print_url(case_no: str | None, access_code: str | None) -> str | None:
    """The printable slip's address, which carries the access code (None without one)."""
    if not case_no or not access_code:
        return None
    return f"/kiosk/case/{quote(case_no, safe='')}/print?t={quote(access_code, safe='')}"


def find_expect(messages: Sequence[BotMessage]) -> str | None:
    """The latest ``custom.expect`` in a reply, or None when the reply announces none."""
    kind = None
    for msg in messages:
        if isinstance(msg.custom.get("expect"), str):
            kind = msg.custom["expect"]
    return kind


def find_asked_slot(messages: Sequence[BotMessage]) -> str | None:
    """The slot the question asks for (``custom.slot``, sent where forms share an answer kind:
    the 议事 questions), or None."""
    slot = None
    for msg in messages:
        if isinstance(msg.custom.get("expect"), str):
            found = msg.custom.get("slot")
            slot = found if isinstance(found, str) else None
    return slot


def find_digit_counts(messages: Sequence[BotMessage]) -> tuple[int, ...]:
    """How many digits the question's answer may have when it is not a whole phone number
    (``custom.digits``, e.g. ``[4]`` for a phone's last 4); empty when the reply says nothing."""
    counts: tuple[int, ...] = ()
    for msg in messages:
        if "expect" in msg.custom:
            raw = msg.custom.get("digits")
            counts = tuple(n for n in raw if isinstance(n, int)) if isinstance(raw, list) else ()
    return counts


def display_messages(messages: Sequence[BotMessage]) -> list[dict]:
    """The messages the page shows: text and buttons only (custom payloads are for us)."""
    out = []
    for msg in messages:
        text = msg.text.strip()
        buttons = [{"title": b.title, "payload": b.payload} for b in msg.buttons if b.title]
        if text or buttons:
            out.append({"text": text, "buttons": buttons})
    return out


def plain_reply(text: str) -> list[BotMessage]:
    """A reply of one plain message (a fixed sentence spoken as the dialogue's would be)."""
    return [BotMessage(text=text)]


_HANDOFF_TITLES = {"转人工", "都不是"}


def _read_choices(text: str, buttons: list[dict]) -> str:
    """A line ending in "想问：" introduces the buttons (the closest questions of the FAQ): say
    them there, so a resident who only listens hears the choices, not "您是想问" and silence.
    Other colons ("办理经过：") introduce their own lines, not the buttons."""
    choices = [b["title"].rstrip("？?。 ") for b in buttons if b["title"] not in _HANDOFF_TITLES]
    lines = text.split("\n")
    at = next(
        (i for i, line in enumerate(lines) if line.rstrip().endswith(("想问：", "想问:"))), None
    )
    if at is None or not choices:
        return text
    said = choices[0] if len(choices) == 1 else "，".join(choices[:-1]) + "，还是" + choices[-1]
    lines[at] = lines[at].rstrip().rstrip("：:") + "：" + said + "？"
    return "".join(lines)


def show_choices(text: str) -> str:
    """On the screen the closest questions are the buttons under the text: "您是想问：" followed
    by "都不是的话……" read as if the question were missing; it reads "您是想问下面哪一个？"."""
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if line.rstrip().endswith("想问：")), None)
    if at is None or at == len(lines) - 1:
        return text
    lines[at] = lines[at].rstrip()[:-1] + "下面哪一个？"
    return "".join(lines)


def speech_text(messages: Sequence[BotMessage], case_no: str | None = None) -> str:
    """What to say aloud for a reply; a case number is said by its tail ("编号尾号零零九八"),
    twice (the screen and the slip show the whole number)."""
    parts = []
    for msg in display_messages(messages):
        text = _SYMBOLS.sub("", say_case_numbers(_read_choices(msg["text"], msg["buttons"])))
        if text:
            parts.append(text)
    # each part ends in one sentence mark: a question keeps its "？" ("急不急？", not "急不急？。")
    spoken = "".join(
        p if p.endswith(("？", "！", "?", "!", "…")) else p.rstrip("。") + "。"
        for p in (part.rstrip("。") for part in parts)
        if p
    )
    if case_no:
        spoken += f"我再说一遍，{spoken_tail(case_no)}。请记好，也可以打印出来。"
    return spoken


_SAY_QUOTED = re.compile(r"(可以|或者|或)说“([^”]+)”")
_SAY_NO_PHONE = re.compile(r"或(?:回答|说)“不留”")


def for_touch(text: str, titles: set[str], *, text_box: bool) -> str:
    """The dialogue's words for a kiosk without a microphone (its button says 话筒用不了):
    "可以说“转人工”" becomes "可以点“转人工”" when that button is on the screen, "直接说"
    becomes "直接写" beside the text box (and is dropped without one), "或回答“不留”" goes
    (不留电话 is the button)."""
    text = _SAY_NO_PHONE.sub("", text)
    text = _SAY_QUOTED.sub(
        lambda m: f"{m.group(1)}点“{m.group(2)}”" if m.group(2) in titles else m.group(0), text
    )
    if text_box:
        return text.replace("直接说", "直接写")
    return re.sub(r"[，,]?或者直接说", "", text)
