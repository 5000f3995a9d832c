"""The staff console's 议事 page (server-rendered, Chinese): moderation, polls, decisions.

Same login as the case console (``/staff/login``); forms carry the session's CSRF token.
Grid workers see and manage what lies inside their grids.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from cases.labels import channel_label
from core.errors import InvalidInput, ServiceUnavailable
from core.localtime import format_local, local_tz
from deliberation import decisions, polls, proposals
from deliberation.actors import Actor
from deliberation.api.deps import StateDep, staff_actor
from deliberation.api.errors import Number
from deliberation.api.routes.decisions import _in_thread, _prepare
from deliberation.casework import spawn_case
from deliberation.errors import DeliberationError
from deliberation.labels import (
    DECISION_LABELS,
    DECISION_NEXT,
    ELIGIBILITY_LABELS,
    MODERATION_LABELS,
    PROPOSAL_LABELS,
    DecisionStatus,
    Eligibility,
    ProposalStatus,
    Scope,
    scope_label,
)
from deliberation.thresholds import THRESHOLD_LABELS, Threshold

router = APIRouter(prefix="/staff/yishi", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[2] / "templates"))
templates.env.globals.update(
    PROPOSAL_LABELS=PROPOSAL_LABELS,
    DECISION_LABELS=DECISION_LABELS,
    DECISION_NEXT=DECISION_NEXT,
    ELIGIBILITY_LABELS=ELIGIBILITY_LABELS,
    THRESHOLD_LABELS=THRESHOLD_LABELS,
    MODERATION_LABELS=MODERATION_LABELS,
    scope_label=scope_label,
    channel_label=channel_label,
    local=format_local,
    Threshold=Threshold,
    Eligibility=Eligibility,
    DecisionStatus=DecisionStatus,
    ProposalStatus=ProposalStatus,
)
ROLE_LABELS = {"admin": "管理员", "staff": "工作人员", "grid_worker": "网格员"}
HOME = "/staff/yishi/"


def _login(request: Request) -> tuple[Actor, str]:
    found = staff_actor(request)
    if found is None:
        raise HTTPException(
            status.HTTP_303_SEE_OTHER, "请先登录", headers={"Location": "/staff/login"}
        )
    return found


def _back(message: str = "", *, error: bool = False) -> RedirectResponse:
    query = f"?{urlencode({'err' if error else 'msg': message})}" if message else ""
    return RedirectResponse(HOME + query, status_code=status.HTTP_303_SEE_OTHER)


def _check_csrf(csrf: str, token: str) -> None:
    import hmac

    if not hmac.compare_digest(token.encode(), csrf.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "页面已过期，请刷新后再提交")


def _act(
    request: Request, state: StateDep, token: str, work: Callable[[Session, Actor], str]
) -> Response:
    """Run one console action in a transaction; back to the page with its message."""
    actor, csrf = _login(request)
    _check_csrf(csrf, token)
    try:
        message = _in_thread(state, lambda s: work(s, actor))
    except (DeliberationError, InvalidInput) as exc:
        return _back(f"未能完成：{exc}", error=True)
    return _back(message)


def _page_data(session: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    visible = proposals.list_proposals(session, actor=actor)
    pending = [p for p in visible if p.status == ProposalStatus.PENDING]
    open_targets = [
        p for p in visible if p.status in (ProposalStatus.PENDING, ProposalStatus.APPROVED)
    ]
    tallies = [polls.tally(session, p, now) for p in polls.list_polls(session, actor=actor)]
    decided = {d.poll_id for d in decisions.list_decisions(session) if d.poll_id}
    items = [
        (d, decisions.notes_of(session, d))
        for d in decisions.list_decisions(session)
        if actor.can_manage(d.grid_codes or None)
    ]
    ids = {p.id for p in visible}
    audit = [e for e in proposals.audit_trail(session) if e.proposal_id in ids][-30:]
    return {
        "pending": pending,
        "others": [p for p in visible if p.status != ProposalStatus.PENDING][:30],
        "targets": open_targets,
        "approved": [p for p in visible if p.status == ProposalStatus.APPROVED],
        "tallies": tallies,
        "decided": decided,
        "decisions": items,
        "audit": list(reversed(audit)),
    }


@router.get("/", response_class=HTMLResponse)
def page(request: Request, state: StateDep, msg: str = "", err: str = "") -> Response:
    """The 议事 page: proposals waiting, polls with tallies, decisions, the audit trail."""
    actor, csrf = _login(request)
    now = state.clock.now()
    data = _in_thread(state, lambda s: _page_data(s, actor, now))
    local_now = now.astimezone(local_tz())
    return templates.TemplateResponse(
        request,
        "deliberation/index.html",
        {
            "actor": actor,
            "role": ROLE_LABELS.get(actor.role, "工作人员"),
            "csrf": csrf,
            "msg": msg[:200],
            "err": err[:200],
            "now": now,
            "default_open": local_now.strftime("%Y-%m-%dT%H:%M"),
            **data,
        },
    )


Token = Annotated[str, Form(max_length=200)]
Text = Annotated[str, Form(max_length=2000)]


@router.post("/proposals/{number}/moderate")
def moderate(
    number: Number,
    request: Request,
    state: StateDep,
    csrf_token: Token,
    action: Annotated[str, Form(max_length=20)],
    into: Annotated[str, Form(max_length=12)] = "",
    reason: Text = "",
) -> Response:
    """Approve, merge or decline a proposal."""

    def work(session: Session, actor: Actor) -> str:
        proposal = proposals.get_proposal(session, number)
        if not proposals.visible_to(actor, proposal):
            raise proposals.NotFound(f"没有找到第{number}号建议")
        now = state.clock.now()
        if action == "approve":
            proposals.approve(session=session, proposal=proposal, actor=actor, now=now)
            return f"第{number}号建议已通过审核，已通知提建议的居民"
        if action == "merge":
            if not into.strip().isdigit():
                raise InvalidInput("请填写要合并到的建议编号")
            target = proposals.get_proposal(session, int(into))
            if not proposals.visible_to(actor, target):
                raise proposals.NotFound(f"没有找到第{into}号建议")
            proposals.merge(session=session, proposal=proposal, into=target, actor=actor, now=now)
            return f"第{number}号建议已合并到第{target.id}号"
        if action == "decline":
            proposals.decline(
                session=session, proposal=proposal, reason=reason, actor=actor, now=now
            )
            return f"第{number}号建议未通过，已把原因告诉居民"
        raise InvalidInput("请选择通过、合并或不通过")

    return _act(request, state, csrf_token, work)


def _local_time(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("时间格式不对，请用页面上的日期时间选择") from None
    return parsed.replace(tzinfo=local_tz()) if parsed.tzinfo is None else parsed


@router.post("/polls")
def open_poll(
    request: Request,
    state: StateDep,
    csrf_token: Token,
    question: Text = "",
    options: Text = "",
    scope: Annotated[str, Form(max_length=20)] = "community",
    scope_codes: Annotated[str, Form(max_length=200)] = "",
    eligibility: Annotated[str, Form(max_length=20)] = "household",
    threshold: Annotated[str, Form(max_length=20)] = "none",
    opens_at: Annotated[str, Form(max_length=40)] = "",
    closes_at: Annotated[str, Form(max_length=40)] = "",
    proposal_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Open a poll from the page (times are local)."""

    def work(session: Session, actor: Actor) -> str:
        try:
            scope_v, elig, rule = Scope(scope), Eligibility(eligibility), Threshold(threshold)
        except ValueError:
            raise InvalidInput("请从列表里选择范围、投票方式和门槛") from None
        codes = [
            c for c in scope_codes.replace("，", ",").replace("、", ",").split(",") if c.strip()
        ]
        option_list = [
            o for o in options.replace("，", ",").replace("、", ",").split(",") if o.strip()
        ]
        from_proposal = int(proposal_id) if proposal_id.strip().isdigit() else None
        poll = polls.open_poll(
            session=session,
            actor=actor,
            question=question or None,
            options=option_list or None,
            scope=None if from_proposal and scope_v is Scope.COMMUNITY and not codes else scope_v,
            scope_codes=codes,
            eligibility=elig,
            threshold=rule,
            opens_at=_local_time(opens_at),
            closes_at=_local_time(closes_at),
            proposal_id=from_proposal,
            now=state.clock.now(),
            default_days=state.settings.default_poll_days,
        )
        return f"第{poll.id}号投票已发起，{format_local(poll.closes_at)}结束"

    return _act(request, state, csrf_token, work)


