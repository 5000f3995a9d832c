"""Emergencies and hand-off to a person: both act at once, whatever form was running."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.announce import announce_case
from actions.consult import answers_a_consult_prompt
from actions.emergency import (
    GENERIC,
    asks_about_a_danger_topic,
    detect_emergency,
    gas_appliance_fault,
    is_real_emergency,
)
from actions.emergency_followup import DECLINED, findable
from actions.emergency_form import CASE_SLOT, CLOSING
from actions.handoff_text import CALLBACK, OFFICE_HOURS, said_parts
from actions.parsing import clean_description, parse_location, parse_phone
from actions.readback import location_text, speakable_case_no
from actions.submit import (
    channel_of,
    contact_fields,
    create_case,
    idempotency_key,
    location_from_slot,
    reset_form_slots,
)
from core.contracts import CaseCreate, CasePublic, CaseType, Channel, Location, Urgency
from core.pii import mask_pii

logger = logging.getLogger(__name__)


class Emergency(Action):
    """Safety guidance first, then an urgent case at once, then ``emergency_form`` asks where
    (and a phone) and attaches the answers to that case."""

    def name(self) -> str:
        """Action name."""
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Guide, create the emergency case, end any form, start the follow-up."""
        text = tracker.latest_message.get("text") or ""
        form = (tracker.active_loop or {}).get("name")
        if not form and (
            answers_a_consult_prompt(tracker.events, text, tapped_only=True)
            or asks_about_a_danger_topic(text)
        ):
            # "电动车着火了怎么办？" tapped among the questions the assistant itself offered, or
            # "我想问问着火那些事": a question about what to do, not a fire being reported
            logger.info("A question about a danger, not a danger: answered, no alarm")
            return [FollowupAction("action_answer_question")]
        if form and not is_real_emergency(text):
            # an answer to the form's question that the NLU took for an emergency: no alarm,
            # the form takes it as its answer (and keeps everything said so far)
            logger.info("No danger signal in an answer to %s: not an emergency", form)
            return [FollowupAction(form)]
        if not form and gas_appliance_fault(text) and not is_real_emergency(text):
            # "煤气灶打不着火了": no smell, no leak: a repair, reported as one (no alarm)
            logger.info("A gas appliance that will not light: a report, not an emergency")
            return [FollowupAction("report_form")]
        kind = detect_emergency(text) or GENERIC
        dispatcher.utter_message(text=f"【紧急】{kind.guidance}")
        location = parse_location(text) or location_from_slot(tracker.get_slot("location"))
        phone = parse_phone(text) or tracker.get_slot("contact")
        case = CaseCreate(
            type=CaseType.EMERGENCY,
            category=kind.category,
            location=location,
            description=f"{kind.label}：{clean_description(text)}"[:2000],
            urgency=Urgency.EMERGENCY,
            channel=channel_of(tracker.sender_id),
            sender_id=tracker.sender_id,
            idempotency_key=idempotency_key(tracker, "emergency"),
            extra={"emergency_kind": kind.code},
            **contact_fields(phone if phone != "declined" else None),
        )
        created = await create_case(case)
        if created is None:
            dispatcher.utter_message(
                text="系统暂时连不上值班人员，请一定先拨打上面的电话！您说的情况已经保存，恢复后会马上通知社区。"
            )
        else:
            where = f"（{location_text(location.model_dump())}）" if location else ""
            dispatcher.utter_message(
                text=f"已经通知社区值班人员{where}，紧急编号 {speakable_case_no(created.case_no)}。"
            )
            announce_case(dispatcher, tracker.sender_id, created)
        return [
            ActiveLoop(None),
            *reset_form_slots(),
            *follow_up(dispatcher, created, case, kind.code, location, phone),
        ]


