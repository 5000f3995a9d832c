"""Kiosk part of the hub: pages, the voice WebSocket, drafts, the printable case page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from html import escape
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import httpx
from fastapi import (
    APIRouter,
    FastAPI,
    Header,
    HTTPException,
    Request,
    WebSocket,
)
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from core.config import HubSettings
from core.localtime import shown_local
from core.rasa_rest import RasaClient
from core.service_token import check_service_token
from voice.config import VoiceSettings
from voice.factory import make_recognizer, make_synthesizer
from voice.kiosk.drafts import DraftStore
from voice.kiosk.hubcases import HubCases
from voice.kiosk.service import GREETING, KioskService
from voice.kiosk.welcome import WelcomeBoard
from voice.kiosk.ws import reset_session, serve

logger = logging.getLogger(__name__)

router = APIRouter(tags=["kiosk"])


def static_dir() -> Path:
    """Folder of the kiosk's static files (HTML, CSS, JS; no CDN)."""
    return Path(str(resources.files("voice.kiosk").joinpath("static")))


def fixed_prompts() -> list[str]:
    """What the kiosk says word for word, whoever stands at it (warmed at start-up): its own
    sentences and the forms' questions (``actions/ask.py``), as it speaks a dialogue reply."""
    from voice.kiosk import digits, handoff, status, touchturns
    from voice.kiosk.service import GREETING_TOUCH, NOT_HEARD
    from voice.kiosk.speech import plain_reply, speech_text

    texts = [touchturns.HOME, touchturns.HOME_TOUCH, GREETING_TOUCH, NOT_HEARD,
             digits.PHONE_REASK, digits.ROOM_REASK, status.ASK_NUMBER, status.ASK_TAIL,
             status.NOT_FOUND, handoff.ASK_REACH, handoff.ASK_WHERE,
             handoff.PHONE_REASK]  # fmt: skip
    try:
        from actions import ask
    except ImportError:  # a hub without the dialogue's code: the kiosk's own sentences
        return texts
    questions = [getattr(c, "text", "") for c in vars(ask).values()
                 if isinstance(c, type) and c.__module__ == ask.__name__]  # fmt: skip
    return texts + [speech_text(plain_reply(q)) for q in questions if isinstance(q, str) and q]


def get_service(app: FastAPI) -> KioskService:
    """The kiosk service on the app."""
    return app.state.kiosk


def register(
    app: FastAPI,
    settings: HubSettings,
    voice_settings: VoiceSettings | None = None,
    service: KioskService | None = None,
) -> None:
    """Attach the kiosk routes; engines are created here but load their models in ``startup``."""
    vs = voice_settings or VoiceSettings()
    if service is None:
        data_dir = settings.data_dir.resolve()
        service = KioskService(
            settings=vs,
            recognizer=make_recognizer(vs, data_dir),
            synthesizer=make_synthesizer(vs),
            rasa=RasaClient(settings.rasa_url, timeout_s=vs.rasa_timeout_s),
            drafts=DraftStore(data_dir / "kiosk" / "drafts.jsonl"),
        )
    if service.cases is None:
        service.cases = HubCases(app=app, token=settings.service_token or "")
    if service.welcome is None:
        service.welcome = WelcomeBoard(app=app, token=settings.service_token or "")
    app.state.kiosk = service
    app.state.kiosk_hub_settings = settings
    app.include_router(router)
    app.mount("/kiosk/static", StaticFiles(directory=static_dir()), name="kiosk-static")


async def startup(app: FastAPI) -> None:
    """Load the recogniser (off the loop) and start the idle sweeper."""
    service = get_service(app)
    loader = getattr(service.recognizer, "load", None)
    if service.settings.preload and callable(loader):
        try:
            await asyncio.to_thread(loader)
        except Exception:  # a missing model must not take the hub down: the kiosk says so
            logger.exception("Could not load the recogniser (run: python -m voice provision)")
    voice_loader = getattr(service.synthesizer, "load", None)  # the neural voice has one
    if service.settings.preload and callable(voice_loader):
        try:
            await asyncio.to_thread(voice_loader)
            # the first thing every resident hears comes from the voice's cache from now on
            await asyncio.to_thread(
                service.synthesizer.synthesize, GREETING, rate=service.settings.tts_rate
            )
            warm = getattr(service.synthesizer, "warm", None)  # the neural voice: fixed sentences
            if callable(warm):  # in the background, a sentence at a time: nobody waits long
                app.state.kiosk_warming = asyncio.create_task(
                    _warm_voice(warm, service.settings.tts_rate)
                )
        except Exception:  # the kiosk still shows text; espeak-ng is the fallback voice
            logger.exception("Could not load the synthesiser")
    app.state.kiosk_sockets = {}
    app.state.kiosk_sweeper = asyncio.create_task(_idle_sweeper(app))


async def _warm_voice(warm: Callable[..., int], rate: int) -> None:
    try:
        count = await asyncio.to_thread(warm, fixed_prompts(), rate=rate)
        logger.info("Kiosk voice warmed with %d fixed sentences", count)
    except Exception:  # a sentence not warmed is synthesised when first needed
        logger.exception("Could not warm the kiosk voice")


