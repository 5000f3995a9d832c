"""A web-chat resident is told what became of their proposal with their next reply, once
(the hub with its real case, chat and deliberation parts; scripted Rasa)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import core.hub
from chat.news import NEWS_PREFIX
from chat.session import COOKIE_NAME, sender_for
from core.config import HubSettings
from core.hub import create_app
from harness.fakes.rasa_backend import FakeBackend

TOKEN = "chat-news-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STAFF = {**AUTH, "X-Staff-Name": "%E6%B5%8B%E8%AF%95"}


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    backend = FakeBackend().start()
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "chat.api", "deliberation.api"))
    monkeypatch.setenv("DELIB_DATABASE_URL", f"sqlite:///{tmp_path / 'deliberation.db'}")
    settings = HubSettings(
        data_dir=tmp_path, service_token=TOKEN, rasa_url=backend.url, _env_file=None
    )
    with TestClient(create_app(settings)) as client:
        yield client
    backend.stop()


def texts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["text"] for m in response.json()["messages"] if m.get("text")]


def test_a_proposal_approved_is_told_with_the_next_reply_once(hub: TestClient) -> None:
    first = hub.post("/api/chat", json={"message": "你好"})
    me = dict(hub.cookies)
    sender = sender_for(first.cookies[COOKIE_NAME])
    body = {"what": "楼下放几张长椅", "channel": "web", "resident_key": sender}
    number = hub.post("/api/deliberation/proposals", json=body, headers=AUTH).json()["number"]
    assert hub.post(f"/api/deliberation/proposals/{number}/approve", headers=STAFF).is_success

    hub.cookies.clear()  # another browser gets nothing of it
    other = texts(hub.post("/api/chat", json={"message": "你好"}))
    assert not any(t.startswith(NEWS_PREFIX) for t in other), other

    hub.cookies.clear()
    told = texts(hub.post("/api/chat", json={"message": "还有事吗"}, cookies=me))
    assert told[0].startswith(NEWS_PREFIX) and f"第{number}号建议已通过审核" in told[0], told
    assert told[-1] == "收到：还有事吗"  # the reply itself follows
    again = texts(hub.post("/api/chat", json={"message": "好的"}, cookies=me))
    assert not any(t.startswith(NEWS_PREFIX) for t in again), again


def test_the_chat_answers_when_the_news_cannot_be_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the deliberation part the chat still answers (its news are simply empty)."""
    backend = FakeBackend().start()
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "chat.api"))
    settings = HubSettings(
        data_dir=tmp_path, service_token=TOKEN, rasa_url=backend.url, _env_file=None
    )
    try:
        with TestClient(create_app(settings)) as client:
            r = client.post("/api/chat", json={"message": "你好"})
    finally:
        backend.stop()
    assert r.status_code == 200 and texts(r) == ["收到：你好"]


def _staff_resolves(hub: TestClient, case_no: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from cases import lifecycle
    from cases.db import session_scope
    from cases.models import Case
    from cases.statuses import Status

    with session_scope(hub.app.state.cases.sessions) as session:
        case = session.scalars(select(Case).where(Case.case_no == case_no)).one()
        lifecycle.change_status(
            session=session, case=case, new_status=Status.RESOLVED, now=datetime.now(UTC),
            actor="测试", note="灯泡已换好",
        )  # fmt: skip


def test_a_web_residents_case_news_come_with_the_next_reply_once(hub: TestClient) -> None:
    first = hub.post("/api/chat", json={"message": "你好"})
    me = dict(hub.cookies)
    sender = sender_for(first.cookies[COOKIE_NAME])
    body = {
        "type": "report",
        "category": "corridor_light",
        "description": "楼道灯不亮",
        "sender_id": sender,
        "channel": "web",
    }
    case = hub.post("/api/cases", json=body, headers=AUTH).json()
    _staff_resolves(hub, case["case_no"])  # as the console does: the resident is told
    waiting = hub.get(
        "/api/outbox",
        params={"channel": "web", "recipient": sender.removeprefix("web:")},
        headers=AUTH,
    ).json()
    assert waiting and all(m["case_no"] == case["case_no"] for m in waiting), waiting

    hub.cookies.clear()  # another browser gets nothing of it
    other = texts(hub.post("/api/chat", json={"message": "你好"}))
    assert not any(t.startswith(NEWS_PREFIX) for t in other), other

    hub.cookies.clear()
    told = texts(hub.post("/api/chat", json={"message": "还有事吗"}, cookies=me))
    assert told[: len(waiting)] == [NEWS_PREFIX + m["text"] for m in waiting], told
    assert any("解决了" in t for t in told[:-1]), told  # how to answer comes with it
    assert told[-1] == "收到：还有事吗"
    again = texts(hub.post("/api/chat", json={"message": "好的"}, cookies=me))
    assert not any(t.startswith(NEWS_PREFIX) for t in again), again
