"""Case status questions and the resident's confirmation (解决了 / 部分解决 / 没解决)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.parsing import parse_case_no, parse_case_tail, parse_rating
from actions.readback import location_text
from core.contracts import CasePublic
from core.errors import LinliError
from core.localtime import to_local

logger = logging.getLogger(__name__)
UNREACHABLE = "系统暂时连不上，查不到进度，请稍后再问，或者说“转人工”。"


def _when(when: datetime) -> str:
    """A deadline as people say it, in local time: 12月4日8点半 / 12月4日15点."""
    local = to_local(when)
    minute = "" if not local.minute else ("半" if local.minute == 30 else f"{local.minute}分")
    return f"{local.month}月{local.day}日{local.hour}点{minute}"


def describe_case(case: CasePublic) -> str:
    """One plain-Chinese line about a case."""
    what = case.category_label or case.service_label or "您的事项"
    where = f"，{location_text(case.location.model_dump())}" if case.location else ""
    due = f"，预计{_when(case.due_at)}前办好" if case.due_at and case.status not in ("closed", "resolved") else ""
    who = f"，由{case.assignee}处理" if case.assignee else ""
    return f"编号 {case.case_no}（{what}{where}）现在是：{case.status_label}{who}{due}。"


class CaseStatus(Action):
    """Find a case by number, by its last 4 digits, or the resident's latest one."""

    def name(self) -> str:
        """Action name."""
        return "action_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        """Look the case up and describe it."""
        text = tracker.latest_message.get("text") or ""
        client = runtime.case_client()
        try:
            if case_no := parse_case_no(text):
                # residents see only their own cases: look among this sender's cases
                mine = await client.list_cases_for_sender(tracker.sender_id, limit=50)
                cases = [c for c in mine if c.case_no == case_no]
            elif tail := parse_case_tail(text):
                found = await client.find_case(tail, sender_id=tracker.sender_id)
                cases = [found] if found else []
            else:
                cases = await client.list_cases_for_sender(tracker.sender_id, limit=3)
        except LinliError as exc:
            logger.warning("Status lookup failed: %s", exc)
            dispatcher.utter_message(text=UNREACHABLE)
            return []
        if not cases:
            dispatcher.utter_message(text="没有查到您的事项。请说一下编号，比如“尾号0042”，或者说“转人工”。")
            return []
        dispatcher.utter_message(text="\n".join(describe_case(c) for c in cases))
        return []


class Rate(Action):
    """Record 解决了 / 部分解决 / 没解决 for the resident's case waiting for confirmation."""

    def name(self) -> str:
        """Action name."""
        return "action_rate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        """Confirm the most recent resolved case of this resident."""
        text = tracker.latest_message.get("text") or ""
        rating = parse_rating(text)
        if rating is None:
            dispatcher.utter_message(
                text="请问问题解决了吗？",
                buttons=[{"title": t, "payload": t} for t in ("解决了", "部分解决", "没解决")],
            )
            return []
        client = runtime.case_client()
        try:
            cases = await client.list_cases_for_sender(tracker.sender_id, limit=10)
            waiting = [c for c in cases if c.status == "resolved"]
            if parse_case_no(text):
                waiting = [c for c in waiting if c.case_no == parse_case_no(text)]
            if not waiting:
                dispatcher.utter_message(text="您现在没有等待确认的事项。想查进度可以说“我上次报的事怎么样了”。")
                return []
            result = await client.confirm(waiting[0].case_no, tracker.sender_id, rating, comment=text[:500])
        except LinliError as exc:
            logger.warning("Confirmation failed: %s", exc)
            dispatcher.utter_message(text=UNREACHABLE)
            return []
        dispatcher.utter_message(text=result.message)
        return []
