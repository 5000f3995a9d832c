"""The questions the forms ask, each with big plain-word buttons and the kind of answer expected.

The ``custom`` message ``{"expect": kind}`` tells the kiosk and the Telegram bot what the next
answer should be, so speech recognition can be steered by the question.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.readback import CONFIRM_BUTTONS, report_summary, service_summary
from core.taxonomy import categories, services

COMMON_CATEGORIES = (
    "corridor_light",
    "streetlight",
    "elevator",
    "leak",
    "garbage",
    "noise",
    "parking",
    "other",
)
COMMON_SERVICES = (
    "elderly_allowance",
    "residence_certificate",
    "senior_card",
    "subsistence_allowance",
    "meal_assistance",
    "home_visit",
)


def _buttons(titles: list[str]) -> list[dict[str, str]]:
    return [{"title": t, "payload": t} for t in titles]


def ask(
    dispatcher: CollectingDispatcher,
    text: str,
    expect: str,
    buttons: list[dict[str, str]] | None = None,
    *,
    digits: list[int] | None = None,
    slot: str | None = None,
) -> None:
    """Send a question with optional buttons and the expected-answer hint.

    ``digits``: for a question answered with digits that are not a whole phone number (a case
    number's last 4, a phone's last 4), how many digits the answer may have; a kiosk number pad
    then takes them instead of asking for 11.

    ``slot``: the slot asked for, where a front end must tell forms apart that expect the same
    kind (the kiosk tells the 议事 questions by it, not by their wording)."""
    dispatcher.utter_message(text=text, buttons=buttons or [])
    hint: dict[str, object] = {"expect": expect}
    if digits:
        hint["digits"] = list(digits)
    if slot:
        hint["slot"] = slot
    dispatcher.utter_message(json_message=hint)


class _Ask(Action, ABC):
    slot = ""
    text = ""
    expect = "free"
    tells_slot = False
    """Name the slot in the hint (``ask``'s ``slot``)."""

    def name(self) -> str:
        """Action name: action_ask_<slot>."""
        return f"action_ask_{self.slot}"

    @abstractmethod
    def buttons(self) -> list[dict[str, str]]:
        """Buttons offered with the question."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask the question."""
        ask(
            dispatcher,
            self.text,
            self.expect,
            self.buttons(),
            slot=self.slot if self.tells_slot else None,
        )
        return []


class AskDescription(_Ask):
    """Ask what happened."""

    slot, expect = "description", "description"
    text = "好的，遇到了什么问题？请告诉我，比如：哪里的什么东西坏了。"

    def buttons(self) -> list[dict[str, str]]:
        """None: a free answer."""
        return []


class AskCategory(_Ask):
    """Ask which kind of problem it is."""

    slot, expect = "category", "category"
    text = "这属于哪一类问题？"

    def buttons(self) -> list[dict[str, str]]:
        """The most common categories and 其他."""
        names = {c.code: c.name for c in categories()}
        return _buttons([names[c] for c in COMMON_CATEGORIES])


class AskLocation(_Ask):
    """Ask where."""

    slot, expect = "location", "location"
    text = "在哪里呢？请告诉我楼号和单元，比如“5号楼2单元”，或者一个地方，比如“东门旁边”。"

    def buttons(self) -> list[dict[str, str]]:
        """None: a free answer."""
        return []


class AskUrgency(_Ask):
    """Ask how urgent."""

    slot, expect = "urgency", "urgency"
    text = "这个问题急不急？"

    def buttons(self) -> list[dict[str, str]]:
        """很急 / 不急."""
        return _buttons(["很急", "不急"])


class AskContact(_Ask):
    """Ask for a phone number, which may be declined."""

    slot, expect = "contact", "phone"
    text = "方便留个手机号吗？工作人员好联系您。不想留，点“不留电话”或回答“不留”就行。"

    def buttons(self) -> list[dict[str, str]]:
        """不留电话."""
        return _buttons(["不留电话"])


class AskServiceType(_Ask):
    """Ask which service."""

    slot, expect = "service_type", "service_type"
    text = "您要办哪一项？"

    def buttons(self) -> list[dict[str, str]]:
        """The most asked-for services."""
        names = {s.code: s.name for s in services()}
        return _buttons([names[c] for c in COMMON_SERVICES])


class AskApplicant(_Ask):
    """Ask who the service is for."""

    slot, expect = "applicant", "applicant"
    text = "是给您自己办，还是帮家里人办？"

    def buttons(self) -> list[dict[str, str]]:
        """我自己 / 帮家人."""
        return _buttons(["我自己", "帮家人办"])


class AskTimePreference(_Ask):
    """Ask when suits the resident."""

    slot, expect = "time_preference", "time"
    text = "您什么时候方便？比如“明天上午”，或者说“随时都行”。"

    def buttons(self) -> list[dict[str, str]]:
        """A few common answers."""
        return _buttons(["随时都行", "明天上午", "明天下午"])


class AskConfirmed(Action):
    """Read the details back and ask 对 / 不对 (or ask what is wrong after a 不对)."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Read back, or invite the correction."""
        if tracker.get_slot("correcting"):
            ask(dispatcher, "好的，哪里不对？请直接告诉我正确的，比如“是5号楼”“电话是…”。", "free")
            return []
        slots = tracker.current_slot_values()
        form = (tracker.active_loop or {}).get("name")
        text = service_summary(slots) if form == "service_form" else report_summary(slots)
        ask(dispatcher, text, "yes_no", CONFIRM_BUTTONS)
        return []
