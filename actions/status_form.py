"""``status_form``: the case number and the reporting phone's last 4 digits, asked one by one,
each answer taken whatever the NLU makes of it ("是7777" reads as affirm, "七七七七" as report).

The form runs only when ``nlu/domain.yml`` declares it (slots ``status_number`` and
``status_phone_tail``, form ``status_form``, these actions, and a rule that submits it to
``action_case_status``). Until then ``action_case_status`` asks inline and reads bare digits
back through ``action_handle_inform`` (``actions.status``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.ask import ask
from actions.case_ref import CaseRef, answer_to, tail_of

logger = logging.getLogger(__name__)

FORM = "status_form"
NUMBER_SLOT = "status_number"
TAIL_SLOT = "status_phone_tail"
ENDING_INTENTS = frozenset({"cancel", "handoff_human", "emergency"})
"""Intents that end the form (a rule answers them), whatever the form asked."""

ASK_NUMBER = (
    "请把事项的编号和报事时留的手机号后四位告诉我，比如：尾号0098，手机后四位5678。"
    "编号在回执上；没有编号的话，可以说“转人工”。"
)
ASK_TAIL = "编号尾号{tail}。请再告诉我报事时留的手机号后四位，比如：5678。"
REASK = {
    NUMBER_SLOT: "没听清编号。请告诉我编号的后四位，比如：0098；完整的编号也可以。",
    TAIL_SLOT: "没听清。请告诉我报事时留的手机号最后4位数字，比如：5678。",
}


def form_available(domain: DomainDict) -> bool:
    """Whether the domain declares ``status_form`` (the NLU side is wired)."""
    return FORM in (domain.get("forms") or {})


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _answer(tracker: Tracker) -> CaseRef:
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return CaseRef()  # a button's payload is no answer
    waiting = (
        tracker.get_slot(NUMBER_SLOT) if tracker.get_slot(REQUESTED_SLOT) == TAIL_SLOT else None
    )
    return answer_to(text, waiting)


class ValidateStatusForm(FormValidationAction):
    """Reads the number and the phone digits from the resident's words (rasa-sdk custom slot
    extraction, then ``validate_<slot>``); a gentle re-ask when a turn gave neither."""

    def name(self) -> str:
        """Action name."""
        return "validate_status_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Extract and validate; re-ask the requested slot when nothing fit."""
        if _intent(tracker) in ENDING_INTENTS:
            return []  # the form rejects; the rule for 算了 / 转人工 / an emergency runs
        events = await super().run(dispatcher, tracker, domain)
        requested = tracker.get_slot(REQUESTED_SLOT)
        filled = any(
            e.get("event") == "slot" and e.get("name") == requested and e.get("value") is not None
            for e in events
        )
        if requested in REASK and not filled:
            dispatcher.utter_message(text=REASK[requested])
            events.append(SlotSet(requested, None))
        return events

    async def extract_status_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The case number in this message (full, 12 digits or last 4)."""
        if tracker.get_slot(NUMBER_SLOT) and tracker.get_slot(REQUESTED_SLOT) == TAIL_SLOT:
            return {}
        number = _answer(tracker).number
        return {NUMBER_SLOT: number} if number else {}

    async def extract_status_phone_tail(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The phone's last 4 digits in this message ("7777" alone once the number is known)."""
        tail = _answer(tracker).phone_tail
        return {TAIL_SLOT: tail} if tail else {}

    def validate_status_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """4 digits, 12 digits or a full number."""
        digits = re.sub(r"\D", "", str(value or ""))
        return {NUMBER_SLOT: value if len(digits) == 4 or len(digits) >= 12 else None}

    def validate_status_phone_tail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Exactly 4 digits."""
        ok = re.fullmatch(r"\d{4}", str(value or "")) is not None
        return {TAIL_SLOT: value if ok else None}


class AskStatusNumber(Action):
    """Ask for the case number."""

    def name(self) -> str:
        """Action name."""
        return f"action_ask_{NUMBER_SLOT}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask, expecting digits."""
        ask(dispatcher, ASK_NUMBER, "phone", digits=[4, 12])
        return []


class AskStatusPhoneTail(Action):
    """Ask for the last 4 digits of the phone that reported the case."""

    def name(self) -> str:
        """Action name."""
        return f"action_ask_{TAIL_SLOT}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask, expecting digits."""
        ask(
            dispatcher,
            ASK_TAIL.format(tail=tail_of(tracker.get_slot(NUMBER_SLOT) or "")),
            "phone",
            digits=[4],
        )
        return []
