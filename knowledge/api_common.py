"""Helpers shared by the knowledge-base routes: app state lookups, bounded search, rebuild."""

from __future__ import annotations

import asyncio

from fastapi import HTTPException, Request, status
from sqlalchemy.orm import Session, sessionmaker

from knowledge.service import KnowledgeBase, SearchResult
from knowledge.state import KbState


def get_state(request: Request) -> KbState:
    """The knowledge-base state of this app."""
    return request.app.state.knowledge


def get_kb(request: Request) -> KnowledgeBase:
    """The search service, or 503 while startup is still building it."""
    kb = get_state(request).kb
    if kb is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "知识库正在启动，请稍后再试")
    return kb


def check_question(request: Request, text: str) -> None:
    """422 with a Chinese message for empty or overlong questions."""
    limit = get_state(request).kb_settings.max_query_chars
    if not text.strip():
        raise HTTPException(422, "请输入您想问的问题")
    if len(text) > limit:
        raise HTTPException(422, f"问题太长了，请简短一些（最多{limit}个字）")
    if "\x00" in text:
        raise HTTPException(422, "问题里有无法识别的字符，请重新输入")


async def run_search(request: Request, fn, *args) -> SearchResult:  # type: ignore[no-untyped-def]
    """Run a blocking search in a worker thread, at most ``search_slots`` at a time."""
    state = get_state(request)
    assert state.search_slots is not None
    async with state.search_slots:
        return await asyncio.to_thread(fn, *args)


async def rebuild_index(request: Request) -> None:
    """Rebuild aside and swap; searches keep running on the old snapshot meanwhile."""
    await asyncio.to_thread(get_kb(request).rebuild)


def get_sessions(request: Request) -> sessionmaker[Session]:
    """FAQ store sessions, or 503 before startup."""
    sessions = get_state(request).sessions
    if sessions is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "知识库正在启动，请稍后再试")
    return sessions
