"""The consult action against the real knowledge-base API (hashing embedder, in-process hub)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.consult import ASK_WHAT, NOT_SURE, AnswerQuestion
from core.config import ActionsSettings
from knowledge.client import KnowledgeClient
from tests.unit.knowledge.conftest import AUTH, TOKEN

STAFF = {**AUTH, "X-Staff-Name": "test"}


@pytest.fixture
def hub(kb_app: FastAPI, tmp_path: Path) -> Iterator[TestClient]:
    """The started hub app; the action server's knowledge client talks to it in-process."""
    with TestClient(kb_app) as client:
        runtime.configure(ActionsSettings(data_dir=tmp_path, service_token=TOKEN))
        runtime.set_clients(
            knowledge=KnowledgeClient(
                "http://hub", TOKEN, transport=httpx.ASGITransport(app=kb_app)
            )
        )
        yield client
        runtime.configure(ActionsSettings(data_dir=tmp_path, service_token=TOKEN))  # drop it


def _tracker(text: str) -> Tracker:
    return Tracker(
        sender_id="web:kb-test",
        slots={},
        latest_message={"text": text, "intent": {"name": "consult", "confidence": 0.9}},
        events=[{"event": "user", "timestamp": 1700000000.0, "text": text}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def _run(text: str) -> list[dict]:
    d = CollectingDispatcher()
    await AnswerQuestion().run(d, _tracker(text), {})
    return d.messages


async def test_unsure_answer_offers_the_closest_three_and_a_person(hub: TestClient) -> None:
    messages = await _run("帮我订一张去北京的火车票")
    assert len(messages) == 1
    assert messages[0]["text"].startswith(NOT_SURE)
    buttons = messages[0]["buttons"]
    assert len(buttons) == 4 and buttons[-1]["title"] == "转人工"
    suggested = hub.post(
        "/api/kb/ask", json={"question": "帮我订一张去北京的火车票"}, headers=AUTH
    ).json()["suggestions"]
    assert [b["title"] for b in buttons[:3]] == [s["question"] for s in suggested]
    assert all(b["payload"] == b["title"] for b in buttons[:3])
    queue = hub.get("/api/kb/unanswered", headers=STAFF).json()
    assert queue[0]["question"] == "帮我订一张去北京的火车票" and queue[0]["last_channel"] == "rest"


async def test_a_suggestion_button_pressed_gets_the_answer(hub: TestClient) -> None:
    first = await _run("帮我订一张去北京的火车票")
    payload = first[0]["buttons"][0]["payload"]
    second = await _run(payload)
    assert "buttons" not in second[0] or not second[0]["buttons"]
    faq = hub.get("/api/kb/search", params={"q": payload}).json()["hits"][0]
    assert second[0]["text"] == faq["answer"]


@pytest.mark.parametrize("text", ["我想问问", "我想咨询一下", "请问"])
async def test_asking_to_ask_is_met_with_what_would_you_like_to_know(
    hub: TestClient, text: str
) -> None:
    messages = await _run(text)
    assert [m["text"] for m in messages] == [ASK_WHAT]
    assert hub.get("/api/kb/unanswered", headers=STAFF).json() == []


async def test_a_confident_answer_says_which_question_it_answers(hub: TestClient) -> None:
    asked = "居委会什么时候上班"  # an alternative phrasing of the opening-hours FAQ
    ask = hub.post("/api/kb/ask", json={"question": asked}, headers=AUTH).json()
    assert ask["confident"], ask
    faq = ask["answer"]
    assert faq["question"] != asked
    messages = await _run(asked)
    assert len(messages) == 1
    text = messages[0]["text"]
    assert text.startswith(f"关于“{faq['question'].rstrip('？')}”：")
    assert text.endswith(faq["answer"])


@pytest.mark.parametrize(
    "typed", ["社区服务中心几点开门、几点下班？", "社区服务中心几点开门，几点下班"]
)
async def test_the_question_itself_gets_the_answer_alone(hub: TestClient, typed: str) -> None:
    messages = await _run(typed)
    faq = hub.get("/api/kb/search", params={"q": typed}).json()["hits"][0]
    assert faq["question"] == "社区服务中心几点开门、几点下班？"
    assert [m["text"] for m in messages] == [faq["answer"]]
