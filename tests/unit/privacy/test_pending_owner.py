"""The action server's queue in a resident's export and deletion: an owner of the actions package
(``actions/resident_data.py``) that the hub registers (``core/hub.py``, ``OWNERS``); the case
system reaches it only through ``core/resident_data.py`` and reports it where it always did
(``pending_submissions``, ``pending_deleted``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from actions.pending import PendingSubmissions, queue_path
from actions.resident_data import PendingSubmissionsData
from core.contracts import CaseCreate
from core.resident_data import PENDING_SUBMISSIONS, registered


def _case(key: str, phone: str | None, sender: str | None) -> CaseCreate:
    return CaseCreate(
        type="report", category="elevator", description="电梯坏了", idempotency_key=key,
        contact_phone=phone, sender_id=sender, channel="web",
    )  # fmt: skip


async def _queue(hub: FastAPI) -> PendingSubmissions:
    queue = PendingSubmissions(queue_path(hub.state.settings.data_dir))
    await queue.add(_case("mine", "13812345678", "web:a"))
    await queue.add(_case("theirs", "13900001111", "web:b"))
    return queue


def test_the_hub_registers_the_queue(hub: FastAPI) -> None:
    owners = [o for o in registered(hub.state) if o.name == PENDING_SUBMISSIONS]
    assert len(owners) == 1 and isinstance(owners[0], PendingSubmissionsData)
    assert owners[0].path == queue_path(hub.state.settings.data_dir)


async def test_export_and_delete_cover_waiting_submissions(
    api: TestClient, hub: FastAPI, login
) -> None:
    queue = await _queue(hub)
    boss = login("boss", "admin")
    data = boss.client.get("/staff/api/residents/export", params={"phone": "13812345678"}).json()
    assert [s["idempotency_key"] for s in data["pending_submissions"]] == ["mine"]
    done = boss.client.post("/staff/api/residents/delete", json={"phone": "13812345678"},
                            headers={"X-CSRF-Token": boss.csrf})  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["pending_deleted"] == 1 and done.json()["other_parts"] == {}
    assert [c.idempotency_key for c in await queue.all()] == ["theirs"]


async def test_cli_deletes_waiting_submissions(
    api: TestClient,
    hub: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cases.__main__ import main

    queue = await _queue(hub)
    monkeypatch.setenv("LINLI_DATA_DIR", str(hub.state.settings.data_dir))
    monkeypatch.setenv("LINLI_SERVICE_TOKEN", "x")
    assert main(["export-resident", "--sender-id", "web:a", "--operator", "zhang"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [s["idempotency_key"] for s in exported["pending_submissions"]] == ["mine"]
    assert PENDING_SUBMISSIONS not in {k for k, v in exported.items() if isinstance(v, dict)}
    assert main(["delete-resident", "--sender-id", "web:a", "--operator", "zhang"]) == 0
    out = capsys.readouterr().out
    assert "删除待提交的事项 1 件" in out and "待提交的事项：" not in out
    assert [c.idempotency_key for c in await queue.all()] == ["theirs"]


def test_no_queue_file_is_nothing_to_delete(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from core.resident_data import Resident

    owner = PendingSubmissionsData(queue_path(tmp_path))
    resident = Resident(("web:a",), "13812345678", "zhang")
    assert owner.export(resident) == {"submissions": []}
    assert owner.delete(resident, datetime.now(UTC)) == {}
    assert owner.describe({"submissions_deleted": 2}) == "删除待提交的事项 2 件"
