"""Open311 GeoReport v2 endpoints under ``/open311/v2/`` (JSON and XML)."""

from __future__ import annotations

import math
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cases import crud
from cases.api.deps import ClockDep, RoutingDep, SessionDep, SettingsDep
from cases.auth import check_api_key
from cases.config import CasesSettings
from cases.crud import RoutingCache
from cases.events import case_events
from cases.models import Case
from cases.open311 import (
    discovery,
    parse_address,
    request_row,
    service_definition,
    service_list,
    to_xml,
)
from cases.statuses import Status
from core.contracts import CaseCreate, CaseType, Channel, Urgency
from core.errors import InvalidInput
from core.taxonomy import category_by_code, service_by_code

router = APIRouter(prefix="/open311/v2", tags=["open311"])
discovery_router = APIRouter(prefix="/open311", tags=["open311"])

MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
BAD_DATE = "start_date / end_date 须为 W3C 时间格式，例如 2026-11-21T00:00:00Z"
NO_LOCATION = "需要位置：lat/long、address_string 或 attribute[building]"
BAD_COORDINATES = "lat/long 须为 WGS-84 十进制度数，例如 lat=30.5928&long=114.3055"
CONTACT = "邻里社区服务中心：接口问题请联系社区管理员"
KEY_SERVICE = (
    "提交事项（POST requests）需要 api_key，请向社区管理员申请（python -m cases create-api-key）"
)
_NAME = re.compile(r"^(?P<name>[^/]+)\.(?P<fmt>json|xml)$")


def _split(name: str) -> tuple[str, str] | None:
    match = _NAME.match(name)
    return (match.group("name"), match.group("fmt")) if match else None


def open311_error(code: int, description: str, request: Request | None = None) -> Response:
    """The spec's error format: ``[{"code": 400, "description": "…"}]`` (or XML)."""
    errors = [{"code": code, "description": description}]
    if request is not None and request.url.path.endswith(".xml"):
        return Response(to_xml("errors", "error", errors), status_code=code,
                        media_type="application/xml")  # fmt: skip
    return JSONResponse(errors, status_code=code)


def _respond(fmt: str, data: Any, root: str, item: str | None, code: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, item, data), status_code=code, media_type="application/xml")
    return JSONResponse(data, status_code=code)


def _format_or_error(name: str, expected: str, request: Request) -> str | Response:
    parts = _split(name)
    if parts is None or parts[0] != expected:
        return open311_error(404, "找不到这个接口（格式须为 .json 或 .xml）", request)
    return parts[1]


def _discovery(fmt: str, request: Request) -> Response:
    url = str(request.url_for("services_or_requests", name="x")).rsplit("/", 1)[0]
    found = discovery(url, contact=CONTACT, key_service=KEY_SERVICE)
    return _respond(fmt, found, "discovery", None)


@discovery_router.get("/{name}")
def get_discovery(name: str, request: Request) -> Response:
    """GET /open311/discovery.{fmt}: where the GeoReport v2 endpoint is and what it speaks."""
    fmt = _format_or_error(name, "discovery", request)
    return fmt if isinstance(fmt, Response) else _discovery(fmt, request)


@router.get("/{name}")
def services_or_requests(
    name: str, request: Request, session: SessionDep, clock: ClockDep
) -> Response:
    """GET services.{fmt}, requests.{fmt} and discovery.{fmt}."""
    parts = _split(name)
    if parts is None:
        return open311_error(404, "找不到这个接口（格式须为 .json 或 .xml）", request)
    what, fmt = parts
    if what == "discovery":
        return _discovery(fmt, request)
    if what == "services":
        return _respond(fmt, service_list(), "services", "service")
    if what == "requests":
        return _list_requests(fmt, request, session, clock.now())
    return open311_error(404, "找不到这个接口", request)


