"""Form validation for 报事 and 办事: one parser pass per message, then rasa-sdk
``validate_<slot>``."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.clarify import text_before_clarify
from actions.consult import answers_a_consult_prompt
from actions.emergency import is_real_emergency
from actions.form_logic import TurnResult, report_turn, service_turn
from actions.out_of_scope import log_out_of_scope
from actions.parsing import (
    is_substantive,
    is_yes,
    looks_like_question,
    parse_applicant,
    parse_category,
    parse_location,
    parse_phone,
    parse_service,
    parse_time_preference,
    parse_urgency,
)
from core.taxonomy import category_by_code, service_by_code

logger = logging.getLogger(__name__)

INTERRUPTING_INTENTS = frozenset(
    {"consult", "ask_status", "ask_results", "rate", "greet", "goodbye", "thank", "out_of_scope"}
)
"""Intents answered by a rule while the form waits (the form resumes afterwards)."""
ENDING_INTENTS = frozenset({"cancel", "emergency", "handoff_human"})
"""Intents that end the form, whatever the form asked."""

NOT_UNDERSTOOD = {
    "description": "没太听清楚，请再简单说说是什么问题？",
    "category": "没太听明白是哪一类问题，您可以点下面的按钮，或者说“其他”。",
    "location": (
        "没听清楚在哪里。请告诉我楼号和单元，比如“5号楼2单元”，或者一个地方，比如“东门旁边”。"
    ),
    "urgency": "急不急？点“很急”或“不急”，也可以直接告诉我。",
    "contact": "请告诉我11位手机号；不想留电话，点“不留电话”或说“不留”就行。",
    "confirmed": "对的话点“对”或说“对”；不对的话，请告诉我哪里不对。",
    "service_type": "没听明白要办哪项，您可以点下面的按钮，比如“高龄津贴”。",
    "applicant": "是给您自己办，还是帮家里人办？比如“我自己”或者“帮我妈”。",
    "time_preference": "您什么时候方便？比如“明天上午”，或者说“随时都行”。",
    "proposal_what": "没太听清楚，请再简单说说您的建议，比如“小区多装几个充电桩”。",
    "proposal_where": "这个建议是关于整个小区，还是哪栋楼？可以说“整个小区”或者“5号楼”。",
    "proposal_why": "为什么想提这个建议？说一两句就行；不想说可以说“不用了”。",
    "vote_poll": "请点一下要投的那一项，或者说“第一个”。",
    "vote_option": "请点一下您的意见，或者直接说“同意”“不同意”“弃权”。",
    "vote_household": "您家门牌是多少？比如“5号楼2单元301”。",
    "vote_last4": "请告诉我家里登记的手机号最后四位，比如“5678”。",
}


def latest_intent(tracker: Tracker) -> str | None:
    """The intent name of the latest user message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


