"""Polls (投票): opening, voting exactly once per household (or resident), closing, tallies.

Why this module is over 400 lines: it is one poll's life on its two tables (polls, votes), and
each step reads what the others wrote (the households eligible at opening are the tally's base; a
vote counts only while the poll is open; once closed, the tally goes to everyone who voted).
Scope, households, thresholds, the outbox and the labels are already their own modules
(households.py, thresholds.py, outbox.py, labels.py)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.localtime import spoken_local
from deliberation import outbox
from deliberation.actors import Actor
from deliberation.errors import NotFound, Refused, TooManyTries
from deliberation.households import (
    PhoneGuard,
    find_household,
    grids_of_buildings,
    households_in_scope,
    in_scope,
)
from deliberation.labels import DEFAULT_OPTIONS, Eligibility, ProposalStatus, Scope, scope_label
from deliberation.models import ModerationEntry, Poll, Proposal, Vote
from deliberation.thresholds import Threshold, ThresholdResult, evaluate

logger = logging.getLogger(__name__)

UNKNOWN_POLL = "没有找到这个投票。请核对一下投票编号，或者问问社区工作人员。"
NOT_YET = "第{no}号投票还没开始，{at}开始，到时候欢迎您来投票。"
CLOSED = "第{no}号投票已经在{at}结束了，这次不能再投了。谢谢您的关心，结果会告诉大家。"
NO_HOUSEHOLD = "没有找到{place}的住户登记。请到社区服务中心登记，或由工作人员帮您投票。"
OUT_OF_SCOPE = "这次投票请{scope}的住户参加，{place}不在范围内，谢谢您的关心。"
WRONG_DIGITS = "电话后四位和登记的不一致，请再核对一下；也可以到社区服务中心由工作人员帮您确认。"
TOO_MANY = "核对次数有点多了，请15分钟后再试，或到社区服务中心由工作人员帮您确认。"
VOTED = "已记下您家的投票：{option}。投票结束（{at}）前都可以改。"
VOTED_SELF = "已记下您的投票：{option}。投票结束（{at}）前都可以改。"
CHANGED = "已把您家的投票改为：{option}。投票结束（{at}）前都还可以改。"
CHANGED_SELF = "已把您的投票改为：{option}。投票结束（{at}）前都还可以改。"
OUTCOME = "第{no}号投票“{question}”已结束：{tally}，参与{participants}户。{verdict}谢谢您参与！"


def poll_state(poll: Poll, now: datetime) -> str:
    """未开始 / 进行中 / 已结束."""
    if now < poll.opens_at:
        return "未开始"
    return "进行中" if now < poll.closes_at else "已结束"


def _options(options: list[str] | None) -> list[str]:
    cleaned = [" ".join(o.split()) for o in (options or DEFAULT_OPTIONS)]
    cleaned = [o for o in cleaned if o]
    if not 2 <= len(cleaned) <= 4:
        raise InvalidInput("选项要有2到4个，默认是 同意 / 不同意 / 弃权")
    if any(len(o) > 20 for o in cleaned):
        raise InvalidInput("每个选项请控制在20个字以内")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("选项不能重复")
    return cleaned


def _codes(codes: list[str] | None) -> list[str]:
    out = []
    for code in codes or []:
        code = code.strip().removesuffix("号楼").removesuffix("网格")
        if code and code not in out:
            out.append(code[:20])
    return out


def open_poll(
    *,
    session: Session,
    actor: Actor,
    question: str | None,
    options: list[str] | None,
    scope: Scope | None,
    scope_codes: list[str] | None,
    eligibility: Eligibility,
    threshold: Threshold,
    opens_at: datetime | None,
    closes_at: datetime | None,
    proposal_id: int | None,
    now: datetime,
    default_days: int,
) -> Poll:
    """Open a poll on its own or from an approved proposal (question and scope default to it).

    Raises:
        InvalidInput: bad question, options, scope or times. NotFound: no such proposal.
        Refused: the proposal is not approved, or the actor may not manage the scope.
    """
    proposal = None
    if proposal_id is not None:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None:
            raise NotFound(f"没有找到第{proposal_id}号建议")
        if proposal.status != ProposalStatus.APPROVED:
            raise Refused("只有通过审核的建议才能发起投票")
        question = question or proposal.what
        if scope is None:
            scope = Scope(proposal.scope)
            scope_codes = [proposal.scope_code] if proposal.scope_code else []
    question = " ".join((question or "").split())
    if not question:
        raise InvalidInput("请写上投票要问的问题")
    if len(question) > 500:
        raise InvalidInput("问题请控制在500字以内")
    scope = scope or Scope.COMMUNITY
    codes = [] if scope is Scope.COMMUNITY else _codes(scope_codes)
    if scope is not Scope.COMMUNITY and not codes:
        raise InvalidInput("请选择投票范围：哪些网格或哪些楼栋")
    grids = (
        codes
        if scope is Scope.GRID
        else (grids_of_buildings(session, codes) if scope is Scope.BUILDING else [])
    )
    if not actor.can_manage(grids or None):
        raise Refused("这个范围超出了您负责的网格，请联系社区工作人员发起")
    if threshold is not Threshold.NONE and eligibility is not Eligibility.HOUSEHOLD:
        raise InvalidInput("按《民法典》计算门槛时要每户一票")
    opens_at = opens_at or now
    closes_at = closes_at or opens_at + timedelta(days=default_days)
    if closes_at <= opens_at or closes_at <= now:
        raise InvalidInput("结束时间要晚于开始时间和现在")
    eligible = households_in_scope(session, scope.value, codes)
    if eligible == 0:
        raise InvalidInput("这个范围里还没有登记的住户，请先登记住户再发起投票")
    poll = Poll(
        proposal_id=proposal.id if proposal else None,
        question=question,
        options=_options(options),
        scope=scope.value,
        scope_codes=codes,
        grid_codes=grids,
        eligibility=eligibility.value,
        threshold=threshold.value,
        eligible_households=eligible,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor.name,
        created_at=now,
    )
    session.add(poll)
    session.flush()
    if proposal is not None:
        session.add(
            ModerationEntry(
                proposal_id=proposal.id,
                at=now,
                actor=actor.name,
                actor_name=actor.display,
                action="poll",
                from_status=proposal.status,
                to_status=proposal.status,
                target_id=poll.id,
                reason=f"发起第{poll.id}号投票",
            )
        )
    logger.info("Poll %d opened by %s over %d households", poll.id, actor.name, eligible)
    return poll


def get_poll(session: Session, poll_id: int, *, lock: bool = False) -> Poll:
    """A poll by id (``lock``: share-lock its row on PostgreSQL while voting).

    Raises:
        NotFound: no such poll.
    """
    query = select(Poll).where(Poll.id == poll_id)
    if lock:
        query = query.with_for_update(read=True)
    poll = session.scalar(query)
    if poll is None:
        raise NotFound(UNKNOWN_POLL)
    return poll


def _option_index(poll: Poll, option: str) -> int:
    text = " ".join((option or "").split())
    if text in poll.options:
        return poll.options.index(text)
    if text.isdigit() and 1 <= int(text) <= len(poll.options):
        return int(text) - 1
    raise InvalidInput("请从这几个选项里选一个：" + "、".join(poll.options))


@dataclass(frozen=True)
class VoteResult:
    """What happened to a vote."""

    poll_id: int
    option: str
    replaced: bool
    message: str


@dataclass(frozen=True)
class Ballot:
    """A vote as a channel or the staff submit it."""

    building: str
    unit: str
    room: str
    option: str
    channel: str
    resident_key: str | None = None
    phone_last4: str | None = None
    relation: str = "本人"
    staff_confirmed_by: str | None = None
    """``staff:<username>`` when confirmed at the centre (no phone digits needed)."""


def _insert(session: Session):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def cast_vote(
    *, session: Session, poll_id: int, ballot: Ballot, now: datetime, guard: PhoneGuard
) -> VoteResult:
    """Record a vote; a later vote of the same household (or resident) replaces the earlier one.

    One row per voter is guaranteed by the unique key (poll, voter) and an atomic
    ``INSERT … ON CONFLICT DO UPDATE``, so votes arriving at the same instant count once.

    Raises:
        NotFound: unknown poll. Refused: not open (before or after), out of scope.
        InvalidInput: unknown option or household, wrong phone digits. TooManyTries.
    """
    poll = get_poll(session, poll_id, lock=True)
    if now < poll.opens_at:
        raise Refused(NOT_YET.format(no=poll.id, at=spoken_local(poll.opens_at)))
    if now >= poll.closes_at:
        raise Refused(CLOSED.format(no=poll.id, at=spoken_local(poll.closes_at)))
    index = _option_index(poll, ballot.option)
    place = f"{ballot.building}号楼{ballot.unit}单元{ballot.room}室"
    household = find_household(
        session=session, building=ballot.building, unit=ballot.unit, room=ballot.room
    )
    if household is None or not household.active:
        raise InvalidInput(NO_HOUSEHOLD.format(place=place))
    if not in_scope(household, poll.scope, poll.scope_codes):
        raise Refused(
            OUT_OF_SCOPE.format(scope=scope_label(poll.scope, poll.scope_codes), place=place)
        )
    confirmed_by = ballot.staff_confirmed_by
    if confirmed_by is None:
        key = f"{poll.id}:h{household.id}"
        if not guard.allowed(key, now):
            raise TooManyTries(TOO_MANY)
        digits = re.sub(r"\D", "", ballot.phone_last4 or "")
        if len(digits) != 4 or digits not in {p.tail for p in household.phones}:
            guard.missed(key, now)
            raise InvalidInput(WRONG_DIGITS)
        confirmed_by = "phone"
    relation = " ".join((ballot.relation or "本人").split())[:20] or "本人"
    per_household = poll.eligibility == Eligibility.HOUSEHOLD
    if per_household:
        voter_key = f"h:{household.id}"
    elif ballot.resident_key:
        voter_key = f"r:{ballot.resident_key}"
    else:
        raise InvalidInput("这次投票每人一票，请从自己的对话里投票")
    insert = _insert(session)
    values = dict(
        poll_id=poll.id,
        voter_key=voter_key,
        household_id=household.id,
        resident_key=ballot.resident_key,
        option_index=index,
        relation=relation,
        channel=ballot.channel,
        confirmed_by=confirmed_by,
        cast_at=now,
        updated_at=now,
        revision=1,
    )
    statement = insert(Vote).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[Vote.poll_id, Vote.voter_key],
        set_={
            "option_index": statement.excluded.option_index,
            "relation": statement.excluded.relation,
            "channel": statement.excluded.channel,
            "confirmed_by": statement.excluded.confirmed_by,
            "resident_key": statement.excluded.resident_key,
            "updated_at": statement.excluded.updated_at,
            "revision": Vote.revision + 1,
        },
    ).returning(Vote.revision)
    revision = int(session.execute(statement).scalar_one())
    replaced = revision > 1
    closes = spoken_local(poll.closes_at)
    template = (
        (CHANGED if replaced else VOTED)
        if per_household
        else (CHANGED_SELF if replaced else VOTED_SELF)
    )
    return VoteResult(
        poll_id=poll.id,
        option=poll.options[index],
        replaced=replaced,
        message=template.format(option=poll.options[index], at=closes),
    )


@dataclass(frozen=True)
class Tally:
    """A poll's counts and, when it has one, its threshold verdict."""

    poll: Poll
    state: str
    counts: list[int]
    participants: int
    """Votes counted: households (one per household) or residents."""
    households: int
    """Distinct households that took part."""
    threshold: ThresholdResult | None

    @property
    def turnout(self) -> float:
        """Participating households / households in scope (0–1)."""
        eligible = self.poll.eligible_households
        return round(self.households / eligible, 4) if eligible else 0.0

    def summary(self) -> str:
        """同意 120 票，不同意 30 票，弃权 5 票."""
        return "，".join(f"{o} {c} 票" for o, c in zip(self.poll.options, self.counts, strict=True))

    def verdict(self) -> str:
        """Plain Chinese: whether the threshold is met ('' without one)."""
        if self.threshold is None:
            return ""
        part = "达到" if self.threshold.participation_met else "未达到"
        appr = "达到" if self.threshold.approval_met else "未达到"
        result = "通过" if self.threshold.met else "未通过"
        return f"参与人数{part}三分之二，同意比例{appr}要求，结果：{result}。"