def _parse_w3c(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _visible() -> Any:
    return or_(Case.type == CaseType.REPORT.value, Case.channel == Channel.OPEN311.value)


def _last_public_event(session: Session, case: Case) -> Any:
    events = case_events(session, case, include_internal=False)
    return events[-1] if events else None


def _list_requests(fmt: str, request: Request, session: Session, now: datetime) -> Response:
    params = request.query_params
    query = select(Case).where(_visible())
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        query = query.where(Case.case_no.in_(ids))
    else:
        start = _parse_w3c(params["start_date"]) if params.get("start_date") else None
        end = _parse_w3c(params["end_date"]) if params.get("end_date") else None
        if (params.get("start_date") and start is None) or (params.get("end_date") and end is None):
            return open311_error(400, BAD_DATE, request)
        if start is None and end is None:
            start = now - DEFAULT_WINDOW
        if start is not None:
            query = query.where(Case.created_at >= start)
        if end is not None:
            query = query.where(Case.created_at <= end)
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            query = query.where(or_(Case.category.in_(codes), Case.service_code.in_(codes)))
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            return open311_error(400, "status 只能是 open 或 closed", request)
        done = [Status.RESOLVED.value, Status.CLOSED.value]
        if statuses == {"open"}:
            query = query.where(Case.status.not_in(done))
        elif statuses == {"closed"}:
            query = query.where(Case.status.in_(done))
    cases = list(session.scalars(query.order_by(Case.created_at.desc()).limit(MAX_REQUESTS)))
    rows = [request_row(c, _last_public_event(session, c)) for c in cases]
    return _respond(fmt, rows, "service_requests", "request")


@router.get("/services/{name}")
def get_service_definition(name: str, request: Request) -> Response:
    """GET services/{service_code}.{fmt}."""
    parts = _split(name)
    if parts is None:
        return open311_error(404, "找不到这个接口（格式须为 .json 或 .xml）", request)
    code, fmt = parts
    definition = service_definition(code)
    if definition is None:
        return open311_error(404, f"没有这个 service_code：{code}", request)
    return _respond(fmt, definition, "service_definition", None)


@router.get("/requests/{name}")
def get_request(name: str, request: Request, session: SessionDep) -> Response:
    """GET requests/{service_request_id}.{fmt}."""
    parts = _split(name)
    if parts is None:
        return open311_error(404, "找不到这个接口（格式须为 .json 或 .xml）", request)
    case_no, fmt = parts
    case = session.scalar(select(Case).where(Case.case_no == case_no, _visible()))
    if case is None:
        return open311_error(404, f"没有这个 service_request_id：{case_no}", request)
    return _respond(fmt, [request_row(case, _last_public_event(session, case))],
                    "service_requests", "request")  # fmt: skip


@router.get("/tokens/{name}")
def get_token(name: str, request: Request, session: SessionDep) -> Response:
    """GET tokens/{token}.{fmt}: the request id a POST's token became."""
    parts = _split(name)
    if parts is None:
        return open311_error(404, "找不到这个接口（格式须为 .json 或 .xml）", request)
    token, fmt = parts
    case = session.scalar(select(Case).where(Case.open311_token == token))
    if case is None:
        return open311_error(404, "没有这个 token", request)
    return _respond(fmt, [{"service_request_id": case.case_no, "token": token}],
                    "service_requests", "request")  # fmt: skip


@router.post("/{name}")
async def post_request(
    name: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    routing: RoutingDep,
) -> Response:
    """POST requests.{fmt}: create a service request (API key required)."""
    fmt_or_error = _format_or_error(name, "requests", request)
    if isinstance(fmt_or_error, Response):
        return fmt_or_error
    fmt = fmt_or_error
    form = await request.form()
    fields: dict[str, str] = {k: str(v) for k, v in request.query_params.items()}
    fields.update({k: v for k, v in form.items() if isinstance(v, str)})
    return await run_in_threadpool(
        _create_request, fields, fmt, request, session, settings, clock.now(), routing
    )


def _coordinates(lat: str | None, lon: str | None) -> tuple[float, float] | None:
    """(lat, long) as numbers when both are given and on the globe, else None."""
    try:
        values = (float(lat or ""), float(lon or ""))
    except ValueError:
        return None
    ok = all(math.isfinite(v) for v in values) and abs(values[0]) <= 90 and abs(values[1]) <= 180
    return values if ok else None


def _create_request(
    fields: dict[str, str],
    fmt: str,
    request: Request,
    session: Session,
    settings: CasesSettings,
    now: datetime,
    routing: RoutingCache,
) -> Response:
    """Validate the POSTed fields and create the case (blocking; runs in the threadpool)."""
    if check_api_key(session=session, key=fields.get("api_key", "")) is None:
        return open311_error(403, "api_key 无效或缺失", request)
    code = fields.get("service_code", "")
    if not code:
        return open311_error(400, "缺少 service_code", request)
    is_report = category_by_code(code) is not None
    if not is_report and service_by_code(code) is None:
        return open311_error(404, f"没有这个 service_code：{code}", request)
    attributes = {
        m.group(1): v
        for k, v in fields.items()
        if (m := re.fullmatch(r"attribute\[(.+?)\]", k)) is not None
    }
    address = fields.get("address_string") or fields.get("address_id")
    lat, lon = fields.get("lat"), fields.get("long")
    coordinates = _coordinates(lat, lon)
    if (lat or lon) and coordinates is None:
        return open311_error(400, BAD_COORDINATES, request)
    if not (address or coordinates or attributes.get("building") or attributes.get("landmark")):
        return open311_error(400, NO_LOCATION, request)
    location = parse_address(address or (f"{lat},{lon}" if lat and lon else None), attributes)
    urgency = attributes.get("urgency", "normal")
    if urgency not in ("normal", "urgent"):
        return open311_error(400, "attribute[urgency] 只能是 normal 或 urgent", request)
    token = secrets.token_urlsafe(12)
    try:
        case_create = CaseCreate(
            type=CaseType.REPORT if is_report else CaseType.SERVICE,
            category=code if is_report else None,
            service_code=None if is_report else code,
            location=location,
            description=fields.get("description", "")[:2000],
            urgency=Urgency(urgency),
            contact_phone=(fields.get("phone") or None),
            applicant=attributes.get("applicant") or None,
            time_preference=attributes.get("time_preference") or None,
            channel=Channel.OPEN311,
            sender_id=None,
            idempotency_key=None,
        )
        case, _ = crud.create_case(
            session=session, case_create=case_create, settings=settings, now=now,
            routing=routing,
        )  # fmt: skip
    except (InvalidInput, ValueError) as exc:
        return open311_error(400, str(exc)[:300], request)
    case.open311_token = token
    if coordinates is not None:
        case.latitude, case.longitude = coordinates
    notice = "已受理，会按时限处理" + (
        f"；同一问题已有人报过（{case.linked_to.case_no}），将合并处理" if case.linked_to else ""
    )
    body = [
        {
            "service_request_id": case.case_no,
            "token": token,
            "service_notice": notice,
            "account_id": None,
        }
    ]
    return _respond(fmt, body, "service_requests", "request")
