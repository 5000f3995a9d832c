"""Submitting confirmed forms to the case system, cancelling, and the shared case-creation step."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.announce import announce_case
from actions.readback import materials_text, speakable_case_no
from actions.yishi_logic import NO_REASON, skips_reason
from core.contracts import CaseCreate, CasePublic, CaseType, Channel, Location, Urgency
from core.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

FORM_SLOTS = (
    "category",
    "location",
    "description",
    "urgency",
    "contact",
    "service_type",
    "applicant",
    "time_preference",
    "confirmed",
    "correcting",
    "emergency_case",
    "proposal_what",
    "proposal_where",
    "proposal_why",
    "vote_poll",
    "vote_choices",
    "vote_option",
    "vote_household",
    "vote_partial",
    "vote_last4",
    "vote_relation",
    "requested_slot",
)
SAVED_FOR_LATER = (
    "系统暂时连不上，不过您说的内容已经保存好了，恢复后会自动提交，"
    "编号会再通知您。如果很急，请直接联系社区服务中心。"
)


def reset_form_slots() -> list[dict[str, Any]]:
    """SlotSet events clearing everything a form collected."""
    return [SlotSet(name, None) for name in FORM_SLOTS]


def channel_of(sender_id: str) -> Channel:
    """The channel a sender id belongs to (tg:…, kiosk:…, web:…)."""
    prefix = sender_id.split(":", 1)[0] if ":" in sender_id else ""
    return {"tg": Channel.TELEGRAM, "kiosk": Channel.KIOSK, "web": Channel.WEB}.get(
        prefix, Channel.REST
    )


def idempotency_key(tracker: Tracker, kind: str) -> str:
    """Same tracker state → same key: a retried action never creates a second case."""
    stamp = next(
        (e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), 0
    )
    return f"{tracker.sender_id}:{kind}:{stamp}"


def location_from_slot(value: Any) -> Location | None:
    """The location slot as a contract object."""
    if not isinstance(value, dict):
        return None
    return Location.model_validate({k: v for k, v in value.items() if k in Location.model_fields})


def contact_fields(contact: str | None) -> dict[str, Any]:
    """contact_phone / contact_declined from the contact slot."""
    if contact and contact != "declined":
        return {"contact_phone": contact, "contact_declined": False}
    return {"contact_phone": None, "contact_declined": contact == "declined"}


async def create_case(case: CaseCreate) -> CasePublic | None:
    """Store the case durably, hand it to the hub; None when the hub is unreachable (retried
    later)."""
    await runtime.pending().add(case)
    try:
        await runtime.flush_pending()
    except Exception:
        logger.exception("Flushing older submissions failed")
    try:
        created = await runtime.case_client().create_case(case)
    except ServiceUnavailable:
        logger.warning("Hub unreachable; submission %s kept for retry", case.idempotency_key)
        runtime.ensure_retrying()
        return None
    await runtime.pending().remove(case.idempotency_key or "")
    return created


class SubmitReport(Action):
    """Create the 报事 case after the resident confirmed the read-back."""

    def name(self) -> str:
        """Action name."""
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Submit, tell the case number, reset the form."""
        slots = tracker.current_slot_values()
        case = CaseCreate(
            type=CaseType.REPORT,
            category=slots.get("category") or "other",
            location=location_from_slot(slots.get("location")),
            description=slots.get("description") or "",
            urgency=Urgency(slots.get("urgency") or "normal"),
            channel=channel_of(tracker.sender_id),
            sender_id=tracker.sender_id,
            idempotency_key=idempotency_key(tracker, "report"),
            **contact_fields(slots.get("contact")),
        )
        created = await create_case(case)
        if created is None:
            dispatcher.utter_message(text=SAVED_FOR_LATER)
            return reset_form_slots()
        text = f"已受理！您的报事编号是 {speakable_case_no(created.case_no)}。"
        if created.linked_to:
            text += (
                f"这个问题邻居已经反映过了（编号 {created.linked_to}），"
                "您的反映已合并进去，处理进展会同样通知您。"
            )
        else:
            text += "工作人员会尽快处理，处理好了会请您确认是否解决。"
        dispatcher.utter_message(text=text, json_message=None)
        announce_case(dispatcher, tracker.sender_id, created)
        return [*reset_form_slots(), SlotSet("last_case_no", created.case_no)]


class SubmitService(Action):
    """Create the 办事 case after the resident confirmed the read-back."""

    def name(self) -> str:
        """Action name."""
        return "action_submit_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Submit, list the materials, tell the case number, reset the form."""
        slots = tracker.current_slot_values()
        service_code = slots.get("service_type") or "other_service"
        case = CaseCreate(
            type=CaseType.SERVICE,
            service_code=service_code,
            applicant=slots.get("applicant") or "本人",
            time_preference=slots.get("time_preference"),
            description=f"申请办理（{slots.get('applicant') or '本人'}）",
            channel=channel_of(tracker.sender_id),
            sender_id=tracker.sender_id,
            idempotency_key=idempotency_key(tracker, "service"),
            **contact_fields(slots.get("contact")),
        )
        created = await create_case(case)
        if created is None:
            dispatcher.utter_message(text=SAVED_FOR_LATER)
            return reset_form_slots()
        dispatcher.utter_message(
            text=f"已提交！您的办事编号是 {speakable_case_no(created.case_no)}。"
            f"{materials_text(service_code)}工作人员会联系您约时间。"
        )
        announce_case(dispatcher, tracker.sender_id, created)
        return [*reset_form_slots(), SlotSet("last_case_no", created.case_no)]


class Cancel(Action):
    """Stop the current form; nothing is submitted."""

    def name(self) -> str:
        """Action name."""
        return "action_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Cancel and say so (a "不用了" that answers "为什么？不想说可以说不用了" is no cancel)."""
        text = tracker.latest_message.get("text") or ""
        if (tracker.active_loop or {}).get("name") == "proposal_form" and skips_reason(
            tracker.get_slot("requested_slot"), text
        ):
            return [SlotSet("proposal_why", NO_REASON), FollowupAction("proposal_form")]
        dispatcher.utter_message(text="好的，已经取消了，没有提交任何内容。有需要随时再找我。")
        return [ActiveLoop(None), *reset_form_slots()]
