"""Conversation retention, export and deletion on a PostgreSQL tracker store, as in the compose
deployment: the hub's case tables and Rasa's ``events`` table share one database.

The ``events`` table and its rows are written by Rasa itself: our ``MaskingSQLTrackerStore``
(nlu/addons, a subclass of Rasa 3.6's ``SQLTrackerStore`` with ``dialect="postgresql"``,
psycopg2) run from the Rasa environment saves the conversations, so the hub reads the schema
and the masked text exactly as Rasa stores them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

import core.hub
from cases.api import sweep_once
from cases.clock import ManualClock
from cases.db import session_scope
from conversations.tracker import purge_idle_conversations, tracker_conversation
from core.config import HubSettings
from core.hub import create_app
from harness.pgserver import PgServer

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
TOKEN = "pg-tracker-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PHONE = "13812345678"

WRITER = """
import asyncio, sys
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet,
                                     UserUttered)
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from addons.masking_tracker_store import MaskingSQLTrackerStore

port, db, now = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
store = MaskingSQLTrackerStore(dialect="postgresql", host="127.0.0.1", port=port, db=db,
                               username="linli")
for sender, hours_ago in (("tg:old", 30), ("tg:idle", 100), ("tg:new", 1)):
    at = now - hours_ago * 3600
    tracker = DialogueStateTracker(sender, [TextSlot("contact_phone", mappings=[])])
    for event in (
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("楼道灯坏了，我电话13812345678", intent={"name": "report", "confidence": 1.0},
                    timestamp=at + 1),
        SlotSet("contact_phone", "13812345678", timestamp=at + 2),
        BotUttered("好的，您的电话是13812345678吗？", timestamp=at + 3),
    ):
        tracker.update(event)
    asyncio.run(store.save(tracker))
"""


def write_with_rasa(pg: PgServer, database: str, now: float) -> None:
    """Save three conversations through Rasa's own (masking) SQL tracker store."""
    if not RASA_PYTHON.exists():
        pytest.skip("the Rasa environment (.venv-rasa) is not installed")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "nlu"), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", WRITER, str(pg.port), database, str(now)],
        env=env, cwd=ROOT / "nlu", capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]


def senders(url: str) -> dict[str, int]:
    """Events stored per sender."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT sender_id, count(*) FROM events GROUP BY sender_id"))
            return {sender: count for sender, count in rows}
    finally:
        engine.dispose()


@pytest.fixture
def hub(pg: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """The hub with its cases and Rasa's tracker store in one PostgreSQL database."""
    url = pg.create_database("linli")
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "knowledge.api"))
    monkeypatch.setenv("KB_EMBEDDER", "hashing")
    monkeypatch.delenv("LINLI_RASA_TRACKER_DB", raising=False)
    # as in docker-compose.yml, minus the driver (plain postgresql:// must work too)
    monkeypatch.setenv("LINLI_RASA_TRACKER_URL", url.replace("+psycopg", ""))
    app = create_app(HubSettings(data_dir=tmp_path, service_token=TOKEN, cases_database_url=url))
    app.state.cases.clock = ManualClock()
    app.state.cases.settings.sweep_interval_s = 0
    app.state.url = url
    yield app
    pg.drop_database("linli")


def admin(app: FastAPI) -> tuple[TestClient, str]:
    """An admin logged in through the staff console: (browser, CSRF token)."""
    from cases import auth

    with session_scope(app.state.cases.sessions) as session:
        auth.create_user(session=session, username="boss", password="boss-password-long",
                         role=auth.Role.ADMIN, now=app.state.cases.clock.now())  # fmt: skip
    browser = TestClient(app)
    form = {"username": "boss", "password": "boss-password-long"}
    login = browser.post("/staff/login", data=form, follow_redirects=False)
    assert login.status_code == 303, login.text
    match = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/staff/").text)
    assert match
    return browser, match.group(1)


def test_retention_export_and_deletion_on_rasas_postgresql_store(
    hub: FastAPI, pg: PgServer
) -> None:
    url: str = hub.state.url
    clock: ManualClock = hub.state.cases.clock
    with TestClient(hub) as api:
        # Rasa has not started yet: no events table is "no conversations", not an error
        purge = api.post("/api/cases-admin/purge", headers=AUTH)
        assert purge.status_code == 200 and purge.json()["conversation_events_deleted"] == 0

        write_with_rasa(pg, "linli", clock.now().timestamp())
        stored = senders(url)
        assert set(stored) == {"tg:old", "tg:idle", "tg:new"}
        report = {
            "type": "report",
            "category": "corridor_light",
            "description": "5号楼楼道灯不亮",
            "location": {"building": "5"},
            "contact_phone": PHONE,
            "sender_id": "tg:old",
        }
        case_no = api.post("/api/cases", json=report, headers=AUTH).json()["case_no"]
        browser, csrf = admin(hub)

        # export: the case, and the conversation as Rasa stored it (numbers masked)
        got = browser.get("/staff/api/residents/export", params={"sender_id": "tg:old"})
        assert got.status_code == 200, got.text
        data = got.json()
        assert [c["case_no"] for c in data["cases"]] == [case_no]
        said = [(m["type"], m["text"]) for m in data["conversations"]["tg:old"]]
        assert said == [("user", "楼道灯坏了，我电话138****5678"),
                        ("bot", "好的，您的电话是138****5678吗？")]  # fmt: skip
        assert PHONE not in json.dumps(data["conversations"], ensure_ascii=False)

        # deletion on request: this sender's events only, and the case anonymised
        done = browser.post("/staff/api/residents/delete", json={"sender_id": "tg:old"},
                            headers={"X-CSRF-Token": csrf})  # fmt: skip
        assert done.status_code == 200, done.text
        assert done.json()["cases"] == [case_no]
        assert done.json()["tracker_events_deleted"] == stored["tg:old"]
        assert senders(url) == {"tg:idle": stored["tg:idle"], "tg:new": stored["tg:new"]}

        # idle retention (72 h): the conversation quiet for 100 h goes, the recent one stays
        purge = api.post("/api/cases-admin/purge", headers=AUTH).json()
        assert purge["conversation_events_deleted"] == stored["tg:idle"]
        assert senders(url) == {"tg:new": stored["tg:new"]}
        clock.advance(hours=72)
        sweep_once(hub.state.cases)
        assert senders(url) == {}


def test_functions_on_a_database_without_rasas_table(pg: PgServer) -> None:
    url = pg.create_database("no_rasa_yet")
    try:
        assert tracker_conversation(url, "tg:1") == []
        assert purge_idle_conversations(url, now=ManualClock().now(), idle_hours=1) == 0
    finally:
        pg.drop_database("no_rasa_yet")
    assert tracker_conversation(pg.url("gone"), "tg:1") is None  # unreachable database: logged
