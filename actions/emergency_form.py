"""The emergency follow-up form: after the safety guidance and the urgent case, ask where (and
then a phone, which may be declined) and attach each answer to the same case at once. A 转人工
without a phone uses it too (kind ``callback``: only the phone is asked, in its own words).

``action_emergency`` starts ``emergency_form`` (slots ``location`` and ``contact``; the slot
``emergency_case`` says which case). While it runs, the next message is read as the answer to
“where?” whatever intent the NLU gave it (actions/emergency_followup.py).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.ask import ask
from actions.emergency_followup import DECLINED, NOT_A_PHONE, FollowupTurn, followup_turn
from actions.forms import latest_intent
from actions.handoff_text import (
    CALLBACK,
    CALLBACK_ASK_PHONE,
    CALLBACK_NO_PHONE,
    CALLBACK_NOT_A_PHONE,
    CALLBACK_QUEUED,
    CALLBACK_SENT,
    CALLBACK_UNREACHABLE,
    CALLBACK_WILL_CALL,
)
from actions.readback import location_text
from actions.submit import location_from_slot, reset_form_slots
from core.errors import LinliError

logger = logging.getLogger(__name__)

CASE_SLOT = "emergency_case"
"""Slot holding ``{"case_no": … or None, "key": idempotency key, "kind": code}``."""
UNREACHABLE = "系统暂时连不上，没能转给值班人员。请直接拨打上面说的电话，告诉他们{what}。"
QUEUED = "好的，{what}已经记下了，系统一恢复就转给值班人员。请一定先拨打上面说的电话。"
SENT, KEPT, FAILED = "sent", "kept", "failed"
CLOSING = "值班人员会尽快处理。请先待在安全的地方，有新情况随时告诉我。"


async def attach_details(
    sender_id: str, emergency: dict, *, location: dict | None, phone: str | None
) -> str:
    """Attach a place and/or phone to the emergency case: SENT (staff alerted), KEPT (the case
    itself still waits in the durable queue because the hub was down: the waiting submission
    is amended, so it reaches the hub with the place and phone) or FAILED."""
    loc = location_from_slot(location)
    case_no = emergency.get("case_no")
    client = runtime.case_client()
    try:
        if not case_no:
            key = str(emergency.get("key") or "")
            if key and await runtime.pending().amend(key, location=loc, contact_phone=phone):
                return KEPT
            mine = await client.list_cases_for_sender(sender_id, limit=5)  # delivered meanwhile
            kind = "callback" if emergency.get("kind") == CALLBACK else "emergency"
            case_no = next((c.case_no for c in mine if c.type.value == kind), None)
            if case_no is None:
                return FAILED
        await client.add_details(case_no, sender_id, location=loc, contact_phone=phone)
    except LinliError as exc:
        logger.warning("Could not attach details to emergency case %s: %s", case_no, exc)
        return FAILED
    return SENT


def _answers_the_question(tracker: Tracker) -> bool:
    """Whether the form runs on a new message: since the latest user message, the only action
    is the form itself (Rasa appends it before calling the validation action). At activation
    ``action_emergency`` ran after the message."""
    actions: list[str | None] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "action":
            actions.append(event.get("name"))
    return actions == ["emergency_form"]


class ValidateEmergencyForm(FormValidationAction):
    """Reads each answer as the place (then the phone) of the emergency and attaches it."""

    def name(self) -> str:
        """Action name."""
        return "validate_emergency_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """One answer: slot updates, sent to the hub at once."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested is None or not _answers_the_question(tracker):
            return []  # activation: the slots action_emergency prefilled are already valid
        emergency = tracker.get_slot(CASE_SLOT) or {}
        text = tracker.latest_message.get("text") or ""
        turn = followup_turn(text, requested, latest_intent(tracker), emergency.get("kind"))
        if turn.reject:
            return []  # no slot events: the form rejects and a rule answers
        await self._attach(dispatcher, tracker.sender_id, emergency, turn)
        events: list[dict[str, Any]] = [SlotSet(k, v) for k, v in turn.updates.items()]
        if turn.end:
            events += [SlotSet(name, DECLINED) for name in ("location", "contact")
                       if name not in turn.updates and not tracker.get_slot(name)]  # fmt: skip
            dispatcher.utter_message(text="好的。")
        elif turn.problem == NOT_A_PHONE and emergency.get("kind") == CALLBACK:
            dispatcher.utter_message(text=CALLBACK_NOT_A_PHONE)
        elif turn.problem:
            dispatcher.utter_message(text=turn.problem)
        if requested not in turn.updates and not turn.end:
            events.append(SlotSet(requested, None))  # asked again, never a rejection
        return events

    async def _attach(
        self, dispatcher: CollectingDispatcher, sender_id: str, emergency: dict, turn: FollowupTurn
    ) -> None:
        location = turn.updates.get("location")
        location = location if isinstance(location, dict) else None
        phone = turn.updates.get("contact")
        phone = phone if isinstance(phone, str) and phone != DECLINED else None
        if location is None and phone is None:
            return
        said = [f"地点“{location_text(location)}”" if location else "",
                f"电话尾号{phone[-4:]}" if phone else ""]  # fmt: skip
        what = "和".join(s for s in said if s)
        outcome = await attach_details(sender_id, emergency, location=location, phone=phone)
        if emergency.get("kind") == CALLBACK:
            text = {SENT: CALLBACK_SENT, KEPT: CALLBACK_QUEUED}.get(outcome, CALLBACK_UNREACHABLE)
            dispatcher.utter_message(
                text=text.format(what=what if outcome != FAILED else "您的电话")
            )
        elif outcome == SENT:
            dispatcher.utter_message(text=f"好的，{what}已经告诉值班人员了。")
        elif outcome == KEPT:
            dispatcher.utter_message(text=QUEUED.format(what=what))
        else:
            where = "您在哪里" if location else "您的电话"
            dispatcher.utter_message(text=UNREACHABLE.format(what=where))


