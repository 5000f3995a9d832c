"""Fixtures of the privacy tests: the real hub (case system + knowledge base on the hashing
embedder, SQLite in a temp dir) with a manual clock, and staff logins through the console."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import core.hub
from cases.clock import ManualClock
from core.config import HubSettings
from core.hub import create_app

TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def clock() -> ManualClock:
    """A controllable clock."""
    return ManualClock()


@pytest.fixture
def hub(tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """The hub with the case and knowledge parts (no kiosk: it loads speech models)."""
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "knowledge.api"))
    monkeypatch.setenv("KB_EMBEDDER", "hashing")
    for name in ("LINLI_RASA_TRACKER_DB", "CASES_RASA_TRACKER_DB", "LINLI_RASA_TRACKER_URL",
                 "CASES_RASA_TRACKER_URL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    app = create_app(HubSettings(data_dir=tmp_path / "data", service_token=TOKEN))
    app.state.cases.clock = clock
    app.state.cases.settings.sweep_interval_s = 0
    return app


@pytest.fixture
def api(hub: FastAPI) -> Iterator[TestClient]:
    """The started hub (migrated, seeded, index built)."""
    with TestClient(hub) as client:
        yield client


@dataclass
class Browser:
    """A logged-in staff member's browser."""

    client: TestClient
    csrf: str


@pytest.fixture
def login(hub: FastAPI, api: TestClient, clock: ManualClock) -> Callable[..., Browser]:
    """Create a staff account (as the CLI does) and log it in through the console."""
    from cases import auth
    from cases.db import session_scope

    def do(username: str, role: str, grids: list[str] | None = None) -> Browser:
        password = f"pw-{username}-long-enough"
        with session_scope(hub.state.cases.sessions) as session:
            auth.create_user(
                session=session, username=username, password=password, role=auth.Role(role),
                now=clock.now(), grid_codes=grids or (["G1"] if role == "grid_worker" else []),
            )  # fmt: skip
        client = TestClient(hub)
        response = client.post(
            "/staff/login", data={"username": username, "password": password},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, response.text
        page = client.get("/staff/")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, page.text[:300]
        return Browser(client=client, csrf=match.group(1))

    return do


def report(api: TestClient, **fields: object) -> dict:
    """Create a case through the real internal endpoint."""
    body: dict[str, object] = {
        "type": "report",
        "category": "corridor_light",
        "description": "5号楼楼道灯不亮，我电话13812345678",
        "location": {"building": "5", "unit": "2", "room": "301"},
        "contact_phone": "13812345678",
        "sender_id": "tg:4242",
    }
    body.update(fields)
    response = api.post("/api/cases", json=body, headers=AUTH)
    assert response.status_code in (200, 201), response.text
    return response.json()
