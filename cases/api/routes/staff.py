"""Staff console (server-rendered): login, queue, case detail and actions, CSV, notices."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from cases import auth, crud, lifecycle
from cases import notices as notice_rules
from cases.alerts import mark_case_alerts_seen, unseen_alerts
from cases.api.deps import ClockDep, SessionDep, SettingsDep, StateDep
from cases.api.staff_deps import (
    COOKIE,
    ConsoleStaffDep,
    check_csrf,
    require_manager,
    visible_case,
)
from cases.attachments import AttachmentStore
from cases.events import case_events
from cases.labels import actor_label, channel_label, department_label
from cases.models import Building, Department, Grid, Notice, StaffUser, Worker
from cases.queue import (
    TYPE_LABELS,
    URGENCY_LABELS,
    QueueFilter,
    list_queue,
    phone_for,
    place,
    subject,
    to_csv,
)
from cases.stats import week_stats
from cases.statuses import (
    LEVEL_LABELS,
    RATING_LABELS,
    STATUS_LABELS,
    Status,
    can_transition,
    status_label,
)
from core.errors import InvalidInput
from core.localtime import format_local, local_tz
from core.pii import mask_pii
from core.taxonomy import categories

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[2] / "templates"))


def _local(when: datetime | str | None) -> str:
    """A stored (UTC) time as staff read it: local, ``12-03 20:34``."""
    return format_local(when, "%m-%d %H:%M")


def _pii(text: str | None, staff: object) -> str:
    """Free text as this staff member may see it: phone/ID numbers masked unless their role
    calls residents back (admin, grid worker)."""
    if not text:
        return text or ""
    return text if getattr(staff, "sees_phones", False) else mask_pii(text)


def _short(text: str | None, limit: int = 40) -> str:
    """The start of a description for the queue."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


templates.env.filters["local"] = _local
templates.env.filters["short"] = _short
templates.env.filters["pii"] = _pii
templates.env.globals.update(
    status_label=status_label,
    subject=subject,
    place=place,
    STATUS_LABELS=STATUS_LABELS,
    LEVEL_LABELS=LEVEL_LABELS,
    RATING_LABELS=RATING_LABELS,
    ROLE_LABELS=auth.ROLE_LABELS,
    URGENCY_LABELS=URGENCY_LABELS,
    TYPE_LABELS=TYPE_LABELS,
    channel_label=channel_label,
    actor_label=actor_label,
    department_label=department_label,
)


def _render(request: Request, name: str, context: dict[str, Any], code: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=code)


