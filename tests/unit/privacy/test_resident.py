"""A resident's data: export and deletion on request (admin API and CLI), audited."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cases.db import session_scope
from cases.models import Case, CaseEvent
from cases.privacy import PURGED
from conversations.tracker import delete_tracker_conversation, tracker_conversation
from tests.unit.privacy.conftest import AUTH, report


def make_tracker(path: Path, rows: list[tuple[str, str, str | None]]) -> None:
    """A tracker store with the columns Rasa's SQLTrackerStore writes (checked against the
    real Rasa server in test_tracker_live.py)."""
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT)"
        )
        for sender, kind, text in rows:
            conn.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, 1.0, ?)",
                (sender, kind, json.dumps({"event": kind, "text": text})),
            )


def _data(hub: FastAPI) -> Path:
    return hub.state.settings.data_dir


def test_export_and_delete_need_an_admin(api: TestClient, login) -> None:
    report(api)
    assert (
        api.get("/staff/api/residents/export", params={"phone": "13812345678"}).status_code == 401
    )
    for role in ("staff", "grid_worker"):
        member = login(f"u-{role}", role)
        got = member.client.get("/staff/api/residents/export", params={"phone": "13812345678"})
        assert got.status_code == 403
        deleted = member.client.post("/staff/api/residents/delete", json={"phone": "13812345678"},
                                     headers={"X-CSRF-Token": member.csrf})  # fmt: skip
        assert deleted.status_code == 403
    # the service token is not a staff login
    assert (
        api.get("/staff/api/residents/export", params={"phone": "1"}, headers=AUTH).status_code
        == 401
    )


def test_admin_exports_all_cases_of_a_resident(api: TestClient, hub: FastAPI, login) -> None:
    first = report(api)["case_no"]
    second = report(api, sender_id="kiosk:abc", category="drain", description="下水道堵了")[
        "case_no"
    ]
    third = report(api, contact_phone="13900001111", description="别人的事")[
        "case_no"
    ]  # same tg sender
    other = report(api, contact_phone="13700002222", sender_id="tg:9", description="不相关")[
        "case_no"
    ]
    make_tracker(_data(hub) / "rasa_tracker.db", [
        ("tg:4242", "user", "楼道灯坏了"), ("tg:4242", "bot", "好的"), ("tg:9", "user", "别人的话"),
    ])  # fmt: skip
    boss = login("boss", "admin")
    by_phone = boss.client.get("/staff/api/residents/export", params={"phone": "138-1234-5678"})
    assert by_phone.status_code == 200
    data = by_phone.json()
    assert [c["case_no"] for c in data["cases"]] == [first, second]
    assert data["cases"][0]["contact_phone"] == "13812345678"
    assert data["cases"][0]["history"] and data["cases"][0]["location"]["room"] == "301"
    assert data["conversations"]["tg:4242"] == [
        {"type": "user", "timestamp": 1.0, "text": "楼道灯坏了"},
        {"type": "bot", "timestamp": 1.0, "text": "好的"},
    ]
    assert "tg:9" not in data["conversations"]
    by_sender = boss.client.get(
        "/staff/api/residents/export", params={"sender_id": "tg:4242"}
    ).json()
    assert [c["case_no"] for c in by_sender["cases"]] == [first, third]
    assert other not in json.dumps(by_sender)
    assert boss.client.get("/staff/api/residents/export").status_code == 422
    with session_scope(hub.state.cases.sessions) as session:
        audit = session.scalars(select(CaseEvent).where(CaseEvent.kind == "privacy")).all()
        assert {e.actor for e in audit} == {"boss"} and all(e.internal for e in audit)
        assert len(audit) == 4  # two exports, two cases each


def test_admin_deletes_a_resident(api: TestClient, hub: FastAPI, login) -> None:
    mine = report(api)["case_no"]
    other = report(api, contact_phone="13700002222", sender_id="tg:9")["case_no"]
    tracker = _data(hub) / "rasa_tracker.db"
    make_tracker(tracker, [("tg:4242", "user", "楼道灯坏了"), ("tg:9", "user", "别人的话")])
    boss = login("boss", "admin")
    body = {"phone": "13812345678"}
    assert boss.client.post("/staff/api/residents/delete", json=body).status_code == 403  # no CSRF
    done = boss.client.post("/staff/api/residents/delete", json=body,
                            headers={"X-CSRF-Token": boss.csrf})  # fmt: skip
    assert done.status_code == 200
    assert done.json() == {
        "cases": [mine],
        "tracker_events_deleted": 1,
        "pending_deleted": None,
        "other_parts": {},  # no other hub part in this test hub
    }
    assert tracker_conversation(tracker, "tg:4242") == []
    assert tracker_conversation(tracker, "tg:9") == [
        {"type": "user", "timestamp": 1.0, "text": "别人的话"}
    ]
    public = api.get(f"/api/cases/{mine}", headers=AUTH).json()
    assert public["description"] == PURGED
    assert api.get(f"/api/cases/{other}", headers=AUTH).json()["description"] != PURGED
    assert boss.client.get("/staff/api/residents/export", params=body).json()["cases"] == []
    with session_scope(hub.state.cases.sessions) as session:
        case = session.scalar(select(Case).where(Case.case_no == mine))
        assert (
            case.contact_phone is None
            and case.sender_id is None
            and case.category == "corridor_light"
        )
        audit = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "privacy")
        ).all()
        assert [(e.actor, e.text) for e in audit] == [("boss", "个人信息已清除（应居民要求删除）")]


def test_tracker_helpers_without_a_store(tmp_path: Path) -> None:
    assert tracker_conversation(tmp_path / "missing.db", "tg:1") is None
    assert delete_tracker_conversation(tmp_path / "missing.db", "tg:1") is None
    assert delete_tracker_conversation(None, "tg:1") is None


def test_cli_export_and_delete(
    api: TestClient,
    hub: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cases.__main__ import main

    no = report(api)["case_no"]
    make_tracker(_data(hub) / "rasa_tracker.db", [("tg:4242", "user", "楼道灯坏了")])
    monkeypatch.setenv("LINLI_DATA_DIR", str(_data(hub)))
    monkeypatch.setenv("LINLI_SERVICE_TOKEN", "x")
    assert main(["export-resident", "--phone", "13812345678", "--operator", "zhang"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [c["case_no"] for c in exported["cases"]] == [no]
    assert exported["conversations"]["tg:4242"][0]["text"] == "楼道灯坏了"
    assert main(["delete-resident", "--sender-id", "tg:4242", "--operator", "zhang"]) == 0
    assert "已清除 1 件" in capsys.readouterr().out
    assert main(["export-resident", "--phone", "13812345678"]) == 0
    assert json.loads(capsys.readouterr().out)["cases"] == []
    assert main(["export-resident"]) == 2
    with session_scope(hub.state.cases.sessions) as session:
        actors = session.scalars(select(CaseEvent.actor).where(CaseEvent.kind == "privacy")).all()
        assert sorted(actors) == ["cli:zhang", "cli:zhang"]
