"""After an emergency: what one message adds to the urgent case — where it is, a phone — as a
pure function of the text and what was asked (the form action in actions/emergency_form.py
sends it to the hub).

Whatever the NLU thought the message was (a new report, a detail, …), an answer to “where?”
is taken as the place of the emergency: that is what the resident is answering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from actions.emergency import EmergencyKind, detect_emergency, is_real_emergency
from actions.form_logic import contact_from
from actions.parsing import (
    clean_description,
    findable,
    is_no,
    is_substantive,
    looks_like_question,
    parse_location,
    parse_phone,
    prepare,
)
from core.contracts import Location

DECLINED = "declined"
"""Slot value: the resident would not or could not say it."""

CHATTER = frozenset(
    {"greet", "goodbye", "thank", "affirm", "consult", "ask_status", "rate", "out_of_scope"}
)
"""Intents that are not an answer to “where?” unless the words name a place."""

NOT_A_PLACE = "没听清楚在哪里。"
NEED_BUILDING = "要说清楚是几号楼几单元几室，值班人员才好找到您。"
NOT_A_PHONE = "没听清楚电话号码。"
"""Short lines said before the question is asked again (the form asks it again itself)."""

_CANT_SAY = re.compile(r"不知道|不清楚|说不清|讲不清|不方便说|不想说|不说了|不记得|记不清")


@dataclass
class FollowupTurn:
    """What one message changes in the emergency follow-up."""

    updates: dict[str, object] = field(default_factory=dict)
    """New values of the ``location`` / ``contact`` slots (a location dict, a phone, DECLINED)."""
    problem: str | None = None
    """What to say when the message did not answer the question."""
    reject: bool = False
    """Not an answer at all (转人工, another emergency): let a rule handle the message."""
    end: bool = False
    """The resident wants to stop (算了): ask nothing more."""


def followup_turn(
    text: str, requested: str | None, intent: str | None, kind_code: str | None
) -> FollowupTurn:
    """Slot updates of the emergency follow-up for one message.

    Args:
        text: The resident's message.
        requested: The slot asked for: ``location`` or ``contact``.
        intent: The NLU intent (only a hint: a clear place or phone wins over it).
        kind_code: The kind of the emergency being followed up (gas, fire, …).
    """
    turn = FollowupTurn()
    if intent == "handoff_human":
        turn.reject = True
        return turn
    location = parse_location(text)
    phone = parse_phone(text)
    kind: EmergencyKind | None = detect_emergency(text)
    if kind is not None and kind.code != kind_code:
        turn.reject = True  # a different emergency: it gets its own case (action_emergency)
        return turn
    if findable(location):
        assert location is not None
        turn.updates["location"] = location.model_dump()
    if phone:
        turn.updates["contact"] = phone
    if requested == "location":
        _answer_where(text, intent, location, kind, turn)
    elif requested == "contact":
        _answer_phone(text, intent, turn)
    return turn


def _answer_where(
    text: str,
    intent: str | None,
    location: Location | None,
    kind: EmergencyKind | None,
    turn: FollowupTurn,
) -> None:
    if "location" in turn.updates:
        return
    words = prepare(text)
    if intent == "cancel":
        turn.end = True
    elif location is not None:  # only “我家 …”
        turn.problem = NEED_BUILDING
    elif _CANT_SAY.search(words) or is_no(text) or intent == "deny":
        turn.updates["location"] = DECLINED
    elif "contact" in turn.updates:
        return  # a phone first; the place is asked again
    elif kind is not None or is_real_emergency(text):  # "快来人啊": the danger, not a place
        turn.problem = f"【紧急】{kind.guidance}" if kind is not None else NOT_A_PLACE
    elif looks_like_question(text) or intent in CHATTER or not is_substantive(text):
        turn.problem = NOT_A_PLACE
    else:  # the resident's own words for the place
        turn.updates["location"] = Location(
            landmark=clean_description(text)[:100], raw=text[:500]
        ).model_dump()


def _answer_phone(text: str, intent: str | None, turn: FollowupTurn) -> None:
    if "contact" in turn.updates:
        return
    if intent == "cancel":
        turn.end = True
        return
    contact, problem = contact_from(text, intent)
    if contact:
        turn.updates["contact"] = contact
    elif problem:
        turn.problem = problem
    elif "location" not in turn.updates:
        turn.problem = NOT_A_PHONE
