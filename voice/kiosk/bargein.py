"""Barge-in: deciding what a resident's words, said while the kiosk was speaking, were.

The page keeps listening while it speaks (echo cancellation on) and ducks its voice as soon as
someone talks. The short utterance is then one of three things:

- a kiosk command ("停", "再说一遍", "大声点", "转人工" …): done at once;
- the kiosk hearing itself (a loudspeaker leaking past echo cancellation): ignored, the kiosk
  goes on speaking — its own words must never become the resident's answer;
- the resident answering before the question ended: taken as the answer.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from enum import Enum

from voice.kiosk.commands import match_command

_NOT_WORDS = re.compile(r"[\s\W_]+", re.UNICODE)

ECHO_MIN_CHARS = 7
"""Shorter results are never taken for echo by likeness alone: answers repeat the question's
words ("三号楼" to "请说楼号和单元，比如五号楼二单元")."""
ECHO_MIN_SHARE = 0.8
"""Share of the heard characters found, in order, in what the kiosk was saying → echo."""


class BargeIn(Enum):
    """What an utterance heard during the kiosk's speech was."""

    COMMAND = "command"
    ECHO = "echo"
    ANSWER = "answer"
    NOTHING = "nothing"


def _core(text: str) -> str:
    return _NOT_WORDS.sub("", text or "")


def is_echo(heard: str, spoken: str) -> bool:
    """True when ``heard`` is (most of) a stretch of ``spoken``: the kiosk heard itself.

    A command is echo only when the kiosk itself just said it ("请您再说一遍"); any other
    result must be a long stretch of the kiosk's words, since a resident's short answer often
    repeats the question's example.
    """
    h, s = _core(heard), _core(spoken)
    if not h or not s:
        return False
    if command_in(heard) is not None:
        return h in s
    if len(h) < ECHO_MIN_CHARS:
        return False
    matcher = SequenceMatcher(None, h, s, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / len(h) >= ECHO_MIN_SHARE


def command_in(text: str) -> str | None:
    """The kiosk command an utterance is (``human`` for a short 转人工), or None."""
    command = match_command(text)
    if command is not None:
        return command
    core = _core(text)
    if core and len(core) <= 6 and ("人工" in core or "工作人员" in core):
        return "human"
    return None


def classify(heard: str, spoken: str, command: str | None) -> BargeIn:
    """Classify a barge-in transcript given what the kiosk was saying and the matched command.

    Echo is checked first: the kiosk saying "请您再说一遍" must not make it repeat itself.
    """
    if not _core(heard):
        return BargeIn.NOTHING
    if is_echo(heard, spoken):
        return BargeIn.ECHO
    if command is not None:
        return BargeIn.COMMAND
    return BargeIn.ANSWER
