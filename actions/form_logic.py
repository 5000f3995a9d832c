"""What one resident message changes in a form: pure functions from text + form state to slot
updates.

The form validation actions (actions/forms.py) call these once per turn; keeping them pure makes
every dialogue rule testable without Rasa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from actions.parsing import (
    clean_description,
    declines_contact,
    declines_contact_in_passing,
    drop_negated,
    findable,
    is_no,
    is_substantive,
    is_yes,
    looks_like_bad_phone,
    merge_location,
    parse_applicant,
    parse_category,
    parse_location,
    parse_phone,
    parse_service,
    parse_time_preference,
    parse_urgency,
    prepare,
    restate_place,
)
from core.contracts import Location

_CORRECTION_MARK = re.compile(r"不对|错了|不是|改成|改为|应该是|搞错|说错|更正")


@dataclass
class TurnResult:
    """Slot updates from one message, plus a message for the resident when something is off."""

    updates: dict[str, object] = field(default_factory=dict)
    problem: str | None = None
    """A short Chinese explanation when the requested detail could not be understood."""


def contact_from(text: str, intent: str | None) -> tuple[str | None, str | None]:
    """(contact value, problem) from an answer to the phone question."""
    if phone := parse_phone(text):
        return phone, None
    if looks_like_bad_phone(text):
        # only what is wrong: the form asks for the phone again itself, with 不留电话
        return None, "这个号码好像不太对，手机号是11位数字。"
    if declines_contact(text) or intent == "deny" or is_no(text):
        return "declined", None
    return None, None


def _contact_answer(text: str, intent: str | None, result: TurnResult) -> None:
    """The answer to the phone question: a number, a decline, or a gentle problem."""
    contact, problem = contact_from(text, intent)
    if contact:
        result.updates["contact"] = contact
    result.problem = problem


def _after_read_back(text: str, intent: str | None, result: TurnResult, example: str) -> None:
    """An answer to the read-back that was not a plain yes: a correction, a no, or unclear."""
    up = result.updates
    if up:  # corrected details: read back again
        up["correcting"] = None
        up["confirmed"] = None
    elif is_no(text) or intent == "deny":  # ask what is wrong
        up["correcting"] = True
        up["confirmed"] = None
    else:
        result.problem = f"对的话点“对”或说“对”；不对的话，请告诉我哪里不对，比如“{example}”。"


def _location_update(text: str, slots: dict, overwrite: bool) -> dict | None:
    """New location parts: a correction replaces, otherwise only parts not known yet are added
    ("屋头楼上" then "10号楼3单元502" → both kept; "5号楼" never silently becomes "7号楼")."""
    loc = parse_location(text)
    if loc is None or not findable(loc):
        return None  # "俺家楼上" said in passing: the form still asks where (kept in the words)
    old = slots.get("location") or None
    if old is None or overwrite:
        return merge_location(old if overwrite else None, loc).model_dump()
    conflicts = any(
        getattr(loc, part) and old.get(part) and getattr(loc, part) != old.get(part)
        for part in ("building", "unit", "room")
    )
    adds = any(getattr(loc, part) and not old.get(part) for part in ("building", "unit", "room"))
    if conflicts or not adds:
        return None
    return merge_location(old, loc).model_dump()


def report_turn(
    text: str, requested: str | None, slots: dict, intent: str | None = None
) -> TurnResult:
    """Slot updates of the 报事 form for one message.

    Args:
        text: The resident's message as received.
        requested: The slot the form asked for (None on activation).
        slots: Current slot values (category, location, description, urgency, contact, correcting).
        intent: The NLU intent of the message, used only as a hint for yes/no answers.
    """
    result = TurnResult()
    up = result.updates
    correcting = bool(slots.get("correcting")) or requested == "confirmed"
    overwrite = correcting or bool(_CORRECTION_MARK.search(prepare(text)))
    corrected = drop_negated(prepare(text))

    if requested == "confirmed" and not slots.get("correcting"):
        if (is_yes(text) or intent == "affirm") and not _has_report_details(corrected):
            up["confirmed"] = True
            return result

    # details that may come in any answer
    if (cat := parse_category(text)) and (overwrite or not slots.get("category")):
        up["category"] = cat
    if (loc := _location_update(text, slots, overwrite)) is not None:
        up["location"] = loc
        if slots.get("description") and slots.get("location"):
            # the corrected place replaces the stale one in the description too (read back, case)
            restated = restate_place(
                slots["description"], slots["location"], Location.model_validate(loc)
            )
            if restated != slots["description"]:
                up["description"] = restated
    if (phone := parse_phone(text)) and (overwrite or not slots.get("contact")):
        up["contact"] = phone
    if (urg := parse_urgency(text)) and (overwrite or not slots.get("urgency")):
        up["urgency"] = urg

    if requested is None:
        if is_substantive(text):
            up["description"] = clean_description(text)
        if "contact" not in up and declines_contact_in_passing(text):
            up["contact"] = "declined"
    elif requested == "description":
        if is_substantive(text) or len(prepare(text)) >= 2:
            up["description"] = clean_description(text)
    elif requested == "category":
        if "category" not in up and is_substantive(text):
            up["category"] = "other"
    elif requested == "location":
        if "location" not in up and len(prepare(text).strip("，。,. ")) >= 2 and not is_no(text):
            up["location"] = {
                "building": None,
                "unit": None,
                "room": None,
                "landmark": clean_description(text)[:100],
                "raw": text[:500],
            }
    elif requested == "urgency":
        if not up:
            if is_yes(text) or intent == "affirm":
                up["urgency"] = "urgent"
            elif is_no(text) or intent == "deny":
                up["urgency"] = "normal"
    elif requested == "contact":
        if not up:
            _contact_answer(text, intent, result)
    elif requested == "confirmed":
        if slots.get("correcting") and not up and is_substantive(text):
            # nothing structured: the resident restated what happened
            up["description"] = clean_description(text)
        _after_read_back(text, intent, result, "是5号楼")
    return result


def _has_report_details(text: str) -> bool:
    return any((parse_location(text), parse_phone(text), parse_category(text)))


def service_turn(
    text: str, requested: str | None, slots: dict, intent: str | None = None
) -> TurnResult:
    """Slot updates of the 办事 form for one message (see ``report_turn``)."""
    result = TurnResult()
    up = result.updates
    correcting = bool(slots.get("correcting")) or requested == "confirmed"
    overwrite = correcting or bool(_CORRECTION_MARK.search(prepare(text)))

    if requested == "confirmed" and not slots.get("correcting"):
        corrected = drop_negated(prepare(text))
        details = any(
            (
                parse_service(corrected),
                parse_applicant(corrected),
                parse_phone(corrected),
                parse_time_preference(corrected),
            )
        )
        if (is_yes(text) or intent == "affirm") and not details:
            up["confirmed"] = True
            return result

    if (svc := parse_service(text)) and (overwrite or not slots.get("service_type")):
        up["service_type"] = svc
    if (who := parse_applicant(text)) and (overwrite or not slots.get("applicant")):
        if not (who == "本人" and slots.get("applicant") and not overwrite):
            up["applicant"] = who
    if (when := parse_time_preference(text)) and (overwrite or not slots.get("time_preference")):
        up["time_preference"] = when
    if (phone := parse_phone(text)) and (overwrite or not slots.get("contact")):
        up["contact"] = phone

    if requested == "service_type":
        if "service_type" not in up and is_substantive(text) and not is_no(text):
            up["service_type"] = "other_service"
    elif requested == "applicant":
        if not up:
            if re.search(r"家人|家里人|亲人|家属|老人", prepare(text)):
                up["applicant"] = "家属"
            elif is_yes(text) or intent == "affirm":
                up["applicant"] = "本人"
    elif requested == "time_preference":
        if (
            "time_preference" not in up
            and len(prepare(text).strip("，。,. ")) >= 2
            and not is_no(text)
        ):
            up["time_preference"] = clean_description(text)[:100]
    elif requested == "contact":
        if not up:
            _contact_answer(text, intent, result)
    elif requested == "confirmed":
        _after_read_back(text, intent, result, "是帮我爸办")
    return result
