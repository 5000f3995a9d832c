"""``POST /api/chat``: residents talk to Rasa only through the hub, each browser in its own
conversation (scripted Rasa here; the real counterpart is
tests/integration/test_rasa_api_auth.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chat import api as chat_api
from chat.session import COOKIE_NAME, sender_for
from core.config import HubSettings
from core.rasa_rest import RasaClient
from harness.fakes.rasa_backend import FakeBackend


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    fake = FakeBackend().start()
    yield fake
    fake.stop()


@pytest.fixture
def app(backend: FakeBackend, tmp_path) -> FastAPI:
    app = FastAPI()
    settings = HubSettings(data_dir=tmp_path, rasa_url=backend.url, _env_file=None)
    chat_api.register(app, settings, rasa=RasaClient(backend.url, timeout_s=5))
    return app


def test_each_browser_gets_its_own_unguessable_conversation(app: FastAPI, backend) -> None:
    with TestClient(app) as browser:  # one event loop; two browsers = two cookie jars
        a1 = browser.post("/api/chat", json={"message": "楼下路灯不亮了"})
        alice_jar = dict(browser.cookies)
        browser.cookies.clear()
        b1 = browser.post("/api/chat", json={"message": "我想问问"})
        browser.cookies.clear()
        a2 = browser.post("/api/chat", json={"message": "三号楼门口"}, cookies=alice_jar)
    assert a1.status_code == a2.status_code == b1.status_code == 200
    senders = [s for s, _, _ in backend.received]
    assert senders[0] == senders[2] != senders[1]
    for sender in senders:
        assert re.fullmatch(r"web:[0-9a-f]{32}", sender)
    cookie = a1.cookies[COOKIE_NAME]
    assert len(cookie) == 43 and cookie not in senders[0]
    assert sender_for(cookie) == senders[0]
    assert a1.json()["messages"][0]["text"] == "收到：楼下路灯不亮了"
    assert b1.json()["delivered"] is True


def test_the_browser_cannot_choose_the_conversation(app: FastAPI, backend) -> None:
    with TestClient(app) as client:
        r = client.post("/api/chat", json={"sender": "tg:42", "message": "查一下我的事"})
        forged = client.post(
            "/api/chat", json={"message": "再查一下"}, cookies={COOKIE_NAME: "tg:42"}
        )
    assert r.status_code == forged.status_code == 200
    senders = [s for s, _, _ in backend.received]
    assert "tg:42" not in senders and all(s.startswith("web:") for s in senders)
    # a cookie that is not one we issue is replaced by a fresh session, never used as a sender
    assert forged.cookies[COOKIE_NAME] != "tg:42"


def test_cookie_is_not_readable_by_page_scripts(app: FastAPI) -> None:
    with TestClient(app) as client:
        r = client.post("/api/chat", json={"message": "你好"})
    header = r.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header and "path=/api/chat" in header


def test_empty_message_gets_a_kind_question_with_buttons(app: FastAPI, backend) -> None:
    with TestClient(app) as client:
        r = client.post("/api/chat", json={"message": "   "})
        missing = client.post("/api/chat", json={})
    assert r.status_code == missing.status_code == 200
    body = r.json()
    assert body["delivered"] is False and "您还没有输入内容" in body["messages"][0]["text"]
    assert [b["title"] for b in body["messages"][0]["buttons"]] == [
        "我要报事",
        "我想问问",
        "我要办事",
    ]
    assert backend.received == []


def test_huge_message_is_cut_and_the_resident_is_told(app: FastAPI, backend) -> None:
    with TestClient(app) as client:
        r = client.post("/api/chat", json={"message": "电梯坏了" * 1500})
    assert r.status_code == 200
    assert len(backend.received[0][1]) == chat_api.MAX_MESSAGE_CHARS
    assert "比较长" in r.json()["messages"][0]["text"]


def test_dialogue_server_down_is_said_plainly(app: FastAPI, backend) -> None:
    backend.webhook_status = 500
    with TestClient(app) as client:
        r = client.post("/api/chat", json={"message": "我要报事"})
    assert r.status_code == 200
    body = r.json()
    assert body["delivered"] is False
    assert "没有发出去" in body["messages"][0]["text"]
