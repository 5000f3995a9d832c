"""Commands residents may say or press at any time, handled by the kiosk (not the dialogue)."""

from __future__ import annotations

import re

_PUNCT = re.compile(r"[\s,，。.!！?？、:：;；~]+")

COMMANDS: dict[str, tuple[str, ...]] = {
    "repeat": ("再说一遍", "再说一次", "你说啥", "没听清", "重复一遍", "再讲一遍"),
    "stop": ("停", "停下", "别说了", "停一下"),
    "louder": ("大声点", "大声一点", "声音大点", "大点声", "听不见"),
    "slower": ("慢一点", "说慢点", "慢点说", "慢点"),
    "faster": ("快一点", "说快点"),
    "quieter": ("小声点", "小声一点"),
}
"""Spoken forms of the kiosk's own commands; 转人工 goes to the dialogue (it opens a callback)."""


def match_command(text: str) -> str | None:
    """The command a short utterance is, or None (long sentences are never commands)."""
    core = _PUNCT.sub("", text or "")
    if not core or len(core) > 8:
        return None
    for name, forms in COMMANDS.items():
        for form in forms:
            if core == form or (len(form) >= 3 and form in core and len(core) <= len(form) + 3):
                return name
    return None


HANDOFF_WORDS = ("转人工", "人工服务", "找人工", "找工作人员", "人工客服")
STATUS_WORDS = ("查进度", "查一下我的事", "查我的事", "查询进度", "查一下进度", "我的事怎么样了")
HANDOFF_PAYLOADS = frozenset({"/handoff_human", "转人工"})


def wants_handoff(text: str, payload: str | None = None) -> bool:
    """A short request for a person (or the dialogue's 转人工 button): the kiosk asks how to
    reach the resident before the call-back task is made."""
    if payload is not None:
        return payload in HANDOFF_PAYLOADS
    core = _PUNCT.sub("", text or "")
    return len(core) <= 10 and any(w in core for w in HANDOFF_WORDS)


def wants_status(text: str) -> bool:
    """A short request to check a case ("查一下我的事", as the printed slip says)."""
    core = _PUNCT.sub("", text or "")
    return len(core) <= 10 and any(w in core for w in STATUS_WORDS)