@router.post("/polls/{number}/{action}")
def poll_action(
    number: Number,
    action: str,
    request: Request,
    state: StateDep,
    csrf_token: Token,
    building: Annotated[str, Form(max_length=20)] = "",
    unit: Annotated[str, Form(max_length=20)] = "",
    room: Annotated[str, Form(max_length=20)] = "",
    option: Annotated[str, Form(max_length=40)] = "",
    relation: Annotated[str, Form(max_length=20)] = "本人",
    note: Text = "",
    adopted: Annotated[str, Form(max_length=5)] = "1",
) -> Response:
    """Close, announce the outcome, record a vote at the centre, or record the decision."""

    def work(session: Session, actor: Actor) -> str:
        poll = polls.get_poll(session, number)
        if not actor.can_manage(poll.grid_codes or None):
            raise polls.NotFound(polls.UNKNOWN_POLL)
        now = state.clock.now()
        if action == "close":
            polls.close_poll(session=session, poll=poll, now=now)
            return f"第{number}号投票已结束"
        if action == "announce":
            sent = polls.announce_outcome(session=session, poll=poll, now=now)
            return f"第{number}号投票的结果已通知{sent}位参与的居民"
        if action == "centre":
            ballot = polls.Ballot(
                building=building,
                unit=unit,
                room=room,
                option=option,
                channel="staff",
                relation=relation,
                staff_confirmed_by=actor.name,
            )
            result = polls.cast_vote(
                session=session, poll_id=number, ballot=ballot, now=now, guard=state.guard
            )
            return (
                "已改为" if result.replaced else "已记下"
            ) + f"{building}号楼{unit}单元{room}室的投票：{result.option}"
        if action == "decide":
            decision = decisions.create_decision(
                session=session,
                actor=actor,
                poll_id=number,
                proposal_id=None,
                adopted=adopted == "1",
                note=note,
                now=now,
            )
            return f"已记录决定：{DECISION_LABELS[DecisionStatus(decision.status)]}"
        raise InvalidInput("不支持这个操作")

    return _act(request, state, csrf_token, work)


