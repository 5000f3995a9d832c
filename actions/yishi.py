"""议事 actions: start a vote, submit a proposal or a vote to the hub, tell what was decided.

Everything goes through ``deliberation.client.DeliberationClient``; the hub's refusals come with
the Chinese sentence to say (a closed poll, wrong digits …), so the resident always hears why.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.pending import PendingYishi
from actions.submit import channel_of, idempotency_key
from actions.yishi_logic import NO_REASON
from core.errors import ServiceUnavailable
from core.localtime import spoken_local

logger = logging.getLogger(__name__)

PROPOSAL_SLOTS = ("proposal_what", "proposal_where", "proposal_why", "confirmed", "correcting")
VOTE_SLOTS = (
    "vote_poll",
    "vote_choices",
    "vote_option",
    "vote_household",
    "vote_partial",
    "vote_last4",
    "vote_relation",
    "confirmed",
    "correcting",
)
HUB_DOWN_PROPOSAL = (
    "系统暂时连不上，不过您的建议已经记下了，恢复后会自动提交，工作人员审核后会告诉您结果。"
)
HUB_DOWN_VOTE = (
    "系统暂时连不上，不过您这一票已经记下了，恢复后会自动送到。"
    "万一没投上，社区服务中心的工作人员可以帮您补投。"
)
HUB_DOWN_START = (
    "抱歉，系统暂时连不上，查不到现在有哪些投票。请过几分钟再说“我要投票”，"
    "或者到社区服务中心请工作人员帮您投。"
)
OPEN, CLOSED = "进行中", "已结束"
"""Poll states as the hub names them (未开始 / 进行中 / 已结束)."""
PROPOSAL_TO_REPORT = "听起来是有个问题要反映，我帮您登记成报事，好安排人来处理。"
NO_OPEN_POLL = "现在没有正在进行的投票。有新的投票，社区会发通知告诉大家。"
WRONG_DIGITS_STATUS = 422


def _reset(names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in (*names, "requested_slot")]


def _poll_choice(poll: Any) -> dict[str, Any]:
    return {"number": poll.number, "question": poll.question, "options": list(poll.options)}


class StartVote(Action):
    """Find the open polls: none → say so; one → go to the vote form with it; several → the
    form asks which."""

    def name(self) -> str:
        """Action name."""
        return "action_start_vote"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Look the open polls up, then hand over to vote_form."""
        try:
            polls = await runtime.deliberation_client().open_polls()
        except ServiceUnavailable:
            dispatcher.utter_message(text=HUB_DOWN_START)
            return []
        if not polls:
            dispatcher.utter_message(text=NO_OPEN_POLL)
            return []
        choices = [_poll_choice(p) for p in polls[:4]]
        events: list[dict[str, Any]] = [*_reset(VOTE_SLOTS), SlotSet("vote_choices", choices)]
        if len(choices) == 1:
            events.append(SlotSet("vote_poll", choices[0]))
        return [*events, FollowupAction("vote_form")]


class ProposalToReport(Action):
    """A problem told at the proposal's first question: leave the proposal form, start 报事.

    The report form then reads the same message as its opening one (what, where, how urgent).
    """

    def name(self) -> str:
        """Action name."""
        return "action_proposal_to_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say what happens, close the proposal, hand over to the report form."""
        dispatcher.utter_message(text=PROPOSAL_TO_REPORT)
        return [
            ActiveLoop(None),
            *_reset(PROPOSAL_SLOTS),
            SlotSet("requested_slot", None),
            FollowupAction("report_form"),
        ]


class SubmitProposal(Action):
    """Send the confirmed proposal to the hub and tell its number."""

    def name(self) -> str:
        """Action name."""
        return "action_submit_proposal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Submit (idempotent by the tracker state), answer, reset the form."""
        from deliberation.client import DeliberationClientError
        from deliberation.schemas import ProposalIn

        slots = tracker.current_slot_values()
        where = slots.get("proposal_where") or {}
        why = slots.get("proposal_why") or ""
        proposal = ProposalIn(
            what=slots.get("proposal_what") or "",
            why="" if why == NO_REASON else why,
            scope=where.get("scope") or "community",
            place=where.get("place"),
            channel=channel_of(tracker.sender_id).value,
            resident_key=tracker.sender_id,
            idempotency_key=idempotency_key(tracker, "proposal"),
        )
        try:
            receipt = await runtime.deliberation_client().submit_proposal(proposal)
        except ServiceUnavailable:
            key = str(proposal.idempotency_key)
            await _keep(PendingYishi(key, "proposal", None, proposal.model_dump_json()), tracker)
            dispatcher.utter_message(text=HUB_DOWN_PROPOSAL)
            return _reset(PROPOSAL_SLOTS)
        except DeliberationClientError as exc:
            dispatcher.utter_message(text=exc.detail or "这个建议没能提交，请再说一次。")
            return _reset(PROPOSAL_SLOTS)
        dispatcher.utter_message(text=receipt.message)
        return _reset(PROPOSAL_SLOTS)


