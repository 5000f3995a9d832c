"""Case status questions and the resident's confirmation (解决了 / 部分解决 / 没解决).

Residents see their own cases of this conversation, and a case reported anywhere else (the
kiosk, the phone, another chat) once they give its number plus the last 4 digits of the phone
that reported it (``actions.case_lookup``; the hub limits guesses per sender)."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.case_lookup import (
    ASK_BOTH,
    ASK_PHONE,
    ASK_RATING,
    ASKED_FOR_REF,
    FORGOT,
    HUMAN_BUTTON,
    LOOK_UP_AGAIN,
    NO_NUMBER,
    NO_PHONE,
    NOT_FOUND,
    SHOWN_CASE,
    TOO_MANY,
    WAITING_NUMBER,
    rating_buttons,
    remembered,
    tell_view,
    when_text,
)
from actions.case_ref import (
    answer_to,
    forgot_it,
    has_no_number,
    has_no_phone,
    names_a_case,
    parse_case_ref,
    tail_of,
)
from actions.parsing import parse_case_no, parse_category, parse_rating, parse_service
from actions.readback import location_text
from actions.status_form import FORM, NUMBER_SLOT, TAIL_SLOT, form_available
from cases.client import CaseClientError
from core.contracts import CasePublic
from core.errors import LinliError
from core.localtime import promised

logger = logging.getLogger(__name__)
UNREACHABLE = "系统暂时连不上，查不到进度，请稍后再问，或者说“转人工”。"


def _when(when: datetime) -> str:
    """A deadline as promised (``core.localtime.promised``) and said: 12月4日8点半 / 12月4日15点."""
    return when_text(promised(when) or when)


def describe_case(case: CasePublic) -> str:
    """One plain-Chinese line about a case."""
    what = case.category_label or case.service_label or "您的事项"
    where = f"，{location_text(case.location.model_dump())}" if case.location else ""
    due = (
        f"，预计{_when(case.due_at)}前办好"
        if case.due_at and case.status not in ("closed", "resolved")
        else ""
    )
    who = f"，由{case.assignee}处理" if case.assignee else ""
    return f"编号 {case.case_no}（{what}{where}）现在是：{case.status_label}{who}{due}。"


class CaseStatus(Action):
    """Find a case by number, by its last 4 digits, or the resident's latest one; a case
    reported elsewhere by its number plus the last 4 digits of the reporting phone."""

    def name(self) -> str:
        """Action name."""
        return "action_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Look the case up and describe it."""
        text = tracker.latest_message.get("text") or ""
        ref = answer_to(text, remembered(tracker, WAITING_NUMBER))  # "7777" after we asked
        number, phone_tail = ref.number, ref.phone_tail
        with_form = form_available(domain)
        events: list[dict[str, Any]] = []
        if with_form and tracker.get_slot(NUMBER_SLOT) and tracker.get_slot(TAIL_SLOT):
            number, phone_tail = tracker.get_slot(NUMBER_SLOT), tracker.get_slot(TAIL_SLOT)
            events = [SlotSet(NUMBER_SLOT, None), SlotSet(TAIL_SLOT, None)]  # status_form done
        if not phone_tail and has_no_phone(text):
            dispatcher.utter_message(text=NO_PHONE, buttons=[HUMAN_BUTTON])
            return events
        if not (number or phone_tail) and forgot_it(text) and _asked_for_digits(tracker):
            dispatcher.utter_message(text=FORGOT, buttons=[HUMAN_BUTTON])
            return events
        client = runtime.case_client()
        sender = tracker.sender_id
        try:
            if number:
                own = await _own_case(client, sender, number)
                if own is not None:
                    _tell_own(dispatcher, [own])
                elif phone_tail:
                    view = await client.resident_lookup(number, phone_tail, sender_id=sender)
                    if view is None:
                        logger.info("Status look-up by number + phone found nothing")
                        dispatcher.utter_message(text=NOT_FOUND)
                    else:
                        tell_view(dispatcher, view)
                elif with_form:
                    return _start_form(number, None)
                else:
                    dispatcher.utter_message(text=ASK_PHONE.format(tail=tail_of(number)))
                    waiting = {"expect": "phone", "digits": [4], WAITING_NUMBER: number}
                    dispatcher.utter_message(json_message=waiting)
            elif phone_tail:
                if with_form:
                    return _start_form(None, phone_tail)
                _ask_both(dispatcher, ASK_BOTH)
            else:
                cases = await client.list_cases_for_sender(sender, limit=3)
                if cases:
                    _tell_own(dispatcher, cases)
                elif has_no_number(text):
                    dispatcher.utter_message(text=NO_NUMBER, buttons=[HUMAN_BUTTON])
                elif with_form:
                    dispatcher.utter_message(text="没有查到您在这里报的事。")
                    return _start_form(None, None)
                else:
                    _ask_both(dispatcher, f"没有查到您在这里报的事。{ASK_BOTH}")
        except CaseClientError as exc:
            if exc.status_code != 429:
                logger.warning("Status lookup refused: %s", exc.status_code)
                dispatcher.utter_message(text=UNREACHABLE)
                return events
            logger.info("Status look-up refused by the hub: too many misses")
            dispatcher.utter_message(text=TOO_MANY)
        except LinliError as exc:
            logger.warning("Status lookup failed: %s", exc)
            dispatcher.utter_message(text=UNREACHABLE)
        return events


