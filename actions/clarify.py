"""Clarify, don't guess: after the assistant asked "您是想报事、问问，还是办事？", the button the
resident pressed starts the flow, and what they first said is not lost."""

from __future__ import annotations

from typing import Any

CLARIFY_ACTIONS = frozenset(
    {"utter_clarify", "action_clarify", "utter_ask_what", "action_handle_inform"}
)
"""What asks the resident which flow they meant (nlu/domain.yml, actions/inform.py)."""


def text_before_clarify(events: list[dict[str, Any]]) -> str | None:
    """What the resident said before the clarify question, when their latest message answers it.

    ``events`` is the tracker's event list. Returns the earlier message's text when the latest
    user message came right after such a question (a button such as ``/report`` or a spoken
    "我要报事"), else None.
    """
    users = 0
    clarified = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users == 2:
                text = (event.get("text") or "").strip()
                return text if clarified and text and not text.startswith("/") else None
        elif kind == "action" and users == 1:
            name = event.get("name")
            if name in CLARIFY_ACTIONS:
                clarified = True
            elif name != "action_listen":
                return None  # something else answered in between: not an answer to the question
    return None