class SubmitVote(Action):
    """Cast the confirmed vote (a later vote of the household replaces it until the close)."""

    def name(self) -> str:
        """Action name."""
        return "action_submit_vote"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Vote; wrong digits → ask them again (once more through the form)."""
        from deliberation.client import DeliberationClientError
        from deliberation.schemas import VoteIn

        slots = tracker.current_slot_values()
        poll = slots.get("vote_poll") or {}
        household = slots.get("vote_household") or {}
        vote = VoteIn(
            building=str(household.get("building") or ""),
            unit=str(household.get("unit") or ""),
            room=str(household.get("room") or ""),
            option=str(slots.get("vote_option") or ""),
            phone_last4=slots.get("vote_last4"),
            relation=f"代{slots['vote_relation']}投" if slots.get("vote_relation") else "本人",
            channel=channel_of(tracker.sender_id).value,
            resident_key=tracker.sender_id,
        )
        number = int(poll.get("number") or 0)
        try:
            receipt = await runtime.deliberation_client().vote(number, vote)
        except ServiceUnavailable:
            # one waiting vote per resident and poll: a later one replaces it, as at the hub
            key = f"{tracker.sender_id}:vote:{number}"
            await _keep(PendingYishi(key, "vote", number, vote.model_dump_json()), tracker)
            dispatcher.utter_message(text=HUB_DOWN_VOTE)
            return _reset(VOTE_SLOTS)
        except DeliberationClientError as exc:
            dispatcher.utter_message(text=exc.detail or "这一票没能投上。")
            if exc.status_code == WRONG_DIGITS_STATUS and "后四位" in exc.detail:
                # the household and the choice stay; only the digits are asked again
                return [
                    SlotSet("vote_last4", None),
                    SlotSet("confirmed", None),
                    FollowupAction("vote_form"),
                ]
            return _reset(VOTE_SLOTS)
        logger.info("Vote recorded on poll %s (%s)", receipt.poll, _hashed(tracker.sender_id))
        dispatcher.utter_message(text=receipt.message)
        return _reset(VOTE_SLOTS)


async def _keep(item: PendingYishi, tracker: Tracker) -> None:
    """Keep a confirmed proposal or vote for when the hub is back (retried in the background)."""
    await runtime.pending().add_yishi(item, tracker.sender_id)
    runtime.ensure_retrying()
    logger.info("Hub down: %s kept for later (%s)", item.kind, _hashed(tracker.sender_id))


def _hashed(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode()).hexdigest()[:8]


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def poll_sentence(poll: Any) -> str:
    """One poll in words: open → turnout so far; closed → the tally and the verdict."""
    if poll.state == OPEN:
        return (
            f"“{poll.question}”正在投票，{spoken_local(poll.closes_at_utc)}结束，"
            f"已经有{poll.participants}户投了票（共{poll.eligible_households}户）。"
        )
    if poll.state != CLOSED:
        return f"“{poll.question}”的投票{spoken_local(poll.opens_at_utc)}开始。"
    counts = "，".join(f"{o}{c}户" for o, c in zip(poll.options, poll.counts, strict=False))
    text = f"“{poll.question}”投票已结束：{counts}，参加的有{poll.participants}户。"
    if poll.threshold is not None:
        text += "按规定算，通过了。" if poll.threshold.met else "按规定算，没有通过。"
    return text


def decision_sentence(decision: Any) -> str:
    """A decision and its latest progress."""
    text = f"“{decision.title}”：{decision.status_label}"
    if decision.notes:
        text += f"，最新进展：{decision.notes[-1].text}"
    return text + "。"


class PollResults(Action):
    """Tell what is being voted on and what was decided (counts only, no personal data)."""

    def name(self) -> str:
        """Action name."""
        return "action_poll_results"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The newest polls and decisions, a few sentences at most."""
        client = runtime.deliberation_client()
        try:
            polls = await client.polls()
            decisions = await client.decisions()
        except ServiceUnavailable:
            dispatcher.utter_message(text="抱歉，系统暂时连不上，过一会儿再问我好吗？")
            return []
        shown = [p for p in polls if p.state in (OPEN, CLOSED)][:3]
        lines = [poll_sentence(p) for p in shown]
        lines += [decision_sentence(d) for d in decisions[:2]]
        if not lines:
            dispatcher.utter_message(
                text="现在还没有投票和决定的事项。您有想法的话，可以说“我想提个建议”。",
                buttons=[{"title": "我想提个建议", "payload": "/propose"}],
            )
            return []
        buttons = (
            [{"title": "我要投票", "payload": "/vote"}]
            if any(p.state == OPEN for p in shown)
            else []
        )
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []
