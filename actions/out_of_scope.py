"""Questions the assistant declines as out of scope still reach staff: they are logged to the
knowledge base's 待回答 queue (issue 14 item 9), through the same hub call the consult action
uses (``POST /api/kb/ask`` queues every question it cannot answer with confidence).

Inside a form the form's validation action logs them (``actions/forms.py``); outside a form
``action_log_out_of_scope`` does, once a rule runs it after ``utter_out_of_scope``.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.submit import channel_of
from core.errors import LinliError

logger = logging.getLogger(__name__)

MIN_CHARS = 2
"""Shorter messages (嗯, 啊) are no question worth a staff member's time."""


async def log_out_of_scope(tracker: Tracker) -> bool:
    """Queue the resident's latest message for staff; True when it was sent. Never raises:
    the resident's reply does not depend on it."""
    question = (tracker.latest_message.get("text") or "").strip()
    if len(question) < MIN_CHARS or question.startswith("/"):
        return False
    client = runtime.knowledge_client()
    if client is None:
        return False
    try:
        await client.ask(question, channel_of(tracker.sender_id).value, tracker.sender_id)
    except (LinliError, httpx.HTTPError) as exc:
        logger.warning("Out-of-scope question not queued for staff: %s", exc)
        return False
    return True


class LogOutOfScope(Action):
    """After "这个我帮不上": the question goes to the staff's 待回答 queue; says nothing."""

    def name(self) -> str:
        """Action name."""
        return "action_log_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Log the question."""
        await log_out_of_scope(tracker)
        return []