class ResidentForm(FormValidationAction, ABC):
    """Shared mechanics: interruptions, one parse per turn, a gentle re-ask when nothing fits."""

    extra_slots: tuple[str, ...] = ()
    """Slots beyond the form's own that ``turn`` reads (and may set)."""
    reasks_itself: frozenset[str] = frozenset()
    """Slots whose question action words the re-ask itself (``NOT_UNDERSTOOD`` with the
    question's buttons), so the form does not say it first: once, not twice."""

    @abstractmethod
    def turn(self, text: str, requested: str | None, slots: dict, intent: str | None) -> TurnResult:
        """Slot updates for one message (a pure function from actions/form_logic.py)."""

    @abstractmethod
    def answers_requested(self, text: str, requested: str | None) -> bool:
        """True when the text clearly answers the requested slot, whatever the intent says."""

    def is_interruption(self, tracker: Tracker) -> bool:
        """True when the message is not an answer to the form (a question, a cancel, …)."""
        intent = latest_intent(tracker)
        if intent == "emergency" and not is_real_emergency(
            tracker.latest_message.get("text") or ""
        ):
            # "周三上午我可以带她过去" is an answer, not a danger: only a real danger signal
            # ends the form (action_emergency checks the same before raising an alarm)
            return False
        if intent in ENDING_INTENTS:
            return True
        if intent in INTERRUPTING_INTENTS:
            text = tracker.latest_message.get("text") or ""
            return not self.answers_requested(text, tracker.get_slot(REQUESTED_SLOT))
        return False

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Parse the message once, validate the slots it set, re-ask when nothing fit."""
        if self.is_interruption(tracker):
            # No slot events: the form rejects, a rule answers, the form resumes.
            if latest_intent(tracker) == "out_of_scope":
                await log_out_of_scope(tracker)  # declined, but staff see what was asked
            return []
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = tracker.latest_message.get("text") or ""
        if requested is None and answers_a_consult_prompt(tracker.events, text, tapped_only=True):
            # a suggested FAQ question tapped ("电梯坏了找谁修？") starts no form: it is answered
            return [
                SlotSet(REQUESTED_SLOT, None),
                ActiveLoop(None),
                FollowupAction("action_answer_question"),
            ]
        earlier = text_before_clarify(tracker.events) if requested is None else None
        if (
            earlier
            and is_substantive(earlier)
            and (text.startswith("/") or not is_substantive(text))
        ):
            # the resident chose this flow with a button (or bare words: "我要报事") after
            # "您是想…？": what they said at first is their request, not the button's words; a
            # request said in full instead is the request
            text = earlier
        elif text.startswith("/"):
            text = (
                ""  # a button's payload ("/report", "/affirm") is no description; its intent counts
            )
        slot_names = [*self.domain_slots(domain), "correcting", *self.extra_slots]
        slots = {name: tracker.get_slot(name) for name in slot_names}
        result = self.turn(text, requested, slots, latest_intent(tracker))
        tracker.add_slots([SlotSet(k, v) for k, v in result.updates.items()])
        events = await self._extract_validation_events(dispatcher, tracker, domain)
        form_slots = set(self.domain_slots(domain))
        # rasa-sdk validates only the form's own slots; carry the others (correcting) over
        events += [SlotSet(k, v) for k, v in result.updates.items() if k not in form_slots]
        filled = any(e.get("event") == "slot" and e.get("name") != REQUESTED_SLOT for e in events)
        if result.problem:
            dispatcher.utter_message(text=result.problem)
        if requested and not filled:
            if not result.problem and requested not in self.reasks_itself:
                dispatcher.utter_message(
                    text=NOT_UNDERSTOOD.get(requested, NOT_UNDERSTOOD["description"])
                )
            events.append(SlotSet(requested, None))
        return events

    # --- validate_<slot> (rasa-sdk convention); each returns the cleaned value or None

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A valid phone number or "declined"."""
        if value is None or value == "declined" or parse_phone(str(value)) == value:
            return {"contact": value}
        return {"contact": None}

    def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Only an explicit True confirms."""
        return {"confirmed": True if value is True else None}


class ValidateReportForm(ResidentForm):
    """Validation of the 报事 form."""

    def name(self) -> str:
        """Action name."""
        return "validate_report_form"

    def turn(self, text: str, requested: str | None, slots: dict, intent: str | None) -> TurnResult:
        """See ``form_logic.report_turn``."""
        return report_turn(text, requested, slots, intent)

    def answers_requested(self, text: str, requested: str | None) -> bool:
        """A clear answer to the question asked is an answer, whatever the NLU thought it was."""
        if looks_like_question(text):
            return False
        parser = {
            "location": parse_location,
            "contact": parse_phone,
            "urgency": parse_urgency,
            "category": parse_category,
            "confirmed": lambda t: is_yes(t) or None,
            # any statement that is not a question describes the problem
            "description": lambda t: is_substantive(t) or None,
        }.get(requested or "")
        return parser is not None and parser(text) is not None

    def validate_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A code of the canonical category list."""
        return {"category": value if value and category_by_code(str(value)) else None}

    def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A structured location with at least one part."""
        ok = isinstance(value, dict) and any(
            value.get(k) for k in ("building", "unit", "room", "landmark")
        )
        return {"location": value if ok else None}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Free text, at most 2000 characters."""
        text = str(value or "").strip()
        return {"description": text[:2000] or None}

    def validate_urgency(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """'urgent' or 'normal'."""
        return {"urgency": value if value in ("urgent", "normal") else None}


class ValidateServiceForm(ResidentForm):
    """Validation of the 办事 form."""

    def name(self) -> str:
        """Action name."""
        return "validate_service_form"

    def turn(self, text: str, requested: str | None, slots: dict, intent: str | None) -> TurnResult:
        """See ``form_logic.service_turn``."""
        return service_turn(text, requested, slots, intent)

    def answers_requested(self, text: str, requested: str | None) -> bool:
        """A clear answer to the question asked is an answer, whatever the NLU thought it was."""
        if looks_like_question(text):
            return False
        parser = {
            "service_type": parse_service,
            "contact": parse_phone,
            "applicant": parse_applicant,
            "time_preference": parse_time_preference,
            "confirmed": lambda t: is_yes(t) or None,
        }.get(requested or "")
        return parser is not None and parser(text) is not None

    def validate_service_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A code of the service catalogue."""
        return {"service_type": value if value and service_by_code(str(value)) else None}

    def validate_applicant(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """本人 or a relation, at most 40 characters."""
        return {"applicant": str(value)[:40] if value else None}

    def validate_time_preference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Free text, at most 100 characters."""
        return {"time_preference": str(value)[:100] if value else None}
