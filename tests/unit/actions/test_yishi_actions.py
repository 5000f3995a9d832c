"""议事 actions with a real rasa-sdk Tracker and CollectingDispatcher and a fake deliberation
client. The real counterparts (the same actions against the real hub and the trained model) are
in tests/integration/test_yishi_dialogue.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.yishi import PollResults, StartVote, SubmitProposal, SubmitVote
from core.config import ActionsSettings
from core.errors import ServiceUnavailable
from deliberation.client import DeliberationClientError
from deliberation.schemas import (
    DecisionOut,
    NoteOut,
    PollOut,
    ProposalIn,
    ProposalReceipt,
    VoteIn,
    VoteReceipt,
)


def poll_out(number: int, question: str, state: str = "进行中") -> PollOut:
    return PollOut(
        number=number, proposal=None, question=question, options=["同意", "不同意", "弃权"],
        counts=[3, 1, 0], scope="community", scope_label="整个小区", eligibility="household",
        eligibility_label="每户一票", state=state, opens_at="12月1日 08:00",
        closes_at="12月8日 20:00", opens_at_utc="", closes_at_utc="2026-12-08T12:00:00+00:00",
        eligible_households=400,
        participants=4, households=4, turnout=0.01, threshold=None, outcome_announced=False,
    )  # fmt: skip


class FakeDeliberation:
    """Open polls, proposals and votes in memory; can be down or refuse."""

    def __init__(self, polls: list[PollOut]) -> None:
        self._polls = polls
        self.proposals: dict[str, ProposalIn] = {}
        self.votes: list[tuple[int, VoteIn]] = []
        self.down = False
        self.refuse: DeliberationClientError | None = None

    def _check(self) -> None:
        if self.down:
            raise ServiceUnavailable("down")
        if self.refuse is not None:
            raise self.refuse

    async def open_polls(self, building: str | None = None) -> list[PollOut]:
        self._check()
        return [p for p in self._polls if p.state == "进行中"]

    async def polls(self) -> list[PollOut]:
        self._check()
        return list(self._polls)

    async def decisions(self) -> list[DecisionOut]:
        self._check()
        note = NoteOut(at="12月2日 10:00", status_label="办理中", text="已联系施工队")
        return [
            DecisionOut(
                number=1, poll=1, proposal=None, title="加装电梯", status="in_progress",
                status_label="办理中", case_no=None, notes=[note],
            )
        ]  # fmt: skip

    async def submit_proposal(self, proposal: ProposalIn) -> ProposalReceipt:
        self._check()
        self.proposals.setdefault(str(proposal.idempotency_key), proposal)
        return ProposalReceipt(
            number=len(self.proposals), status="pending", status_label="待审核",
            message=f"收到您的建议了，编号是第{len(self.proposals)}号。",
        )  # fmt: skip

    async def vote(self, number: int, vote: VoteIn) -> VoteReceipt:
        self._check()
        self.votes.append((number, vote))
        return VoteReceipt(poll=number, option=vote.option, replaced=False, message="已记下")


def tracker(slots: dict[str, Any], sender: str = "tg:42") -> Tracker:
    events = [{"event": "user", "timestamp": 1.5, "text": "对", "parse_data": {}}]
    return Tracker(sender, slots, {"text": "对", "intent": {"name": "affirm"}}, events, False,
                   None, {"name": None}, "action_listen")  # fmt: skip


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def fake(tmp_path: Path) -> FakeDeliberation:
    runtime.configure(ActionsSettings(data_dir=tmp_path, service_token="t", pending_retry_s=3600))
    client = FakeDeliberation([poll_out(7, "是否加装雨棚")])
    runtime.set_clients(deliberation=client)
    return client


async def test_start_vote_with_one_open_poll_goes_to_the_form(fake: FakeDeliberation) -> None:
    dispatcher = CollectingDispatcher()
    events = await StartVote().run(dispatcher, tracker({}), {})
    assert slot_events(events)["vote_poll"]["number"] == 7
    assert events[-1] == {"event": "followup", "name": "vote_form", "timestamp": None}


async def test_start_vote_with_several_polls_lets_the_form_ask(fake: FakeDeliberation) -> None:
    fake._polls.append(poll_out(8, "广场舞几点停"))
    events = await StartVote().run(CollectingDispatcher(), tracker({}), {})
    slots = slot_events(events)
    assert slots["vote_poll"] is None and [c["number"] for c in slots["vote_choices"]] == [7, 8]


async def test_no_open_poll_is_said_plainly(fake: FakeDeliberation) -> None:
    fake._polls[:] = [poll_out(7, "是否加装雨棚", state="已结束")]
    dispatcher = CollectingDispatcher()
    assert await StartVote().run(dispatcher, tracker({}), {}) == []
    assert "现在没有正在进行的投票" in said(dispatcher)


PROPOSAL = {
    "proposal_what": "楼下放几张长椅",
    "proposal_where": {"scope": "building", "place": "5"},
    "proposal_why": "-",
    "confirmed": True,
}


async def test_a_proposal_is_submitted_once_per_confirmation(fake: FakeDeliberation) -> None:
    for _ in range(2):  # a retried action sends the same idempotency key
        dispatcher = CollectingDispatcher()
        await SubmitProposal().run(dispatcher, tracker(PROPOSAL), {})
    assert len(fake.proposals) == 1
    sent = next(iter(fake.proposals.values()))
    assert (sent.what, sent.why, sent.scope.value, sent.place, sent.channel) == (
        "楼下放几张长椅", "", "building", "5", "telegram",
    )  # fmt: skip
    assert "编号是第1号" in said(dispatcher)


async def test_a_proposal_made_while_the_hub_is_down_is_kept_and_sent_later(
    fake: FakeDeliberation,
) -> None:
    fake.down = True
    dispatcher = CollectingDispatcher()
    events = await SubmitProposal().run(dispatcher, tracker(PROPOSAL), {})
    assert "已经记下了" in said(dispatcher) and "恢复后会自动提交" in said(dispatcher)
    assert slot_events(events)["proposal_what"] is None
    assert [p.kind for p in await runtime.pending().all_yishi()] == ["proposal"]
    assert await runtime.flush_pending() == 0  # still down: kept
    fake.down = False
    assert await runtime.flush_pending() == 1
    assert await runtime.flush_pending() == 0 and len(fake.proposals) == 1
    assert next(iter(fake.proposals.values())).what == "楼下放几张长椅"


async def test_a_vote_made_while_the_hub_is_down_is_kept_once_per_poll(
    fake: FakeDeliberation,
) -> None:
    fake.down = True
    await SubmitVote().run(CollectingDispatcher(), tracker(VOTE), {})
    dispatcher = CollectingDispatcher()
    await SubmitVote().run(dispatcher, tracker({**VOTE, "vote_option": "弃权"}), {})
    assert "这一票已经记下了" in said(dispatcher)
    assert len(await runtime.pending().all_yishi()) == 1  # the later vote replaced the first
    fake.down = False
    assert await runtime.flush_pending() == 1
    assert [(n, v.option) for n, v in fake.votes] == [(7, "弃权")]


async def test_a_kept_vote_the_hub_refuses_later_is_dropped(fake: FakeDeliberation) -> None:
    fake.down = True
    await SubmitVote().run(CollectingDispatcher(), tracker(VOTE), {})
    fake.down = False
    fake.refuse = DeliberationClientError(409, "第7号投票已经结束了")
    assert await runtime.flush_pending() == 0
    assert await runtime.pending().all_yishi() == []


async def test_deleting_a_residents_data_deletes_their_waiting_votes(
    fake: FakeDeliberation,
) -> None:
    from actions.pending import forget_resident, queue_path

    fake.down = True
    await SubmitVote().run(CollectingDispatcher(), tracker(VOTE, sender="tg:42"), {})
    await SubmitProposal().run(CollectingDispatcher(), tracker(PROPOSAL, sender="tg:7"), {})
    path = queue_path(runtime.settings().ensure_data_dir())
    assert forget_resident(path, phone=None, sender_ids={"tg:42"}) == 1
    assert [p.kind for p in await runtime.pending().all_yishi()] == ["proposal"]


VOTE = {
    "vote_poll": {"number": 7, "question": "是否加装雨棚", "options": ["同意", "不同意", "弃权"]},
    "vote_option": "同意",
    "vote_household": {"building": "5", "unit": "2", "room": "301"},
    "vote_last4": "5201",
    "vote_relation": "母亲",
    "confirmed": True,
}


async def test_a_vote_for_a_mother_records_the_relation(fake: FakeDeliberation) -> None:
    await SubmitVote().run(CollectingDispatcher(), tracker(VOTE), {})
    number, vote = fake.votes[0]
    assert number == 7 and (vote.building, vote.unit, vote.room) == ("5", "2", "301")
    assert vote.relation == "代母亲投" and vote.phone_last4 == "5201"


async def test_wrong_digits_ask_only_the_digits_again(fake: FakeDeliberation) -> None:
    fake.refuse = DeliberationClientError(422, "电话后四位和登记的不一致，请再核对一下")
    dispatcher = CollectingDispatcher()
    events = await SubmitVote().run(dispatcher, tracker(VOTE), {})
    assert "不一致" in said(dispatcher)
    assert slot_events(events) == {"vote_last4": None, "confirmed": None}
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "vote_form"


async def test_a_closed_poll_is_refused_with_the_hubs_words(fake: FakeDeliberation) -> None:
    fake.refuse = DeliberationClientError(409, "第7号投票已经结束了，这次不能再投了。")
    dispatcher = CollectingDispatcher()
    events = await SubmitVote().run(dispatcher, tracker(VOTE), {})
    assert "不能再投了" in said(dispatcher) and slot_events(events)["vote_option"] is None


async def test_results_say_turnout_tally_and_progress(fake: FakeDeliberation) -> None:
    fake._polls.append(poll_out(6, "广场舞几点停", state="已结束"))
    dispatcher = CollectingDispatcher()
    await PollResults().run(dispatcher, tracker({}), {})
    text = said(dispatcher)
    assert "“是否加装雨棚”正在投票，12月8日晚上8点结束" in text and "4户" in text
    assert "同意3户，不同意1户" in text and "已联系施工队" in text
    assert [b["title"] for m in dispatcher.messages for b in m.get("buttons") or []] == ["我要投票"]


async def test_a_spoken_no_thanks_to_the_why_question_skips_it_not_the_proposal() -> None:
    from actions.submit import Cancel

    def at_why(text: str) -> Tracker:
        return Tracker("web:1", {"requested_slot": "proposal_why"}, {"text": text,
                       "intent": {"name": "cancel"}}, [], False, None,
                       {"name": "proposal_form"}, "action_listen")  # fmt: skip

    dispatcher = CollectingDispatcher()
    events = await Cancel().run(dispatcher, at_why("不用了"), {})
    assert slot_events(events) == {"proposal_why": "-"} and dispatcher.messages == []
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "proposal_form"
    cancelled = await Cancel().run(CollectingDispatcher(), at_why("算了，不提了"), {})
    assert cancelled[0]["event"] == "active_loop" and cancelled[0]["name"] is None


async def test_a_question_not_understood_is_asked_again_once_with_its_buttons() -> None:
    from actions.forms import NOT_UNDERSTOOD
    from actions.yishi_ask import AskProposalWhere
    from actions.yishi_forms import ValidateProposalForm

    assert "proposal_where" in ValidateProposalForm.reasks_itself  # the form stays quiet
    first, again = CollectingDispatcher(), CollectingDispatcher()
    await AskProposalWhere().run(first, tracker({"requested_slot": "proposal_what"}), {})
    await AskProposalWhere().run(again, tracker({"requested_slot": "proposal_where"}), {})
    assert said(first).strip() == "这个建议是关于整个小区，还是哪栋楼？"
    assert said(again).strip() == NOT_UNDERSTOOD["proposal_where"]
    assert again.messages[0]["buttons"] == [{"title": "整个小区", "payload": "整个小区"}]


def _proposal_tracker(text: str, intent: str, requested: str = "proposal_what") -> Tracker:
    return Tracker("web:2", {"requested_slot": requested}, {"text": text,
                   "intent": {"name": intent}}, [], False, None,
                   {"name": "proposal_form"}, "action_listen")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "intent", "requested", "switches"),
    [
        ("电梯门老合不上，一直开开关关的", "report", "proposal_what", True),
        ("楼道里的灯坏了好几天了", "report", "proposal_what", True),
        # a proposal that the NLU read as a report stays a proposal
        ("电梯太旧了，建议换一部新的", "report", "proposal_what", False),
        ("能不能在东门多装几个路灯", "report", "proposal_what", False),
        ("楼下那片空地能不能摆几张石凳子", "report", "proposal_what", False),
        ("东门的路灯坏了能不能修一下", "report", "proposal_what", True),
        # a reason that sounds like a report is the reason
        ("因为路灯坏了晚上太黑", "report", "proposal_why", False),
        ("小区多装几个充电桩", "propose", "proposal_what", False),
    ],
)
def test_a_problem_told_instead_of_a_proposal_leaves_the_proposal_form(
    text: str, intent: str, requested: str, switches: bool
) -> None:
    from actions.yishi_forms import ValidateProposalForm

    form = ValidateProposalForm()
    assert form.is_interruption(_proposal_tracker(text, intent, requested)) is switches


async def test_proposal_to_report_hands_over_to_the_report_form() -> None:
    from actions.yishi import ProposalToReport

    dispatcher = CollectingDispatcher()
    events = await ProposalToReport().run(
        dispatcher, _proposal_tracker("电梯门老合不上", "report"), {}
    )
    assert "报事" in said(dispatcher)
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert events[-1] == {"event": "followup", "name": "report_form", "timestamp": None}
    assert slot_events(events)["requested_slot"] is None
    assert slot_events(events)["proposal_what"] is None
