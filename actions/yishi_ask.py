"""The questions of the 议事 forms, each with big plain-word buttons and the expected answer kind
(the kiosk steers recognition and shows its building picker or number pad by it)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.ask import _Ask, ask
from actions.forms import NOT_UNDERSTOOD
from actions.readback import CONFIRM_BUTTONS
from actions.yishi_logic import NO_REASON, household_text, scope_text


def _buttons(titles: list[str]) -> list[dict[str, str]]:
    return [{"title": t, "payload": t} for t in titles]


def asking_again(tracker: Tracker, slot: str) -> bool:
    """The question was asked just before and its answer was not understood."""
    return tracker.get_slot("requested_slot") == slot


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "……"


def proposal_summary(slots: dict) -> str:
    """The read-back of a proposal."""
    text = f"您的建议是：{_clip(slots.get('proposal_what') or '')}。"
    text += f"关于：{scope_text(slots.get('proposal_where'))}。"
    why = slots.get("proposal_why")
    if why and why != NO_REASON:
        text += f"理由：{_clip(why, 40)}。"
    return text + "对吗？"


def vote_summary(slots: dict) -> str:
    """The read-back of a vote."""
    poll = slots.get("vote_poll") or {}
    relation = slots.get("vote_relation")
    who = f"（您替{relation}投）" if relation else ""
    return (
        f"您要投：{slots.get('vote_option')}。投票事项：{_clip(poll.get('question', ''), 40)}。"
        f"您家：{household_text(slots.get('vote_household'))}{who}。对吗？"
    )


class AskProposalWhat(_Ask):
    """Ask what the resident proposes (examples as words: a proposal is the resident's own)."""

    slot, expect, tells_slot = "proposal_what", "free", True
    text = "好的，欢迎您出主意！您有什么建议？比如“小区多装几个充电桩”。"

    def buttons(self) -> list[dict[str, str]]:
        """None: a free answer."""
        return []


class AskProposalWhere(Action):
    """Ask whom the proposal concerns."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_proposal_where"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """整个小区, or a building (the kiosk shows its building picker)."""
        again = asking_again(tracker, "proposal_where")
        text = NOT_UNDERSTOOD["proposal_where"] if again else "这个建议是关于整个小区，还是哪栋楼？"
        ask(dispatcher, text, "location", _buttons(["整个小区"]), slot="proposal_where")
        return []


class AskProposalWhy(_Ask):
    """Ask why (may be skipped: its button says 不用了 and means no)."""

    slot, expect, tells_slot = "proposal_why", "free", True
    text = "为什么想提这个建议？说一两句就行，大家投票时能看到。不想说可以点“不用了”。"

    def buttons(self) -> list[dict[str, str]]:
        """不用了 (sent as /deny: a spoken 不用了 would read as a cancel)."""
        return [{"title": "不用了", "payload": "/deny"}]


class AskProposalConfirmed(Action):
    """Read the proposal back and ask 对 / 不对 (or what is wrong after a 不对)."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_proposal_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Read back, or invite the correction."""
        if tracker.get_slot("correcting"):
            ask(
                dispatcher,
                "好的，哪里不对？请直接告诉我对的，比如“是5号楼的”，或者把建议重新告诉我。",
                "free",
                slot="proposal_form_confirmed",
            )
            return []
        summary = proposal_summary(tracker.current_slot_values())
        ask(dispatcher, summary, "yes_no", CONFIRM_BUTTONS, slot="proposal_form_confirmed")
        return []


class AskVotePoll(Action):
    """Ask which of the open polls (more than one is open)."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_vote_poll"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The open polls as numbered buttons."""
        choices = tracker.get_slot("vote_choices") or []
        lines = [f"第{i}个：{_clip(c.get('question', ''), 30)}" for i, c in enumerate(choices, 1)]
        first = "没听明白是哪一项。" if asking_again(tracker, "vote_poll") else ""
        ask(
            dispatcher,
            first + "现在有这几项在投票，您要投哪一个？\n" + "\n".join(lines),
            "free",
            [
                {"title": _clip(f"{i}. {c.get('question', '')}", 24), "payload": f"第{i}个"}
                for i, c in enumerate(choices, 1)
            ],
            slot="vote_poll",
        )
        return []


class AskVoteOption(Action):
    """Ask the resident's choice, the poll's options as buttons."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_vote_option"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The question, then its options."""
        poll = tracker.get_slot("vote_poll") or {}
        again = "好的，请重新选一下。" if tracker.get_slot("vote_household") else ""
        if asking_again(tracker, "vote_option"):
            again = "没听明白您的意见。"
        ask(
            dispatcher,
            f"{again}投票事项：{_clip(poll.get('question', ''), 80)}。您的意见是？",
            "free",
            _buttons([str(o) for o in poll.get("options") or []]),
            slot="vote_option",
        )
        return []


class AskVoteHousehold(Action):
    """Ask the household (one vote per household)."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_vote_household"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Building, unit and room (the kiosk shows its building picker)."""
        partial = tracker.get_slot("vote_partial")
        if partial:
            return []  # the form's own message already asked for the missing part
        text = "每户一票。您家门牌是多少？几号楼几单元几室，比如“5号楼2单元301”。"
        if asking_again(tracker, "vote_household"):
            text = "投票是每户一票，要您家的门牌：几号楼几单元几室，比如“5号楼2单元301”。"
        ask(dispatcher, text, "location", slot="vote_household")
        return []


class AskVoteLast4(Action):
    """Ask the last 4 digits of a phone on record for the household."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_vote_last4"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Four digits (the kiosk shows its number pad for 4 digits)."""
        text = "为了确认是您家，请告诉我在社区登记过的手机号最后四位。"
        if asking_again(tracker, "vote_last4"):
            text = NOT_UNDERSTOOD["vote_last4"]
        ask(dispatcher, text, "phone", digits=[4], slot="vote_last4")
        return []


class AskVoteConfirmed(Action):
    """Read the vote back and ask 对 / 不对."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_vote_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Read back."""
        summary = vote_summary(tracker.current_slot_values())
        ask(dispatcher, summary, "yes_no", CONFIRM_BUTTONS, slot="vote_form_confirmed")
        return []
