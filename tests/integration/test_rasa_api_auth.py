"""Rasa's HTTP API is locked, and residents talk through the hub: real Rasa, actions and hub."""

from __future__ import annotations

import httpx
import pytest

from chat.session import sender_for
from harness.stack import Stack

pytestmark = pytest.mark.integration

API_ROUTES = [
    ("GET", "/status", None),
    ("GET", "/domain", None),
    ("GET", "/conversations/{sender}/tracker", None),
    (
        "POST",
        "/conversations/{sender}/tracker/events",
        [{"event": "slot", "name": "phone", "value": "x"}],
    ),
    ("POST", "/model/parse", {"text": "电梯坏了"}),
    ("PUT", "/model", {"model_file": "/tmp/evil.tar.gz"}),
]


@pytest.mark.parametrize(("method", "path", "body"), API_ROUTES)
def test_rasa_api_refuses_calls_without_the_token(live_stack: Stack, method, path, body) -> None:
    url = live_stack.rasa_url + path.format(sender="web:1")
    for params in ({}, {"token": "guess"}):
        r = httpx.request(method, url, json=body, params=params, timeout=30)
        assert r.status_code == 401, (method, path, params, r.status_code)


def test_rasa_api_answers_with_the_token(live_stack: Stack) -> None:
    token = {"token": live_stack.rasa_token}
    status = httpx.get(f"{live_stack.rasa_url}/status", params=token, timeout=30)
    assert status.status_code == 200 and status.json()["model_id"]
    parsed = httpx.post(
        f"{live_stack.rasa_url}/model/parse", params=token, json={"text": "电梯坏了"}, timeout=30
    )
    assert parsed.status_code == 200 and parsed.json()["intent"]["name"]


def test_web_chat_through_the_hub_keeps_conversations_apart(live_stack: Stack) -> None:
    """Two browsers: what one says never lands in or reads from the other's conversation."""
    with (
        httpx.Client(base_url=live_stack.hub_url, timeout=90) as alice,
        httpx.Client(base_url=live_stack.hub_url, timeout=90) as bob,
    ):
        first = alice.post("/api/chat", json={"message": "6号楼门口那盏路灯晚上一直不亮"})
        assert first.status_code == 200 and first.json()["delivered"] is True
        alice_text = "\n".join(m["text"] or "" for m in first.json()["messages"])
        assert alice_text  # the assistant answered (asks a detail or reads the report back)

        # bob names alice's conversation in every way a browser could: it is ignored
        forged = bob.post(
            "/api/chat",
            json={"message": "对", "sender": "web:1"},
            cookies={"linli_chat": "web:1"},
        )
        assert forged.status_code == 200
        bob_text = "\n".join(m["text"] or "" for m in forged.json()["messages"])
        assert "路灯" not in bob_text and "6号楼" not in bob_text

        alice_sender = sender_for(alice.cookies["linli_chat"])
        bob_sender = sender_for(bob.cookies["linli_chat"])
    assert alice_sender != bob_sender
    # Rasa kept the two apart: alice's tracker holds only her words
    said = [
        e.get("text")
        for e in live_stack.tracker(alice_sender)["events"]
        if e.get("event") == "user"
    ]
    assert said == ["6号楼门口那盏路灯晚上一直不亮"]  # bob's "对" went elsewhere
    bob_said = [
        e.get("text") for e in live_stack.tracker(bob_sender)["events"] if e.get("event") == "user"
    ]
    assert bob_said == ["对"]
    with live_stack.hub() as hub:  # nothing was confirmed on alice's behalf
        assert hub.get("/api/cases", params={"sender_id": alice_sender}).json() == []


def test_chat_session_ids_are_not_sequential(live_stack: Stack) -> None:
    cookies = set()
    for _ in range(3):
        r = httpx.post(f"{live_stack.hub_url}/api/chat", json={"message": "你好"}, timeout=90)
        assert r.status_code == 200
        cookies.add(r.cookies["linli_chat"])
    assert len(cookies) == 3 and all(len(c) == 43 for c in cookies)
