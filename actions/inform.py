"""A detail said with no form running ("5号楼的电梯"): start the flow it belongs to."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.parsing import parse_category, parse_location, parse_service
from actions.status import answer_status_followup


class HandleInform(Action):
    """Route a bare detail to the 办事 or 报事 form, or ask what the resident wants."""

    def name(self) -> str:
        """Action name."""
        return "action_handle_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Start the matching form, or ask."""
        status = await answer_status_followup(dispatcher, tracker, domain)
        if status is not None:
            return status  # a case number / the phone digits we had just asked for
        text = tracker.latest_message.get("text") or ""
        if parse_service(text):
            return [FollowupAction("service_form")]
        if parse_category(text) or parse_location(text):
            return [FollowupAction("report_form")]
        dispatcher.utter_message(response="utter_ask_what")
        return []
