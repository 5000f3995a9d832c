"""Staff curation routes: FAQ CRUD and retire, bulk import/export, unanswered queue, audit.

Every route depends on :func:`knowledge.api_deps.require_staff` (the single staff-auth plug-in
point); every change is audited in the same transaction and the index is rebuilt aside and
swapped before the response returns (searchable at once).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from knowledge import bulk, crud
from knowledge.api_common import get_kb, get_sessions, rebuild_index
from knowledge.api_deps import StaffDep
from knowledge.models import Faq
from knowledge.schemas import (
    AuditPublic,
    ClosestFaq,
    FaqCreate,
    FaqPublic,
    FaqUpdate,
    ImportResult,
    UnansweredPublic,
    UnansweredToAlternative,
    UnansweredToFaq,
    UnansweredWithClosest,
)

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 10 * 1024 * 1024

router = APIRouter(prefix="/api/kb", tags=["knowledge staff"])


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
        with get_sessions(request)() as session:
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
    with get_sessions(request)() as session:
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
    with get_sessions(request).begin() as session:
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
    await rebuild_index(request)
    logger.info("Imported FAQs: %d created, %d updated", result.created, result.updated)
    return result


@router.post("/faqs", response_model=FaqPublic, status_code=status.HTTP_201_CREATED)
async def create_faq(request: Request, body: FaqCreate, actor: StaffDep) -> FaqPublic:
    """Add an FAQ; searchable as soon as this returns."""

    def work() -> FaqPublic:
        with get_sessions(request).begin() as session:
            return FaqPublic.model_validate(
                crud.create_faq(session=session, data=body, actor=actor.name)
            )

    faq = await asyncio.to_thread(work)
    await rebuild_index(request)
    return faq


@router.get("/faqs/{faq_id}", response_model=FaqPublic)
async def get_faq(request: Request, faq_id: int, _actor: StaffDep) -> FaqPublic:
    """One FAQ."""

    def work() -> FaqPublic | None:
        with get_sessions(request)() as session:
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
        with get_sessions(request).begin() as session:
            faq = crud.update_faq(
                session=session, faq_id=faq_id, data=body, actor=actor, action=action
            )
            return FaqPublic.model_validate(faq) if faq else None

    faq = await asyncio.to_thread(work)
    if faq is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条问答")
    await rebuild_index(request)
    return faq


@router.patch("/faqs/{faq_id}", response_model=FaqPublic)
async def update_faq(request: Request, faq_id: int, body: FaqUpdate, actor: StaffDep) -> FaqPublic:
    """Edit some fields of an FAQ (``status`` too: reactivate a retired one)."""
    return await _update(request, faq_id, body, actor.name, "update")


@router.post("/faqs/{faq_id}/retire", response_model=FaqPublic)
async def retire_faq(request: Request, faq_id: int, actor: StaffDep) -> FaqPublic:
    """Stop serving an FAQ (kept, audited, can be reactivated)."""
    return await _update(request, faq_id, FaqUpdate(status="retired"), actor.name, "retire")


CLOSEST = 3
"""FAQs shown next to each queued question."""


@router.get("/unanswered", response_model=list[UnansweredWithClosest])
async def list_unanswered(
    request: Request,
    _actor: StaffDep,
    status_: Annotated[
        Literal["open", "resolved", "dismissed"] | None, Query(alias="status")
    ] = "open",
    closest: bool = True,
) -> list[UnansweredWithClosest]:
    """Declined questions, most asked first, each with the FAQs closest to it now."""
    kb = get_kb(request) if closest else None

    def work() -> list[UnansweredWithClosest]:
        with get_sessions(request)() as session:
            items = [
                UnansweredWithClosest.model_validate(
                    UnansweredPublic.model_validate(u).model_dump()
                )
                for u in crud.list_unanswered(session=session, status=status_)
            ]
        if kb is not None:
            for item in items:
                hits = kb.search(item.question, k=CLOSEST).hits
                item.closest = [
                    ClosestFaq(faq_id=h.faq_id, question=h.question, score=h.score) for h in hits
                ]
        return items

    return await asyncio.to_thread(work)


@router.post("/unanswered/{item_id}/alternative", response_model=FaqPublic)
async def unanswered_to_alternative(
    request: Request, item_id: int, body: UnansweredToAlternative, actor: StaffDep
) -> FaqPublic:
    """Add a queued question to an FAQ as another phrasing; searchable as soon as this returns."""

    def work() -> tuple[bool, FaqPublic | None]:
        with get_sessions(request).begin() as session:
            item, faq = crud.unanswered_to_alternative(
                session=session, item_id=item_id, faq_id=body.faq_id, actor=actor.name
            )
            return item is not None, FaqPublic.model_validate(faq) if faq else None

    found, faq = await asyncio.to_thread(work)
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条待回答问题")
    if faq is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条问答")
    await rebuild_index(request)
    logger.info("Queued question %d added as a phrasing of FAQ %d", item_id, faq.id)
    return faq


@router.post(
    "/unanswered/{item_id}/faq", response_model=FaqPublic, status_code=status.HTTP_201_CREATED
)
async def unanswered_to_faq(
    request: Request, item_id: int, body: UnansweredToFaq, actor: StaffDep
) -> FaqPublic:
    """Turn a queued question into an FAQ in one step (question kept as a phrasing)."""

    def work() -> FaqPublic | None:
        with get_sessions(request).begin() as session:
            faq = crud.unanswered_to_faq(
                session=session, item_id=item_id, data=body, actor=actor.name
            )
            return FaqPublic.model_validate(faq) if faq else None

    faq = await asyncio.to_thread(work)
    if faq is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这条待回答问题")
    await rebuild_index(request)
    return faq


@router.post("/unanswered/{item_id}/dismiss", response_model=UnansweredPublic)
async def dismiss_unanswered(request: Request, item_id: int, _actor: StaffDep) -> UnansweredPublic:
    """Take a question off the open queue (spam, out of scope)."""

    def work() -> UnansweredPublic | None:
        with get_sessions(request).begin() as session:
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
        with get_sessions(request)() as session:
            return [
                AuditPublic.model_validate(a)
                for a in crud.list_audit(session=session, faq_id=faq_id, limit=limit)
            ]

    return await asyncio.to_thread(work)


@router.get("/status")
async def kb_status(request: Request, _actor: StaffDep) -> dict:
    """Index facts: size, kind, generation, model, thresholds."""
    kb = get_kb(request)
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
        "bm25_weight": kb.thresholds.fusion.bm25_weight,
    }