def _start_form(number: str | None, phone_tail: str | None) -> list[dict[str, Any]]:
    """status_form asks for what is missing (what an earlier, unfinished one left is dropped)."""
    return [SlotSet(NUMBER_SLOT, number), SlotSet(TAIL_SLOT, phone_tail), FollowupAction(FORM)]


def _ask_both(dispatcher: CollectingDispatcher, text: str) -> None:
    dispatcher.utter_message(text=text)
    dispatcher.utter_message(json_message={ASKED_FOR_REF: "number_and_phone"})


def _asked_for_digits(tracker: Tracker) -> bool:
    """Whether we just asked for a case number and/or a phone's last 4 digits."""
    return bool(remembered(tracker, WAITING_NUMBER) or remembered(tracker, ASKED_FOR_REF))


async def answer_status_followup(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[dict[str, Any]] | None:
    """A case number and/or phone digits that the NLU takes for ``inform``: the digits we
    just asked for, said bare ("0098 7777", "手机尾数7777"), or a number named as one with
    nothing to report ("尾号0098", which would otherwise read as room 0098). Looks the case
    up as ``action_case_status`` would and returns its events; None (nothing said) for any
    other message."""
    text = tracker.latest_message.get("text") or ""
    ref = parse_case_ref(text)
    if _asked_for_digits(tracker):
        wanted = (
            bool(ref.number or ref.phone_tail)
            or has_no_phone(text)
            or has_no_number(text)
            or forgot_it(text)
        )
    else:
        wanted = (
            bool(ref.number)
            and names_a_case(text)
            and not (parse_category(text) or parse_service(text))
        )
    return await CaseStatus().run(dispatcher, tracker, domain) if wanted else None


async def _own_case(client: Any, sender: str, number: str) -> CasePublic | None:
    """The case with this number (full, 12 digits or last 4) among this sender's own cases."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 4:
        return await client.find_case(digits, sender_id=sender)
    mine = await client.list_cases_for_sender(sender, limit=50)
    full = parse_case_no(number)
    for case in mine:
        if case.case_no == full or (not full and re.sub(r"\D", "", case.case_no) == digits[:12]):
            return case
    return None


def _tell_own(dispatcher: CollectingDispatcher, cases: list[CasePublic]) -> None:
    """Describe the resident's own cases; ask 解决了 … when exactly one is waiting for it."""
    dispatcher.utter_message(text="\n".join(describe_case(c) for c in cases))
    waiting = [c for c in cases if c.status == "resolved"]
    if len(waiting) == 1:
        dispatcher.utter_message(text=ASK_RATING, buttons=rating_buttons())
        dispatcher.utter_message(json_message={SHOWN_CASE: waiting[0].case_no})


class Rate(Action):
    """Record 解决了 / 部分解决 / 没解决 for the case just shown, or the resident's case
    waiting for confirmation."""

    def name(self) -> str:
        """Action name."""
        return "action_rate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Confirm the case just shown (found by number + phone), else the most recent
        resolved case of this resident."""
        text = tracker.latest_message.get("text") or ""
        rating = parse_rating(text)
        if rating is None:
            dispatcher.utter_message(text="请问问题解决了吗？", buttons=rating_buttons())
            return []
        client = runtime.case_client()
        explicit = parse_case_no(text)
        shown = remembered(tracker, SHOWN_CASE, turns=3)
        try:
            if shown and explicit in (None, shown):
                target = shown
            else:
                cases = await client.list_cases_for_sender(tracker.sender_id, limit=10)
                waiting = [c for c in cases if c.status == "resolved"]
                if explicit:
                    waiting = [c for c in waiting if c.case_no == explicit]
                if not waiting:
                    dispatcher.utter_message(
                        text="您现在没有等待确认的事项。想查进度可以说“我上次报的事怎么样了”。"
                    )
                    return []
                target = waiting[0].case_no
            result = await client.confirm(target, tracker.sender_id, rating, comment=text[:500])
        except CaseClientError as exc:
            logger.info("Confirmation refused: %s", exc.status_code)
            reply = {403: LOOK_UP_AGAIN, 404: NOT_FOUND}.get(exc.status_code, exc.detail)
            dispatcher.utter_message(text=reply)
            return []
        except LinliError as exc:
            logger.warning("Confirmation failed: %s", exc)
            dispatcher.utter_message(text=UNREACHABLE)
            return []
        dispatcher.utter_message(text=result.message)
        return []
