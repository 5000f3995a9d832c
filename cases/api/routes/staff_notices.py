"""Staff console: community notices (publish to the community, some grids or some buildings;
withdraw)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from cases import notices as notice_rules
from cases.api.deps import ClockDep, SessionDep
from cases.api.routes.console import local_time, render
from cases.api.staff_deps import ConsoleStaffDep, check_csrf
from cases.models import Building, Grid, Notice
from core.errors import InvalidInput
from core.localtime import local_tz

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)


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
    return render(
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
    until = f"，{local_time(notice.expires_at)}结束" if notice.expires_at else ""
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
