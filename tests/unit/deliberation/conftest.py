"""Fixtures of the deliberation tests: the hub (case system + deliberation) on SQLite, and on a
real PostgreSQL server where both parts share one database (own version tables)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import core.hub
from cases.clock import ManualClock
from core.config import HubSettings
from core.hub import create_app
from harness.pgserver import PgServer, find_bindir, start_server

TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
_names = itertools.count(1)


@pytest.fixture(scope="session")
def delib_pg() -> Iterator[PgServer]:
    """A real PostgreSQL server for this test run (Debian's postgresql binaries)."""
    if find_bindir() is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(case database URL, deliberation database URL): two SQLite files, or one PG database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}", f"sqlite:///{tmp_path / 'deliberation.db'}"
        return
    server: PgServer = request.getfixturevalue("delib_pg")
    url = server.create_database(f"delib_test_{next(_names)}")
    yield url, url
    server.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def clock() -> ManualClock:
    """Saturday 2026-11-21 10:00 China time."""
    return ManualClock()


@pytest.fixture
def hub(
    tmp_path: Path, db_urls: tuple[str, str], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> FastAPI:
    """The hub with the case system and the deliberation part (not started)."""
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "deliberation.api"))
    monkeypatch.setenv("DELIB_DATABASE_URL", db_urls[1])
    app = create_app(
        HubSettings(data_dir=tmp_path, service_token=TOKEN, cases_database_url=db_urls[0])
    )
    app.state.cases.clock = clock
    app.state.cases.settings.sweep_interval_s = 0
    app.state.deliberation.clock = clock
    app.state.deliberation.settings.sweep_interval_s = 0
    return app


@pytest.fixture
def api(hub: FastAPI) -> Iterator[TestClient]:
    """The started hub (migrated, demo community and household register seeded)."""
    with TestClient(hub) as client:
        hub.state.deliberation.case_client = _asgi_case_client(hub)
        yield client


def _asgi_case_client(hub: FastAPI):  # noqa: ANN202
    from cases.client import CaseClient

    return CaseClient("http://hub", TOKEN, transport=httpx.ASGITransport(app=hub))


@dataclass
class Staff:
    """A logged-in staff member: JSON API with the CSRF header, console forms with the field."""

    client: TestClient
    csrf: str

    def post(self, url: str, **body: object) -> httpx.Response:
        return self.client.post(url, json=body, headers={"X-CSRF-Token": self.csrf})

    def form(self, url: str, **data: object) -> httpx.Response:
        return self.client.post(url, data={"csrf_token": self.csrf, **data}, follow_redirects=True)


@pytest.fixture
def login(hub: FastAPI, api: TestClient):  # noqa: ANN201
    """Create a staff account (as the CLI does) and log it in on a fresh client."""
    from cases import auth
    from cases.db import session_scope

    def do(username: str, role: str, grids: list[str] | None = None) -> Staff:
        password = f"pw-{username}-long-enough"
        with session_scope(hub.state.cases.sessions) as session:
            auth.create_user(
                session=session,
                username=username,
                password=password,
                role=auth.Role(role),
                now=hub.state.cases.clock.now(),
                grid_codes=grids or [],
                display_name="王老师",
            )
        client = TestClient(hub)
        r = client.post(
            "/staff/login",
            data={"username": username, "password": password},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        page = client.get("/staff/yishi/")
        assert page.status_code == 200, page.text[:300]
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, page.text[:500]
        return Staff(client=client, csrf=match.group(1))

    return do


def demo_tail(building: str, unit: str, room: str) -> str:
    """The demo register's phone tail of a household."""
    from deliberation.households import demo_phone_tail

    return demo_phone_tail(building, unit, room)


def ballot(building: str, unit: str, room: str, option: str, **extra: object) -> dict:
    """A vote body with the right phone digits of the demo register."""
    body = {
        "building": building,
        "unit": unit,
        "room": room,
        "option": option,
        "phone_last4": demo_tail(building, unit, room),
        "channel": "telegram",
        "resident_key": f"tg:{building}{unit}{room}",
    }
    body.update(extra)
    return body
