"""Attachments (photos, shared locations) for the channels, and the staff view of photos."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import BaseModel

from cases import crud
from cases.api.deps import ClockDep, ServiceAuth, SessionDep
from cases.api.staff_deps import ConsoleStaffDep, visible_case
from cases.attachments import AttachmentError, AttachmentStore
from cases.events import record_event

router = APIRouter(tags=["attachments"])


class AttachmentPublic(BaseModel):
    """An attachment as the API returns it."""

    id: str
    case_no: str
    kind: str
    content_type: str | None
    size: int
    created_at: str
    latitude: float | None = None
    longitude: float | None = None


def store_of(request: Request) -> AttachmentStore:
    """The attachment store in the hub's data directory."""
    return AttachmentStore(request.app.state.settings.data_dir / "attachments")


@router.post(
    "/api/cases/{case_no}/attachments",
    response_model=AttachmentPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[ServiceAuth],
)
def add_attachment(
    request: Request,
    case_no: str,
    session: SessionDep,
    clock: ClockDep,
    kind: Annotated[str, Form(pattern="^(photo|location)$")],
    sender_id: Annotated[str, Form(max_length=200)],
    latitude: Annotated[float | None, Form()] = None,
    longitude: Annotated[float | None, Form()] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> AttachmentPublic:
    """Attach a photo or a location to the resident's own case.

    A plain ``def``: the database work and the file write are blocking, so FastAPI runs the
    whole request in its thread pool, off the event loop.
    """
    case = crud.get_case(session=session, case_no=case_no)
    if case is None:
        raise HTTPException(404, "没有找到这个编号的事项")
    if case.sender_id != sender_id:
        raise HTTPException(403, "只能给自己的事项补充照片或位置")
    store = store_of(request)
    now = clock.now()
    try:
        if kind == "photo":
            if file is None:
                raise HTTPException(422, "请附上照片")
            data = file.file.read(store.max_photo_bytes + 1)
            att = store.add_photo(case.case_no, data, now)
            text = "居民补充了一张照片"
        else:
            if latitude is None or longitude is None:
                raise HTTPException(422, "请附上位置坐标")
            att = store.add_location(case.case_no, latitude, longitude, now)
            case.latitude, case.longitude = latitude, longitude  # the latest shared place
            text = f"居民发送了位置（{latitude:.5f}, {longitude:.5f}）"
    except AttachmentError as exc:
        raise HTTPException(exc.status_code, str(exc)) from exc
    record_event(session, case=case, kind="attachment", text=text, now=now, actor="resident")
    return AttachmentPublic(**{k: v for k, v in asdict(att).items() if k != "filename"})


@router.get(
    "/api/cases/{case_no}/attachments",
    response_model=list[AttachmentPublic],
    dependencies=[ServiceAuth],
)
def list_attachments(request: Request, case_no: str, session: SessionDep) -> list[AttachmentPublic]:
    """A case's attachments."""
    case = crud.get_case(session=session, case_no=case_no)
    if case is None:
        raise HTTPException(404, "没有找到这个编号的事项")
    return [
        AttachmentPublic(**{k: v for k, v in asdict(a).items() if k != "filename"})
        for a in store_of(request).list(case.case_no)
    ]


@router.get("/staff/cases/{case_no}/attachments/{att_id}")
def staff_photo(
    request: Request, case_no: str, att_id: str, session: SessionDep, staff: ConsoleStaffDep
) -> FileResponse:
    """A photo, for staff who may see the case."""
    case = visible_case(session, staff, case_no)
    found = store_of(request).file_of(case.case_no, att_id)
    if found is None:
        raise HTTPException(404, "没有这张照片")
    path, content_type = found
    return FileResponse(
        path, media_type=content_type, headers={"Cache-Control": "private, no-store"}
    )
