"""Knowledge-base HTTP API and staff page, registered into the hub (``core/hub.py``).

Public: ``GET /api/kb/search``. Internal (service token): ``POST /api/kb/ask``.
Staff (:func:`knowledge.api_deps.require_staff`): FAQ CRUD, retire, import/export,
unanswered queue, audit trail under ``/api/kb/...``; curation page at ``/staff/kb/``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.staticfiles import StaticFiles

from core.config import HubSettings
from knowledge import bulk, crud
from knowledge.api_deps import ServiceDep, StaffDep
from knowledge.config import KbSettings
from knowledge.models import Faq
from knowledge.schemas import (
    AskRequest,
    AskResponse,
    AuditPublic,
    FaqCreate,
    FaqPublic,
    FaqUpdate,
    ImportResult,
    SearchResponse,
    UnansweredPublic,
    UnansweredToFaq,
)
from knowledge.service import KnowledgeBase, SearchResult
from knowledge.state import KbState

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_IMPORT_BYTES = 10 * 1024 * 1024

router = APIRouter(prefix="/api/kb", tags=["knowledge"])


def _state(request: Request) -> KbState:
    return request.app.state.knowledge


def _kb(request: Request) -> KnowledgeBase:
    kb = _state(request).kb
    if kb is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "知识库正在启动，请稍后再试")
    return kb


def _check_question(request: Request, text: str) -> None:
    limit = _state(request).kb_settings.max_query_chars
    if not text.strip():
        raise HTTPException(422, "请输入您想问的问题")
    if len(text) > limit:
        raise HTTPException(422, f"问题太长了，请简短一些（最多{limit}个字）")


async def _run_search(request: Request, fn, *args) -> SearchResult:  # type: ignore[no-untyped-def]
    state = _state(request)
    assert state.search_slots is not None
    async with state.search_slots:
        return await asyncio.to_thread(fn, *args)


async def _rebuild(request: Request) -> None:
    """Rebuild aside and swap; searches keep running on the old snapshot meanwhile."""
    await asyncio.to_thread(_kb(request).rebuild)


# ----------------------------------------------------------------------------- residents


@router.get("/search", response_model=SearchResponse)
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=2000)],
    k: Annotated[int, Query(ge=1, le=20)] = 5,
) -> SearchResponse:
    """Search the FAQs (public; residents' channels use it)."""
    _check_question(request, q)
    kb = _kb(request)
    result = await _run_search(request, kb.search, q, k)
    return SearchResponse(query=result.query, hits=result.hits, confident=result.confident)


@router.post("/ask", response_model=AskResponse)
async def ask(request: Request, body: AskRequest, _actor: ServiceDep) -> AskResponse:
    """The consult action's call: an answer when confident, else suggestions (question logged)."""
    _check_question(request, body.question)
    kb = _kb(request)
    result = await _run_search(request, lambda: kb.ask(body.question, channel=body.channel))
    if result.confident:
        return AskResponse(answer=result.hits[0], suggestions=result.hits[1:3], confident=True)
    return AskResponse(answer=None, suggestions=result.hits[:3], confident=False)


# ----------------------------------------------------------------------------- staff: FAQs


def _sessions(request: Request):  # type: ignore[no-untyped-def]
    sessions = _state(request).sessions
    if sessions is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "知识库正在启动，请稍后再试")
    return sessions


@router.get("/faqs")
async def list_faqs(
    request: Request,
    _actor: StaffDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status_: Annotated[Literal["active", "retired"] | None, Query(alias="status")] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict:
    """List/search FAQs for staff (substring match on question and answer)."""

    def work() -> dict:
        with _sessions(request)() as session:
            rows, total = crud.list_faqs(
                session=session,
                q=q,
                status=status_,
                category=category,
                offset=offset,
                limit=limit,
            )
            return {"total": total, "items": [FaqPublic.model_validate(r) for r in rows]}

    return await asyncio.to_thread(work)


def _export_rows(request: Request) -> list[Faq]:
    with _sessions(request)() as session:
        return crud.all_faqs(session=session)


@router.get("/faqs/export")
async def export_faqs(
    request: Request,
    _actor: StaffDep,
    format: Annotated[Literal["csv", "jsonl"], Query()] = "csv",  # noqa: A002
) -> Response:
    """Download every FAQ as CSV (UTF-8 with BOM, opens in Excel) or JSONL."""
    rows = await asyncio.to_thread(_export_rows, request)
    if format == "csv":
        return Response(
            "\ufeff" + bulk.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="faqs.csv"'},
        )
    return Response(
        bulk.to_jsonl(rows),
        media_type="application/jsonl; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="faqs.jsonl"'},
    )


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HTTPException(status.HTTP_400_BAD_REQUEST, "文件编码无法识别，请另存为 UTF-8 编码")


async def _upload_text(request: Request) -> tuple[str, str | None]:
    content_type = request.headers.get("content-type", "")
    filename = None
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "请选择要导入的文件（字段名 file）")
        filename = upload.filename
        raw = await upload.read(MAX_IMPORT_BYTES + 1)
    else:
        raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "文件太大（最多10MB）")
    return _decode(raw), filename


