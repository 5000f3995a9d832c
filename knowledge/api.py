"""Knowledge-base HTTP API and staff page, registered into the hub (``core/hub.py``).

Public: ``GET /api/kb/search``. Internal (service token): ``POST /api/kb/ask``.
Staff (:func:`knowledge.api_deps.require_staff`): FAQ CRUD, retire, import/export,
unanswered queue, audit trail under ``/api/kb/...`` (``knowledge.api_staff``);
curation page at ``/staff/kb/``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.staticfiles import StaticFiles

from core.config import HubSettings
from knowledge import api_staff
from knowledge.api_common import check_question, get_kb, run_search
from knowledge.api_deps import ServiceDep
from knowledge.config import KbSettings
from knowledge.schemas import AskRequest, AskResponse, SearchResponse
from knowledge.state import KbState

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"

router = APIRouter(prefix="/api/kb", tags=["knowledge"])


NOTHING_FOUND = "没有找到相关的问题，可以换个说法再问，或者找工作人员。"
NOT_SURE = "没有把握，下面是最接近的几个问题。"


@router.get("/search", response_model=SearchResponse)
async def search(
    request: Request,
    q: Annotated[str, Query()] = "",
    k: Annotated[int, Query(ge=1, le=20)] = 5,
) -> SearchResponse:
    """Search the FAQs (public; residents' channels use it).

    Scores are calibrated probabilities in [0, 1]; ``confident`` only above the threshold fitted
    on the dev set. Empty or overlong questions get a short Chinese 422, never a 5xx.
    """
    check_question(request, q)
    kb = get_kb(request)
    result = await run_search(request, kb.search, q, k)
    message = None
    if not result.hits:
        message = NOTHING_FOUND
    elif not result.confident:
        message = NOT_SURE
    return SearchResponse(
        query=result.query,
        hits=result.hits,
        confident=result.confident,
        threshold=kb.thresholds.answer_threshold,
        message=message,
    )


@router.post("/ask", response_model=AskResponse)
async def ask(request: Request, body: AskRequest, _actor: ServiceDep) -> AskResponse:
    """The consult action's call: an answer when confident, else suggestions (question logged)."""
    check_question(request, body.question)
    kb = get_kb(request)
    result = await run_search(request, lambda: kb.ask(body.question, channel=body.channel))
    if result.confident:
        return AskResponse(answer=result.hits[0], suggestions=result.hits[1:3], confident=True)
    return AskResponse(answer=None, suggestions=result.hits[:3], confident=False)


# ----------------------------------------------------------------------------- hub hooks


def register(app: FastAPI, settings: HubSettings) -> None:
    """Add the knowledge-base routes and the staff page to the hub."""
    app.state.knowledge = KbState(settings=settings, kb_settings=KbSettings())
    app.include_router(router)
    app.include_router(api_staff.router)
    app.mount("/staff/kb", StaticFiles(directory=STATIC, html=True), name="staff-kb")


async def startup(app: FastAPI) -> None:
    """Migrate, seed, load the model and build the index (off the event loop)."""
    state: KbState = app.state.knowledge
    state.search_slots = asyncio.Semaphore(4)
    await asyncio.to_thread(state.start)


async def health(app: FastAPI) -> str | None:
    """Ready when the index is built and the FAQ database answers."""
    from core.health import database_problem

    state: KbState = app.state.knowledge
    if state.kb is None or state.engine is None:
        return "index not built"
    return await database_problem(state.engine)


async def shutdown(app: FastAPI) -> None:
    """Close the FAQ store."""
    app.state.knowledge.stop()
