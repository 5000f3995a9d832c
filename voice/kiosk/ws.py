"""The kiosk page's WebSocket: one handler per event the page sends, and the session reset
(idle, or asked by the page) that tells the page to start over."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from voice.kiosk.events import (
    DEFAULT_RATE,
    AudioCancelEvent,
    AudioEndEvent,
    AudioStartEvent,
    ButtonEvent,
    CommandEvent,
    DigitsEvent,
    HelloEvent,
    MicEvent,
    PingEvent,
    TextEvent,
    parse_event,
)
from voice.kiosk.service import KioskService
from voice.kiosk.session import KioskSession

MAX_FRAME_BYTES = 64 * 1024
"""Bytes of one binary (PCM) frame kept; the rest of a larger frame is dropped."""


async def reset_session(app: FastAPI, session: KioskSession, reason: str) -> KioskSession:
    """Draft + fresh session; tell the page showing the old one to start over."""
    service: KioskService = app.state.kiosk
    sockets: dict[str, WebSocket] = getattr(app.state, "kiosk_sockets", {})
    ws = sockets.pop(session.id, None)
    fresh = await service.end_session(session, reason)
    if ws is not None:
        sockets[fresh.id] = ws
        ws.state.session_id = fresh.id
        with contextlib.suppress(Exception):
            await ws.send_json({"type": "reset", "session": fresh.id, "reason": reason})
            # nobody there: the welcome is shown, not said; the notices are read once when a
            # visit ended in silence (not again and again to an empty hall)
            read = reason == "idle" and session.visited()
            greeting = await service.greeting(fresh, read_notices=read)
            await ws.send_json(greeting | {"autoplay": False})
    else:
        service.sessions.pop(fresh.id, None)  # nobody is looking: no need to keep it
    return fresh


class _Connection:
    """One kiosk page's WebSocket: the utterance being recorded and where to answer."""

    def __init__(self, ws: WebSocket, service: KioskService, sockets: dict[str, WebSocket]) -> None:
        self.ws = ws
        self.app: FastAPI = ws.app
        self.service = service
        self.sockets = sockets
        self.pcm = bytearray()
        self.rate = DEFAULT_RATE
        self.recording = False

    def session(self) -> KioskSession | None:
        return self.service.sessions.get(self.ws.state.session_id or "")

    def audio_frame(self, frame: bytes, session: KioskSession | None) -> None:
        if self.recording and session is not None:
            limit = int((self.service.settings.max_utterance_s + 2) * self.rate * 2)
            if len(self.pcm) < limit:
                self.pcm.extend(frame[:MAX_FRAME_BYTES])
            session.touch()

    async def send_all(self, outs: list[dict]) -> None:
        for out in outs:
            await self.ws.send_json(out)


async def _on_hello(conn: _Connection, event: HelloEvent) -> None:
    service, ws = conn.service, conn.ws
    session, resumed = service.open_session(event.session)
    session.touch_only = event.touch_only
    ws.state.session_id = session.id
    conn.sockets[session.id] = ws
    await ws.send_json(
        {
            "type": "ready",
            "session": session.id,
            "resumed": resumed,
            "rate": session.rate,
            "volume": session.volume,
            "expect": session.expect,
        }
    )
    if resumed and session.last_reply is not None:
        await ws.send_json(dict(session.last_reply, autoplay=False))
    else:
        await ws.send_json(await service.greeting(session))


async def _on_audio_start(conn: _Connection, event: AudioStartEvent, session: KioskSession) -> None:
    conn.pcm.clear()
    conn.rate = event.rate
    conn.recording = True
    session.touch()


async def _on_audio_end(conn: _Connection, event: AudioEndEvent, session: KioskSession) -> None:
    conn.recording = False
    ended = time.perf_counter()
    data = bytes(conn.pcm)
    conn.pcm.clear()
    service = conn.service
    if event.barge_in:  # said while the kiosk spoke: it keeps speaking
        outs = await service.handle_barge_in(session, data, conn.rate, ended_at=ended)
    else:
        await conn.ws.send_json({"type": "thinking"})
        outs = await service.handle_audio(session, data, conn.rate, ended_at=ended)
    await conn.send_all(outs)