def tally(session: Session, poll: Poll, now: datetime) -> Tally:
    """Count the votes of a poll."""
    rows = session.execute(
        select(Vote.option_index, func.count())
        .where(Vote.poll_id == poll.id)
        .group_by(Vote.option_index)
    ).all()
    counts = [0] * len(poll.options)
    for index, count in rows:
        if 0 <= index < len(counts):
            counts[index] = int(count)
    households = int(
        session.scalar(
            select(func.count(func.distinct(Vote.household_id))).where(Vote.poll_id == poll.id)
        )
        or 0
    )
    participants = sum(counts)
    result = None
    if poll.eligibility == Eligibility.HOUSEHOLD:
        result = evaluate(
            Threshold(poll.threshold),
            eligible=poll.eligible_households,
            participants=participants,
            approvals=counts[0],
        )
    return Tally(
        poll=poll,
        state=poll_state(poll, now),
        counts=counts,
        participants=participants,
        households=households,
        threshold=result,
    )


def close_poll(*, session: Session, poll: Poll, now: datetime) -> Poll:
    """End a poll now (before its planned close).

    Raises:
        Refused: already closed.
    """
    if now >= poll.closes_at:
        raise Refused(f"第{poll.id}号投票已经结束了")
    poll.closes_at = max(now, poll.opens_at)
    return poll


