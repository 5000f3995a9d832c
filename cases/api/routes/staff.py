"""Staff console (server-rendered): login, queue, case detail and actions, CSV (the notices
pages: staff_notices.py; the templates: console.py)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from cases import auth, crud, lifecycle
from cases.alerts import mark_case_alerts_seen, unseen_alerts
from cases.api.deps import ClockDep, SessionDep, SettingsDep, StateDep
from cases.api.routes.console import render
from cases.api.staff_deps import (
    COOKIE,
    ConsoleStaffDep,
    check_csrf,
    require_manager,
    visible_case,
)
from cases.attachments import AttachmentStore
from cases.events import case_events
from cases.models import Department, Grid, StaffUser, Worker
from cases.queue import (
    QueueFilter,
    list_queue,
    phone_for,
    to_csv,
)
from cases.stats import week_stats
from cases.statuses import (
    Status,
    can_transition,
)
from core.errors import InvalidInput
from core.localtime import local_tz
from core.taxonomy import categories

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)


def _back(case_no: str, message: str = "", *, error: bool = False) -> RedirectResponse:
    """Back to the case page with a message (green) or an error (red)."""
    query = f"?{urlencode({'err' if error else 'msg': message})}" if message else ""
    return RedirectResponse(f"/staff/cases/{case_no}{query}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form."""
    return render(request, "staff/login.html", {"error": None})


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
        return render(
            request, "staff/login.html", {"error": "尝试次数太多，请15分钟后再试"}, code=429
        )
    user = auth.authenticate(session=session, username=name, password=password)
    if user is None:
        throttle.failed(name, clock.now())
        return render(request, "staff/login.html", {"error": "用户名或密码不对"}, code=401)
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
    return render(
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
    return render(
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