def _apply_import(request: Request, rows: list[bulk.ImportRow], actor: str) -> ImportResult:
    """All rows in one transaction: either every row is applied or none."""
    created = updated = 0
    with _sessions(request).begin() as session:
        for row in rows:
            if row.id is not None and crud.get_faq(session=session, faq_id=row.id) is None:
                raise bulk.ImportFormatError(
                    row.line, f"编号 {row.id} 不存在（新增的条目请留空编号）"
                )
        for row in rows:
            if row.id is None:
                faq = crud.create_faq(session=session, data=row.faq, actor=actor, action="import")
                created += 1
            else:
                faq = crud.update_faq(
                    session=session,
                    faq_id=row.id,
                    data=FaqUpdate(**row.faq.model_dump()),
                    actor=actor,
                    action="import",
                )
                updated += 1
            if row.status != faq.status:
                crud.update_faq(
                    session=session,
                    faq_id=faq.id,
                    data=FaqUpdate(status=row.status),
                    actor=actor,
                    action="import",
                )
    return ImportResult(created=created, updated=updated)


@router.post("/faqs/import", response_model=ImportResult)
async def import_faqs(
    request: Request,
    actor: StaffDep,
    format: Annotated[Literal["csv", "jsonl"] | None, Query()] = None,  # noqa: A002
) -> ImportResult:
    """Bulk import (CSV or JSONL; raw body or multipart ``file``).

    Atomic: a bad line changes nothing.
    """
    text, filename = await _upload_text(request)
    fmt = format or (
        "jsonl" if filename and filename.lower().endswith((".jsonl", ".json")) else "csv"
    )
    try:
        rows = bulk.parse_csv(text) if fmt == "csv" else bulk.parse_jsonl(text)
        result = await asyncio.to_thread(_apply_import, request, rows, actor.name)
    except bulk.ImportFormatError as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            {"message": f"导入失败，没有做任何修改。{exc}", "line": exc.line},
        ) from None
    await _rebuild(request)
    logger.info("Imported FAQs: %d created, %d updated", result.created, result.updated)
    return result


@router.post("/faqs", response_model=FaqPublic, status_code=status.HTTP_201_CREATED)
async def create_faq(request: Request, body: FaqCreate, actor: StaffDep) -> FaqPublic:
    """Add an FAQ; searchable as soon as this returns."""

    def work() -> FaqPublic:
        with _sessions(request).begin() as session:
            return FaqPublic.model_validate(
                crud.create_faq(session=session, data=body, actor=actor.name)
            )

    faq = await asyncio.to_thread(work)
    await _rebuild(request)
    return faq


@router.get("/faqs/{faq_id}", response_model=FaqPublic)
async def get_faq(request: Request, faq_id: int, _actor: StaffDep) -> FaqPublic:
    """One FAQ."""

    def work() -> FaqPublic | None:
        with _sessions(request)() as session:
            faq = crud.get_faq(session=session, faq_id=faq_id)
            return FaqPublic.model_validate(faq) if faq else None

    faq = await asyncio.to_thread(work)
    if faq is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条问答")
    return faq


async def _update(
    request: Request, faq_id: int, body: FaqUpdate, actor: str, action: str
) -> FaqPublic:
    def work() -> FaqPublic | None:
        with _sessions(request).begin() as session:
            faq = crud.update_faq(
                session=session, faq_id=faq_id, data=body, actor=actor, action=action
            )
            return FaqPublic.model_validate(faq) if faq else None

    faq = await asyncio.to_thread(work)
    if faq is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条问答")
    await _rebuild(request)
    return faq


