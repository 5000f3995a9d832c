"""Questions declined as out of scope reach the staff's 待回答 queue (issue 14 item 9), both
from the rule after ``utter_out_of_scope`` and while a form waits; against the real knowledge
API (hashing embedder, in-process hub)."""

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
from actions.forms import ValidateReportForm
from actions.out_of_scope import LogOutOfScope
from core.config import ActionsSettings
from knowledge.client import KnowledgeClient
from tests.unit.knowledge.conftest import AUTH, TOKEN

STAFF = {**AUTH, "X-Staff-Name": "test"}
QUESTION = "帮我查一下明天去北京的高铁票"


@pytest.fixture
def hub(kb_app: FastAPI, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(kb_app) as client:
        runtime.configure(ActionsSettings(data_dir=tmp_path, service_token=TOKEN))
        runtime.set_clients(
            knowledge=KnowledgeClient(
                "http://hub", TOKEN, transport=httpx.ASGITransport(app=kb_app)
            )
        )
        yield client
        runtime.configure(ActionsSettings(data_dir=tmp_path, service_token=TOKEN))


def _tracker(text: str, *, form: str | None = None, requested: str | None = None) -> Tracker:
    return Tracker(
        sender_id="tg:77", slots={"requested_slot": requested},
        latest_message={"text": text, "intent": {"name": "out_of_scope", "confidence": 0.9}},
        events=[{"event": "user", "timestamp": 1700000000.0, "text": text}], paused=False,
        followup_action=None, active_loop={"name": form} if form else {},
        latest_action_name="action_listen",
    )  # fmt: skip


def _queued(hub: TestClient) -> list[dict]:
    return hub.get("/api/kb/unanswered", headers=STAFF).json()


async def test_rule_action_logs_the_declined_question(hub: TestClient) -> None:
    assert _queued(hub) == []
    dispatcher = CollectingDispatcher()
    assert await LogOutOfScope().run(dispatcher, _tracker(QUESTION), {}) == []
    assert dispatcher.messages == []  # utter_out_of_scope already answered
    queued = _queued(hub)
    assert [q["question"] for q in queued] == [QUESTION]
    assert queued[0]["last_channel"] == "telegram"


async def test_out_of_scope_inside_a_form_is_logged_too(hub: TestClient) -> None:
    events = await ValidateReportForm().run(
        CollectingDispatcher(), _tracker(QUESTION, form="report_form", requested="location"), {}
    )
    assert events == []  # the form waits, the rule answers, nothing is filled
    assert [q["question"] for q in _queued(hub)] == [QUESTION]


async def test_a_grunt_is_not_queued(hub: TestClient) -> None:
    await LogOutOfScope().run(CollectingDispatcher(), _tracker("嗯"), {})
    assert _queued(hub) == []