@router.post("/decisions/{number}/progress")
def progress(
    number: Number,
    request: Request,
    state: StateDep,
    csrf_token: Token,
    new_status: Annotated[str, Form(max_length=20)],
    note: Text = "",
) -> Response:
    """Record progress (办理中 / 已完成)."""

    def work(session: Session, actor: Actor) -> str:
        try:
            target = DecisionStatus(new_status)
        except ValueError:
            raise InvalidInput("请选择办理中或已完成") from None
        decision = decisions.get_decision(session, number)
        decisions.add_progress(
            session=session,
            decision=decision,
            actor=actor,
            status=target,
            note=note,
            now=state.clock.now(),
        )
        return f"已记录进展：{DECISION_LABELS[target]}，已通知相关居民"

    return _act(request, state, csrf_token, work)


@router.post("/decisions/{number}/case")
async def to_case(number: Number, request: Request, state: StateDep, csrf_token: Token) -> Response:
    """Turn an adopted decision into a case in the case system (once)."""
    actor, csrf = await asyncio.to_thread(_login, request)
    _check_csrf(csrf, csrf_token)
    try:
        decision, building = await asyncio.to_thread(
            _in_thread, state, lambda s: _prepare(s, number, actor)
        )
        if decision.case_no:
            return _back(f"已经转为工单 {decision.case_no}")
        case_no = await spawn_case(state.cases(), decision, building)
    except (DeliberationError, InvalidInput) as exc:
        return _back(f"未能完成：{exc}", error=True)
    except ServiceUnavailable:
        return _back("未能完成：工单系统暂时没有响应，请稍后再试", error=True)

    def store(session: Session) -> None:
        row = decisions.get_decision(session, number)
        row.case_no = row.case_no or case_no
        session.add(
            decisions.DecisionNote(
                decision_id=row.id,
                at=state.clock.now(),
                actor=actor.name,
                actor_name=actor.display,
                text=f"已转为工单 {case_no}",
            )
        )

    await asyncio.to_thread(_in_thread, state, store)
    return _back(f"已转为工单 {case_no}")