async def _on_audio_cancel(
    conn: _Connection, event: AudioCancelEvent, session: KioskSession
) -> None:
    conn.recording = False
    conn.pcm.clear()


async def _on_text(conn: _Connection, event: TextEvent, session: KioskSession) -> None:
    await conn.ws.send_json({"type": "thinking"})
    await conn.send_all(await conn.service.handle_text(session, event.text))


async def _on_button(conn: _Connection, event: ButtonEvent, session: KioskSession) -> None:
    await conn.ws.send_json({"type": "thinking"})
    await conn.send_all(await conn.service.handle_text(session, event.title, payload=event.payload))


async def _on_digits(conn: _Connection, event: DigitsEvent, session: KioskSession) -> None:
    """The on-screen number pad."""
    await conn.ws.send_json({"type": "thinking"})
    await conn.send_all(await conn.service.handle_digits(session, event.value))


async def _on_command(conn: _Connection, event: CommandEvent, session: KioskSession) -> None:
    if event.name == "reset":  # the page's own idle timer says so (lost connection)
        await reset_session(conn.app, session, event.reset_reason)
        return
    await conn.send_all(await conn.service.handle_command(session, event.name))


async def _on_mic(conn: _Connection, event: MicEvent, session: KioskSession) -> None:
    """The page found (or lost) its microphone."""
    was_touch_only = session.touch_only
    session.touch_only = event.ok is False
    if session.touch_only and not was_touch_only and conn.service.on_welcome(session):
        # the welcome said 点我说话: say and show where to tap instead
        await conn.ws.send_json(await conn.service.greeting(session))


async def _on_ping(conn: _Connection, event: PingEvent, session: KioskSession) -> None:
    session.touch()
    await conn.ws.send_json({"type": "pong"})


_SessionHandler = Callable[[_Connection, Any, KioskSession], Awaitable[None]]
_HANDLERS: dict[type, _SessionHandler] = {
    AudioStartEvent: _on_audio_start,
    AudioEndEvent: _on_audio_end,
    AudioCancelEvent: _on_audio_cancel,
    TextEvent: _on_text,
    ButtonEvent: _on_button,
    DigitsEvent: _on_digits,
    CommandEvent: _on_command,
    MicEvent: _on_mic,
    PingEvent: _on_ping,
}
"""The handler of each event a page sends once it has a session (``UnknownEvent``: none)."""


async def serve(ws: WebSocket) -> None:
    """Voice loop: PCM in (binary frames between audio_start/audio_end), JSON events out.

    Each text frame is parsed into its event (``voice.kiosk.events``) and goes to that event's
    handler: ``hello`` opens or resumes the session, the rest need one (without it the page is
    asked to wait); a frame that is not JSON, or of a ``type`` not known, is ignored."""
    app = ws.app
    service: KioskService = app.state.kiosk
    await ws.accept()
    sockets: dict[str, WebSocket] | None = getattr(app.state, "kiosk_sockets", None)
    if sockets is None:
        sockets = app.state.kiosk_sockets = {}
    ws.state.session_id = None
    conn = _Connection(ws, service, sockets)
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            session = conn.session()
            if message.get("bytes") is not None:
                conn.audio_frame(message["bytes"], session)
                continue
            event = parse_event(message.get("text"))
            if event is None:  # not JSON
                continue
            if isinstance(event, HelloEvent):
                await _on_hello(conn, event)
                continue
            if session is None:
                await ws.send_json({"type": "error", "text": "请稍等，正在重新连接。"})
                continue
            handler = _HANDLERS.get(type(event))
            if handler is not None:
                await handler(conn, event, session)
    except WebSocketDisconnect:
        pass
    finally:
        sid = ws.state.session_id
        if sid and sockets.get(sid) is ws:
            sockets.pop(sid, None)