def _back(case_no: str, message: str = "", *, error: bool = False) -> RedirectResponse:
    """Back to the case page with a message (green) or an error (red)."""
    query = f"?{urlencode({'err' if error else 'msg': message})}" if message else ""
    return RedirectResponse(f"/staff/cases/{case_no}{query}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form."""
    return _render(request, "staff/login.html", {"error": None})


@router.post("/login")
def login(
    request: Request,
    state: StateDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=60)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Check the credentials and start a session (locked after repeated failures)."""
    name = username.strip()
    throttle = state.login_throttle
    if throttle.blocked(name, clock.now()):
        return _render(
            request, "staff/login.html", {"error": "尝试次数太多，请15分钟后再试"}, code=429
        )
    user = auth.authenticate(session=session, username=name, password=password)
    if user is None:
        throttle.failed(name, clock.now())
        return _render(request, "staff/login.html", {"error": "用户名或密码不对"}, code=401)
    throttle.succeeded(name)
    new = auth.open_session(
        session=session, user=user, now=clock.now(), hours=settings.staff_session_hours
    )
    response = RedirectResponse("/staff/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE, new.token, httponly=True, samesite="strict", secure=settings.cookie_secure,
        path="/", max_age=settings.staff_session_hours * 3600,
    )  # fmt: skip
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    staff: ConsoleStaffDep,
    csrf_token: Annotated[str, Form()],
) -> Response:
    """End the session."""
    check_csrf(staff, csrf_token)
    auth.close_session(session=session, token=request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/staff/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response


def _filters(
    status_: str | None, category: str | None, grid: str | None, overdue: bool, q: str | None
) -> QueueFilter:
    return QueueFilter(
        status=status_ or None, category=category or None, grid=grid or None,
        overdue=overdue, q=q or None,
    )  # fmt: skip


@router.get("/", response_class=HTMLResponse)
def queue(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    status_: Annotated[str | None, Query(alias="status")] = "open",
    category: str | None = None,
    grid: str | None = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Dashboard and case queue with filters."""
    now = clock.now()
    filters = _filters(status_, category, grid, overdue, q)
    cases = list_queue(session=session, grid_ids=staff.grid_ids, filters=filters, now=now)
    grids = list(session.scalars(select(Grid).order_by(Grid.code)))
    if staff.grid_ids is not None:
        grids = [g for g in grids if g.id in staff.grid_ids]
    return _render(
        request,
        "staff/queue.html",
        {
            "staff": staff,
            "stats": week_stats(session, now=now, grid_ids=staff.grid_ids),
            "alerts": unseen_alerts(session, grid_ids=staff.grid_ids),
            "cases": cases,
            "now": now,
            "filters": filters,
            "grids": grids,
            "categories": categories(),
            "export_query": urlencode(
                {k: v for k, v in request.query_params.items() if k != "msg"}
            ),
        },
    )


@router.get("/api/alerts")
def alerts_summary(session: SessionDep, staff: ConsoleStaffDep) -> dict[str, int]:
    """How many alerts this member has not seen, and the newest one's id (the queue page
    polls it and reloads when something new arrived)."""
    alerts = unseen_alerts(session, grid_ids=staff.grid_ids)
    return {"count": len(alerts), "newest": alerts[0][0].id if alerts else 0}


@router.get("/export.csv")
def export_csv(
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    status_: Annotated[str | None, Query(alias="status")] = None,
    category: str | None = None,
    grid: str | None = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The filtered queue as CSV (phones masked unless the role calls residents back)."""
    now = clock.now()
    filters = _filters(status_, category, grid, overdue, q)
    cases = list_queue(
        session=session, grid_ids=staff.grid_ids, filters=filters, now=now, limit=10000
    )
    body = to_csv(cases, now=now, full_phones=staff.sees_phones)
    stamp = now.astimezone(local_tz()).strftime("%Y%m%d-%H%M")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cases-{stamp}.csv"'},
    )


@router.get("/cases/{case_no}", response_class=HTMLResponse)
def case_detail(
    request: Request,
    case_no: str,
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    msg: Annotated[str | None, Query(max_length=200)] = None,
    err: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """One case with its full history (internal notes included)."""
    case = visible_case(session, staff, case_no)
    now = clock.now()
    mark_case_alerts_seen(session, case=case, now=now)  # the member has the case in front of them
    workers = list(session.scalars(select(Worker).where(Worker.active).order_by(Worker.id)))
    return _render(
        request,
        "staff/case.html",
        {
            "staff": staff,
            "case": case,
            "now": now,
            "overdue": crud.is_overdue(case, now),
            "phone": phone_for(case, full=staff.sees_phones),
            "events": case_events(session, case, include_internal=True),
            "attachments": AttachmentStore(
                request.app.state.settings.data_dir / "attachments"
            ).list(case.case_no),
            "children": lifecycle.linked_children(session=session, case=case),
            "workers": workers,
            "categories": categories(),
            "next_statuses": [s for s in Status if can_transition(case.status, s)],
            "staff_names": {
                u.username: u.display_name or "工作人员" for u in session.scalars(select(StaffUser))
            },
            "departments": {d.code: d.name for d in session.scalars(select(Department))},
            "msg": msg,
            "err": err,
        },
    )


def _do(action: Any, case_no: str) -> Response:
    try:
        action()
    except InvalidInput as exc:
        return _back(case_no, f"未能完成：{exc}", error=True)
    return _back(case_no, "已保存")


@router.post("/cases/{case_no}/status")
def post_status(
    case_no: str,
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    csrf_token: Annotated[str, Form()],
    new_status: Annotated[Status, Form()],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Change the status with a note."""
    check_csrf(staff, csrf_token)
    case = visible_case(session, staff, case_no)
    return _do(
        lambda: lifecycle.change_status(
            session=session,
            case=case,
            new_status=new_status,
            now=clock.now(),
            actor=staff.user.username,
            note=note.strip() or None,
        ),  # fmt: skip
        case.case_no,
    )


@router.post("/cases/{case_no}/note")
def post_note(
    case_no: str,
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    csrf_token: Annotated[str, Form()],
    text: Annotated[str, Form(max_length=2000)],
) -> Response:
    """Add an internal note (staff only)."""
    check_csrf(staff, csrf_token)
    case = visible_case(session, staff, case_no)
    return _do(
        lambda: lifecycle.add_note(
            session=session, case=case, now=clock.now(), actor=staff.user.username, text=text
        ),
        case.case_no,
    )


@router.post("/cases/{case_no}/assign")
def post_assign(
    case_no: str,
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    csrf_token: Annotated[str, Form()],
    worker_id: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Dispatch the case to a worker."""
    check_csrf(staff, csrf_token)
    require_manager(staff)
    case = visible_case(session, staff, case_no)
    return _do(
        lambda: lifecycle.assign(
            session=session,
            case=case,
            worker_id=worker_id,
            now=clock.now(),
            actor=staff.user.username,
            reason=reason.strip(),
        ),  # fmt: skip
        case.case_no,
    )


@router.post("/cases/{case_no}/recategorise")
def post_recategorise(
    case_no: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    staff: ConsoleStaffDep,
    csrf_token: Annotated[str, Form()],
    category: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Change the category (with a reason) and re-route."""
    check_csrf(staff, csrf_token)
    require_manager(staff)
    case = visible_case(session, staff, case_no)
    return _do(
        lambda: lifecycle.recategorise(
            session=session,
            case=case,
            category=category,
            reason=reason,
            now=clock.now(),
            actor=staff.user.username,
            settings=settings,
        ),  # fmt: skip
        case.case_no,
    )


@router.post("/cases/{case_no}/reroute")
def post_reroute(
    case_no: str,
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    csrf_token: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Route again by the routing table (with a reason)."""
    check_csrf(staff, csrf_token)
    require_manager(staff)
    case = visible_case(session, staff, case_no)
    return _do(
        lambda: lifecycle.reroute(
            session=session,
            case=case,
            reason=reason.strip(),
            now=clock.now(),
            actor=staff.user.username,
        ),  # fmt: skip
        case.case_no,
    )


def _notices_back(message: str = "", *, error: bool = False) -> RedirectResponse:
    """Back to the notices page with a message (green) or an error (red)."""
    query = f"?{urlencode({'err' if error else 'msg': message})}" if message else ""
    return RedirectResponse(f"/staff/notices{query}", status_code=status.HTTP_303_SEE_OTHER)


def _expiry(value: str) -> datetime | None:
    """The end time from the page's local date-time field (None when left empty)."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("结束时间的格式不对，请用页面上的日期时间选择") from None
    return parsed.replace(tzinfo=local_tz()) if parsed.tzinfo is None else parsed


@router.get("/notices", response_class=HTMLResponse)
def notices_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    msg: Annotated[str | None, Query(max_length=200)] = None,
    err: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Community notices: publish to the community, some grids or some buildings (grid
    workers: inside their grids), with an optional end time; withdraw."""
    grid_ids = staff.grid_ids
    grids = [
        g for g in session.scalars(select(Grid).order_by(Grid.code))
        if grid_ids is None or g.id in grid_ids
    ]  # fmt: skip
    buildings = [
        b for b in session.scalars(select(Building)) if any(b.grid_id == g.id for g in grids)
    ]
    buildings.sort(key=lambda b: (b.grid_id, len(b.code), b.code))
    rows = list(
        session.scalars(select(Notice).order_by(Notice.published_at.desc(), Notice.id.desc()))
    )
    now = clock.now()
    names = {g.code: g.name for g in session.scalars(select(Grid))}
    return _render(
        request,
        "staff/notices.html",
        {
            "staff": staff,
            "grids": grids,
            "buildings": buildings,
            "notices": [
                {
                    "row": n,
                    "scope": notice_rules.scope_label(n, names),
                    "ended": n.expires_at is not None and n.expires_at <= now,
                    "mine": notice_rules.may_manage(session, n, grid_ids),
                }
                for n in rows
            ],
            "whole_community": grid_ids is None,
            "msg": msg,
            "err": err,
        },
    )


@router.post("/notices")
def post_notice(
    session: SessionDep,
    clock: ClockDep,
    staff: ConsoleStaffDep,
    csrf_token: Annotated[str, Form()],
    title: Annotated[str, Form(max_length=200)] = "",
    body: Annotated[str, Form(max_length=2000)] = "",
    scope_kind: Annotated[str, Form(max_length=20)] = "community",
    grids: Annotated[list[str], Form(max_length=200)] = [],  # noqa: B006 - FastAPI copies it
    buildings: Annotated[list[str], Form(max_length=200)] = [],  # noqa: B006
    expires_at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Publish a notice to a scope; a grid worker only inside their grids (403 otherwise)."""
    check_csrf(staff, csrf_token)
    values = grids if scope_kind == notice_rules.ScopeKind.GRIDS else buildings
    try:
        notice = notice_rules.publish(
            session,
            title=title,
            body=body,
            kind=scope_kind,
            values=values,
            expires_at=_expiry(expires_at),
            now=clock.now(),
            grid_ids=staff.grid_ids,
        )
    except notice_rules.NotYourScope as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except InvalidInput as exc:
        return _notices_back(f"未能发布：{exc}", error=True)
    until = f"，{_local(notice.expires_at)}结束" if notice.expires_at else ""
    names = {g.code: g.name for g in session.scalars(select(Grid))}
    return _notices_back(f"已发布给{notice_rules.scope_label(notice, names)}{until}")


@router.post("/notices/{notice_id}/hide")
def hide_notice(
    notice_id: int, session: SessionDep, staff: ConsoleStaffDep, csrf_token: Annotated[str, Form()]
) -> Response:
    """Withdraw a notice (grid workers: one sent inside their grids)."""
    check_csrf(staff, csrf_token)
    if session.get(Notice, notice_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条公告")
    if notice_rules.withdraw(session, notice_id, grid_ids=staff.grid_ids) is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "这条公告不在您负责的网格内，不能撤下")
    return _notices_back("公告已撤下")