def announce_outcome(*, session: Session, poll: Poll, now: datetime) -> int:
    """Tell every participant the outcome on their channel (once); returns messages queued.

    Raises:
        Refused: the poll is still open, or the outcome was already announced.
    """
    if now < poll.closes_at:
        raise Refused("投票还没结束，结束后才能公布结果")
    if poll.outcome_notified_at is not None:
        raise Refused("这个投票的结果已经公布过了")
    result = tally(session, poll, now)
    text = OUTCOME.format(
        no=poll.id,
        question=poll.question[:40],
        tally=result.summary(),
        participants=result.households,
        verdict=result.verdict(),
    )
    keys = session.scalars(
        select(Vote.resident_key)
        .where(Vote.poll_id == poll.id, Vote.resident_key.is_not(None))
        .distinct()
    )
    sent = 0
    for key in sorted(k for k in keys if k):
        if outbox.enqueue(session, resident_key=key, ref=f"poll:{poll.id}", text=text, now=now):
            sent += 1
    poll.outcome_notified_at = now
    return sent


def announce_due(session: Session, now: datetime) -> int:
    """Announce the outcome of every poll that has closed and not been announced (the sweep);
    returns how many polls were announced."""
    due = list(
        session.scalars(
            select(Poll).where(Poll.closes_at <= now, Poll.outcome_notified_at.is_(None))
        )
    )
    for poll in due:
        announce_outcome(session=session, poll=poll, now=now)
    if due:
        logger.info("Announced the outcome of %d closed polls", len(due))
    return len(due)


def list_polls(session: Session, *, actor: Actor | None = None, limit: int = 100) -> list[Poll]:
    """Polls newest first (a grid worker sees those inside their grids)."""
    polls = list(session.scalars(select(Poll).order_by(Poll.id.desc()).limit(limit)))
    if actor is None:
        return polls
    return [p for p in polls if actor.can_manage(p.grid_codes or None)]


def polls_for_building(session: Session, polls: list[Poll], building: str) -> list[Poll]:
    """The polls whose scope includes this building (its grid from the register)."""
    grids = set(grids_of_buildings(session, [building.strip()]))
    out = []
    for poll in polls:
        if poll.scope == Scope.COMMUNITY:
            out.append(poll)
        elif poll.scope == Scope.GRID and grids & set(poll.scope_codes):
            out.append(poll)
        elif poll.scope == Scope.BUILDING and building.strip() in poll.scope_codes:
            out.append(poll)
    return out