async def shutdown(app: FastAPI) -> None:
    """Stop the sweeper, keep unfinished conversations as drafts, close the dialogue client."""
    service = get_service(app)
    task = getattr(app.state, "kiosk_sweeper", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for session in list(service.sessions.values()):
        await service.save_draft(session, "shutdown")
    await service.rasa.aclose()


async def _idle_sweeper(app: FastAPI) -> None:
    service = get_service(app)
    interval = max(0.5, min(5.0, service.settings.idle_timeout_s / 4))
    while True:
        await asyncio.sleep(interval)
        try:
            for session in service.idle_sessions():
                await reset_session(app, session, "idle")
        except Exception:
            logger.exception("Kiosk idle sweep failed")


# ----- pages ------------------------------------------------------------------------------------
@router.get("/kiosk", include_in_schema=False)
@router.get("/kiosk/", include_in_schema=False)
async def kiosk_page() -> FileResponse:
    """The large-screen 长辈版 kiosk page."""
    return FileResponse(static_dir() / "index.html", headers={"Cache-Control": "no-store"})


@router.get("/kiosk/dashboard", include_in_schema=False)
async def dashboard_page() -> FileResponse:
    """The wall dashboard: notices, this week's cases, rates."""
    return FileResponse(static_dir() / "dashboard.html", headers={"Cache-Control": "no-store"})


@router.get("/kiosk/config")
async def kiosk_config(request: Request) -> dict:
    """Settings the page needs (timings tuned for slow speakers)."""
    s = get_service(request.app).settings
    return {
        "end_silence_ms": s.end_silence_ms,
        "idle_timeout_s": s.idle_timeout_s,
        "max_utterance_s": s.max_utterance_s,
        "sample_rate": 16000,
        "barge_in": s.barge_in,
    }


def _require_token(request: Request, authorization: str | None) -> None:
    check_service_token(request.app.state.kiosk_hub_settings.service_token, authorization)


@router.get("/kiosk/drafts")
async def kiosk_drafts(
    request: Request, authorization: str | None = Header(default=None), limit: int = 50
) -> JSONResponse:
    """Unfinished kiosk conversations kept for staff (service token required)."""
    _require_token(request, authorization)
    items = await asyncio.to_thread(get_service(request.app).drafts.list, max(1, min(limit, 500)))
    return JSONResponse(items)


@router.get("/kiosk/case/{case_no}/print", response_class=HTMLResponse)
async def print_case(case_no: str, request: Request, t: str | None = None) -> HTMLResponse:
    """The resident's printable slip (number huge, what, where, when).

    Opens only with the resident's access code (``?t=``, put there by the kiosk when the case
    was created): a number alone, or a wrong code, answers 404 like a number that does not exist.
    """
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub", timeout=10) as client:
        resp = await client.get(
            f"/api/resident/cases/{quote(case_no, safe='')}",
            headers={"X-Case-Access": t or ""},
        )
    if resp.status_code != 200:
        raise HTTPException(404, "没有找到这个事项，请核对编号和查询码")
    page = _print_html(resp.json()["case"], access_code=t or "")
    return HTMLResponse(
        page, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


def _print_html(case: dict, access_code: str = "") -> str:
    what = case.get("category_label") or case.get("service_label") or ""
    loc = case.get("location") or {}
    where = "".join(
        p
        for p in (
            f"{loc['building']}号楼" if loc.get("building") else "",
            f"{loc['unit']}单元" if loc.get("unit") else "",
            f"{loc['room']}室" if loc.get("room") else "",
            f" {loc['landmark']}" if loc.get("landmark") else "",
        )
    ) or (loc.get("raw") or "")
    rows = [
        ("事项", what),
        ("地点", where),
        ("情况", case.get("description") or ""),
        ("状态", case.get("status_label") or ""),
        ("登记时间", shown_local(case.get("created_at"), year=True)),
    ]
    body = "".join(
        f"<tr><th scope='row'>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows if v
    )
    no = escape(case.get("case_no", ""))
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>编号 {no} · 邻里社区服务</title><link rel="stylesheet" href="/kiosk/static/print.css"></head>
<body><main><h1>邻里社区服务 · 事项回执</h1>
<p class="label">您的编号</p><p class="caseno">{no}</p>
<p class="tail">后四位：{escape(no[-4:])}</p><table>{body}</table>
<p class="code">查询码：<b>{escape(access_code)}</b></p>
<p class="hint">查询进度：在自助机上点“查进度”（或说“查一下我的事”），输入编号后四位和手机号后四位；
没留电话的，请带上这张回执到社区服务中心一楼综合窗口。
这张回执只有凭编号和查询码才能打开，请收好，不要给别人看。</p>
<button type="button" onclick="window.print()">打印</button>
<a class="back" href="/kiosk/">返回</a></main></body></html>"""


# ----- the voice WebSocket -------------------------------------------------------------------
@router.websocket("/kiosk/ws")
async def kiosk_ws(ws: WebSocket) -> None:
    """Voice loop: PCM in (binary frames between audio_start/audio_end), JSON events out."""
    await serve(ws)
