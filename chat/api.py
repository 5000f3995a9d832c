"""Hub part: ``POST /api/chat`` forwards a resident's message to Rasa's REST channel.

The browser never names the conversation: the sender id comes from the session cookie this
endpoint sets (``chat.session``), so a request can only ever continue its own conversation.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict

from chat.news import NewsSource
from chat.session import COOKIE_NAME, new_session_id, sender_for, valid_session_id
from core.config import HubSettings
from core.errors import ServiceUnavailable
from core.rasa_rest import BotMessage, RasaClient

logger = logging.getLogger(__name__)

router = APIRouter(tags=["chat"])

MAX_MESSAGE_CHARS = 2000
"""Longer messages are cut here before they reach Rasa (the resident is told)."""
COOKIE_MAX_AGE_S = 7 * 24 * 3600

EMPTY_REPLY = "您还没有输入内容。请说说您要反映什么问题，或者想问什么、办什么。"
TOO_LONG_NOTE = "您写的内容比较长，我先看了前面的{n}个字。"
DOWN_REPLY = "系统现在有点忙，您刚才的话没有发出去。请过一会儿再发一次，或者拨打社区服务中心电话。"
START_BUTTONS = [
    {"title": "我要报事", "payload": "我要报事"},
    {"title": "我想问问", "payload": "我想问问"},
    {"title": "我要办事", "payload": "我要办事"},
]


class ChatIn(BaseModel):
    """What the browser sends: only the text (any ``sender`` it adds is ignored)."""

    model_config = ConfigDict(extra="ignore")

    message: str = ""


class ChatButton(BaseModel):
    """A button under a reply; sending its ``payload`` answers the question."""

    title: str
    payload: str


class ChatMessage(BaseModel):
    """One message of the assistant."""

    text: str | None = None
    buttons: list[ChatButton] = []
    image: str | None = None
    custom: dict[str, Any] | None = None


class ChatOut(BaseModel):
    """The assistant's answer to one message."""

    messages: list[ChatMessage]
    delivered: bool
    """False when the message did not reach the assistant (nothing was stored; send it again)."""


def _messages(replies: list[BotMessage]) -> list[ChatMessage]:
    return [
        ChatMessage(
            text=m.text or None,
            buttons=[ChatButton(title=b.title, payload=b.payload) for b in m.buttons if b.payload],
            image=m.image,
            custom=m.custom or None,
        )
        for m in replies
    ]


@router.post("/api/chat", response_model=ChatOut)
async def chat(body: ChatIn, request: Request, response: Response) -> ChatOut:
    """Send one message of this browser session's conversation; return the assistant's replies."""
    session_id = valid_session_id(request.cookies.get(COOKIE_NAME))
    if session_id is None:
        session_id = new_session_id()
    response.set_cookie(
        COOKIE_NAME,
        session_id,
        max_age=COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/api/chat",
    )
    text = body.message.strip()
    if not text:
        return ChatOut(
            messages=[
                ChatMessage(text=EMPTY_REPLY, buttons=[ChatButton(**b) for b in START_BUTTONS])
            ],
            delivered=False,
        )
    note = None
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS]
        note = ChatMessage(text=TOO_LONG_NOTE.format(n=MAX_MESSAGE_CHARS))
    rasa: RasaClient = request.app.state.chat_rasa
    try:
        replies = await rasa.send(sender_for(session_id), text)
    except ServiceUnavailable:
        logger.warning("Web chat: the dialogue server did not answer")
        return ChatOut(messages=[ChatMessage(text=DOWN_REPLY)], delivered=False)
    messages = _messages(replies)
    news_source: NewsSource | None = request.app.state.chat_news
    if news_source is not None:
        messages = [
            *(ChatMessage(text=n) for n in await news_source.collect(sender_for(session_id))),
            *messages,
        ]
    return ChatOut(messages=[note, *messages] if note else messages, delivered=True)


def register(
    app: FastAPI,
    settings: HubSettings,
    rasa: RasaClient | None = None,
    news: NewsSource | None = None,
) -> None:
    """Attach ``/api/chat``; ``rasa`` is the REST-channel client (default:
    ``settings.rasa_url``); ``news`` where a resident's waiting messages come from (default: the
    case system's and the deliberation part's outboxes, asked through this app itself)."""
    app.state.chat_rasa = rasa or RasaClient(settings.rasa_url, timeout_s=60.0)
    app.state.chat_news = news or _parts_news(app, settings)
    app.include_router(router)


def _parts_news(app: FastAPI, settings: HubSettings) -> NewsSource | None:
    """The case system's and the deliberation part's outboxes, asked through this app."""
    if not settings.service_token:
        return None
    from cases.client import CaseClient
    from deliberation.client import DeliberationClient

    transport = httpx.ASGITransport(app=app)
    token = settings.service_token
    return NewsSource(
        CaseClient("http://hub", token, timeout=10, transport=transport),
        DeliberationClient("http://hub", token, timeout=10, transport=transport),
    )


async def shutdown(app: FastAPI) -> None:
    """Close the HTTP clients."""
    await app.state.chat_rasa.aclose()
    if app.state.chat_news is not None:
        await app.state.chat_news.aclose()
