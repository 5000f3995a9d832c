"""Fixtures of the case-system tests: a hub app per test on SQLite, and on PostgreSQL too.

Every test that uses ``hub`` / ``api`` runs twice: on SQLite in a temp dir and on a real
PostgreSQL server this test run starts (marked ``postgres``; skipped with a reason only when
the PostgreSQL binaries are not installed).
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

import core.hub
from cases.clock import ManualClock
from core.config import HubSettings
from core.hub import create_app
from harness.pgserver import PgServer, find_bindir, start_server

TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

_db_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for the whole test run."""
    if find_bindir() is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """A migrated template database; each test clones it (fast)."""
    from cases.db import make_engine
    from cases.migrate import upgrade_to_head

    url = pg_server.create_database("linli_template")
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    return "linli_template"


def _clone_pg(server: PgServer, template: str) -> str:
    import psycopg

    name = f"linli_test_{next(_db_counter)}"
    with psycopg.connect(
        f"host=127.0.0.1 port={server.port} user={server.user} dbname=postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return server.url(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The case database URL: SQLite in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
        return
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    url = _clone_pg(server, template)
    yield url
    server.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def clock() -> ManualClock:
    """A controllable clock, starting Saturday 2026-11-21 10:00 China time."""
    return ManualClock()


@pytest.fixture
def hub_settings(tmp_path: Path, db_url: str) -> HubSettings:
    """Hub settings with a service token and the test database."""
    return HubSettings(data_dir=tmp_path, service_token=TOKEN, cases_database_url=db_url)


@pytest.fixture
def sqlite_hub(tmp_path: Path, clock: ManualClock) -> FastAPI:
    """A hub on SQLite only (for tests that are not about the database)."""
    app = create_app(HubSettings(data_dir=tmp_path, service_token=TOKEN))
    app.state.cases.clock = clock
    app.state.cases.settings.sweep_interval_s = 0
    return app


@pytest.fixture(autouse=True)
def only_cases_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compose the hub with the case part only (the voice and knowledge parts load models)."""
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api",))


@pytest.fixture
def hub(hub_settings: HubSettings, clock: ManualClock) -> FastAPI:
    """The real hub app with the manual clock (not started yet)."""
    app = create_app(hub_settings)
    app.state.cases.clock = clock
    app.state.cases.settings.sweep_interval_s = 0
    app.state.cases.settings.seed_demo_community = True
    return app


@pytest.fixture
def api(hub: FastAPI) -> Iterator[TestClient]:
    """A started hub (migrated + seeded) behind FastAPI's TestClient."""
    with TestClient(hub) as client:
        yield client


@dataclass
class Reporter:
    """Helper that creates cases through the real endpoint."""

    api: TestClient

    def report(self, **fields: object) -> dict:
        body = {"type": "report", "category": "corridor_light", "description": "楼道灯不亮"}
        body.update(fields)
        response = self.api.post("/api/cases", json=body, headers=AUTH)
        assert response.status_code in (200, 201), response.text
        return response.json()


@pytest.fixture
def reporter(api: TestClient) -> Reporter:
    """Creates cases through ``POST /api/cases``."""
    return Reporter(api)


@dataclass
class StaffBrowser:
    """A logged-in staff member driving the console through the TestClient."""

    api: TestClient
    csrf: str

    def post(self, url: str, **data: object) -> object:
        return self.api.post(url, data={"csrf_token": self.csrf, **data}, follow_redirects=False)


@pytest.fixture
def make_user(hub: FastAPI, api: TestClient, clock: ManualClock):  # noqa: ANN201
    """Create a staff account directly (as the CLI does)."""
    from cases import auth
    from cases.db import session_scope

    def make(username: str, role: str, grids: list[str] | None = None) -> str:
        password = f"pw-{username}-long-enough"
        with session_scope(hub.state.cases.sessions) as session:
            auth.create_user(
                session=session, username=username, password=password,
                role=auth.Role(role), now=clock.now(), grid_codes=grids or [],
            )  # fmt: skip
        return password

    return make


@pytest.fixture
def login(hub: FastAPI, make_user):  # noqa: ANN201
    """Log a new staff member in on a fresh TestClient of the same (started) app."""
    import re

    def do(username: str, role: str, grids: list[str] | None = None) -> StaffBrowser:
        password = make_user(username, role, grids)
        client = TestClient(hub)
        response = client.post(
            "/staff/login", data={"username": username, "password": password},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, response.text
        page = client.get("/staff/")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, page.text[:500]
        return StaffBrowser(api=client, csrf=match.group(1))

    return do


@pytest.fixture
def db(hub: FastAPI, api: TestClient):  # noqa: ANN201
    """A session factory context on the started app's database."""
    from cases.db import session_scope

    return lambda: session_scope(hub.state.cases.sessions)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run an app under a real uvicorn server in a thread; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn exited during startup"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def hub_url(hub: FastAPI) -> Iterator[str]:
    """The hub running under a real uvicorn server in a thread."""
    with serve(hub) as url:
        yield url


@pytest.fixture
def serve_app():  # noqa: ANN201
    """The ``serve(app)`` context manager, for tests that build their own app."""
    return serve