class AskEmergencyLocation(Action):
    """Ask where the emergency is."""

    def name(self) -> str:
        """Action name (the form's own question for ``location``)."""
        return "action_ask_emergency_form_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask, expecting a place."""
        ask(dispatcher, "请告诉我具体在哪里，值班人员好马上赶过去。比如“5号楼2单元301”，"
                        "或者说个地方，比如“东门旁边”。说不清也可以说“说不清”。",
            "location")  # fmt: skip
        return []


class AskEmergencyContact(Action):
    """Ask for a phone the duty staff can call (may be declined)."""

    def name(self) -> str:
        """Action name (the form's own question for ``contact``)."""
        return "action_ask_emergency_form_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask, expecting a phone number."""
        if (tracker.get_slot(CASE_SLOT) or {}).get("kind") == CALLBACK:
            ask(
                dispatcher,
                CALLBACK_ASK_PHONE,
                "phone",
                [{"title": "不留电话", "payload": "不留电话"}],
            )
            return []
        ask(dispatcher, "值班人员可能要打电话给您，方便留个手机号吗？不想留可以说“不留”。", "phone",
            [{"title": "不留电话", "payload": "不留电话"}])  # fmt: skip
        return []


class EmergencyFollowupDone(Action):
    """The follow-up is over: a calm closing line, and the slots cleared."""

    def name(self) -> str:
        """Action name."""
        return "action_emergency_followup_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Close and clear."""
        if (tracker.get_slot(CASE_SLOT) or {}).get("kind") == CALLBACK:
            phone = tracker.get_slot("contact")
            has_phone = isinstance(phone, str) and phone.isdigit()
            dispatcher.utter_message(text=CALLBACK_WILL_CALL if has_phone else CALLBACK_NO_PHONE)
        else:
            dispatcher.utter_message(text=CLOSING)
        return reset_form_slots()