@router.patch("/faqs/{faq_id}", response_model=FaqPublic)
async def update_faq(request: Request, faq_id: int, body: FaqUpdate, actor: StaffDep) -> FaqPublic:
    """Edit some fields of an FAQ (``status`` too: reactivate a retired one)."""
    return await _update(request, faq_id, body, actor.name, "update")


@router.post("/faqs/{faq_id}/retire", response_model=FaqPublic)
async def retire_faq(request: Request, faq_id: int, actor: StaffDep) -> FaqPublic:
    """Stop serving an FAQ (kept, audited, can be reactivated)."""
    return await _update(request, faq_id, FaqUpdate(status="retired"), actor.name, "retire")


# ----------------------------------------------------------------------------- staff: queue


@router.get("/unanswered", response_model=list[UnansweredPublic])
async def list_unanswered(
    request: Request,
    _actor: StaffDep,
    status_: Annotated[
        Literal["open", "resolved", "dismissed"] | None, Query(alias="status")
    ] = "open",
) -> list[UnansweredPublic]:
    """Questions the knowledge base could not answer, most asked first."""

    def work() -> list[UnansweredPublic]:
        with _sessions(request)() as session:
            return [
                UnansweredPublic.model_validate(u)
                for u in crud.list_unanswered(session=session, status=status_)
            ]

    return await asyncio.to_thread(work)


@router.post(
    "/unanswered/{item_id}/faq", response_model=FaqPublic, status_code=status.HTTP_201_CREATED
)
async def unanswered_to_faq(
    request: Request, item_id: int, body: UnansweredToFaq, actor: StaffDep
) -> FaqPublic:
    """Turn a queued question into an FAQ in one step (question kept as a phrasing)."""

    def work() -> FaqPublic | None:
        with _sessions(request).begin() as session:
            faq = crud.unanswered_to_faq(
                session=session, item_id=item_id, data=body, actor=actor.name
            )
            return FaqPublic.model_validate(faq) if faq else None

    faq = await asyncio.to_thread(work)
    if faq is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条待回答问题")
    await _rebuild(request)
    return faq


@router.post("/unanswered/{item_id}/dismiss", response_model=UnansweredPublic)
async def dismiss_unanswered(request: Request, item_id: int, _actor: StaffDep) -> UnansweredPublic:
    """Take a question off the open queue (spam, out of scope)."""

    def work() -> UnansweredPublic | None:
        with _sessions(request).begin() as session:
            item = crud.dismiss_unanswered(session=session, item_id=item_id)
            return UnansweredPublic.model_validate(item) if item else None

    item = await asyncio.to_thread(work)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条待回答问题")
    return item


@router.get("/audit", response_model=list[AuditPublic])
async def audit(
    request: Request,
    _actor: StaffDep,
    faq_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditPublic]:
    """The audit trail (who, when, before/after), newest first."""

    def work() -> list[AuditPublic]:
        with _sessions(request)() as session:
            return [
                AuditPublic.model_validate(a)
                for a in crud.list_audit(session=session, faq_id=faq_id, limit=limit)
            ]

    return await asyncio.to_thread(work)


@router.get("/status")
async def kb_status(request: Request, _actor: StaffDep) -> dict:
    """Index facts: size, kind, generation, model, thresholds."""
    kb = _kb(request)
    snap = kb.snapshot
    return {
        "faqs": len(snap.entries),
        "phrasings": snap.size,
        "index": snap.kind,
        "generation": kb.generation,
        "last_build_seconds": round(kb.last_build_seconds, 3),
        "model": kb.embedder.name,
        "answer_threshold": kb.thresholds.answer_threshold,
        "dense_weight": kb.thresholds.fusion.dense_weight,
        "lexical_weight": kb.thresholds.fusion.lexical_weight,
    }


# ----------------------------------------------------------------------------- hub hooks


def register(app: FastAPI, settings: HubSettings) -> None:
    """Add the knowledge-base routes and the staff page to the hub."""
    app.state.knowledge = KbState(settings=settings, kb_settings=KbSettings())
    app.include_router(router)
    app.mount("/staff/kb", StaticFiles(directory=STATIC, html=True), name="staff-kb")


async def startup(app: FastAPI) -> None:
    """Migrate, seed, load the model and build the index (off the event loop)."""
    state: KbState = app.state.knowledge
    state.search_slots = asyncio.Semaphore(4)
    await asyncio.to_thread(state.start)


async def shutdown(app: FastAPI) -> None:
    """Close the FAQ store."""
    app.state.knowledge.stop()