def follow_up(
    dispatcher: CollectingDispatcher,
    created: CasePublic | None,
    case: CaseCreate,
    kind_code: str,
    location: Location | None,
    phone: str | None,
) -> list[dict[str, Any]]:
    """Events that make the next answers go to this emergency case: ``emergency_form`` asks
    where (unless the place was already said clearly) and then a phone (unless known)."""
    known_place = location.model_dump() if location is not None and findable(location) else None
    if known_place and phone:
        dispatcher.utter_message(text=CLOSING)
        return []
    emergency = {"case_no": created.case_no if created else None, "key": case.idempotency_key,
                 "kind": kind_code}  # fmt: skip
    return [SlotSet(CASE_SLOT, emergency), SlotSet("location", known_place),
            SlotSet("contact", phone or None), FollowupAction("emergency_form")]  # fmt: skip


QUESTION_INTENTS = frozenset({"consult", "nlu_fallback", "out_of_scope"})
"""Intents of a resident's question the assistant could not answer well (a form's answer, such
as "3号楼", is carried by the slots instead)."""


def question_before(tracker: Tracker) -> str | None:
    """The resident's question just before this 转人工 (pressed under 您是想问：, or said after
    an answer that did not help), phone and ID numbers masked; None when there was none."""
    users = [e for e in reversed(tracker.events or []) if e.get("event") == "user"]
    if len(users) < 2:
        return None
    before = users[1]
    text = str(before.get("text") or "").strip()
    intent = ((before.get("parse_data") or {}).get("intent") or {}).get("name")
    if not text or text.startswith("/") or intent not in QUESTION_INTENTS:
        return None
    return mask_pii(text)[:300]


class Handoff(Action):
    """A call-back task for staff, with whatever the resident already said, and what happens
    next. Without a phone it then asks for one (``emergency_form`` with the ``callback`` kind
    attaches the answer to the same task); the kiosk asks on its own (voice/kiosk/handoff.py)."""

    def name(self) -> str:
        """Action name."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Create the call-back case, end any form."""
        slots = tracker.current_slot_values()
        said = said_parts(slots)
        question = None if said else question_before(tracker)
        text = tracker.latest_message.get("text") or ""
        phone = parse_phone(text) or slots.get("contact")
        form = (tracker.active_loop or {}).get("name")
        case = CaseCreate(
            type=CaseType.CALLBACK,
            category=slots.get("category"),
            location=location_from_slot(slots.get("location")),
            description=(
                "居民要求人工服务。"
                + (f"已说明：{'；'.join(said)}" if said else "")
                + (f"居民刚才问：{question}" if question else "")
            )[:2000],
            channel=channel_of(tracker.sender_id),
            sender_id=tracker.sender_id,
            idempotency_key=idempotency_key(tracker, "callback"),
            extra={"interrupted_form": form} if form else {},
            **contact_fields(phone if phone != "declined" else None),
        )
        created = await create_case(case)
        # no phone yet: ask for one next (not at the kiosk, which asks itself)
        ask_phone = not phone and case.channel is not Channel.KIOSK
        how = (
            ""
            if ask_phone
            else f"工作人员会在{OFFICE_HOURS}打电话给您（尾号{phone[-4:]}）。"
            if phone and phone != "declined"
            else f"工作人员会在{OFFICE_HOURS}尽快联系您；在服务中心的话，也可以直接到一楼综合窗口。"
        )
        if created is None:
            dispatcher.utter_message(
                text=f"好的，给您转人工。系统暂时连不上，您的请求已保存。{how}"
            )
        else:
            dispatcher.utter_message(
                text=f"好的，已为您转人工，登记编号 {speakable_case_no(created.case_no)}。{how}"
                + ("您刚才说的内容也一并转给了工作人员。" if said or question else "")
            )
            announce_case(dispatcher, tracker.sender_id, created)
        events: list[dict[str, Any]] = [ActiveLoop(None), *reset_form_slots()]
        if ask_phone:
            callback = {"case_no": created.case_no if created else None,
                        "key": case.idempotency_key, "kind": CALLBACK}  # fmt: skip
            events += [SlotSet(CASE_SLOT, callback), SlotSet("location", DECLINED),
                       SlotSet("contact", None), FollowupAction("emergency_form")]  # fmt: skip
        return events
