"""The case API recovers after a PostgreSQL restart (pool pre-ping drops dead connections)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.config import HubSettings
from core.hub import create_app
from harness.pgserver import PgServer, find_bindir, start_server

pytestmark = pytest.mark.postgres
TOKEN = "pg-restart-token"


@pytest.fixture(scope="module")
def pg() -> Iterator[PgServer]:
    """A throwaway PostgreSQL server for the module."""
    if find_bindir() is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    server = start_server()
    yield server
    server.stop()


def restart(pg: PgServer) -> None:
    """Restart the server; fast mode cuts every open connection. (Not immediate mode: the test
    server runs with synchronous_commit=off for speed, so a crash could drop the last commits —
    a property of that tuning, not of the hub.)"""
    pg._run(  # noqa: SLF001 - the helper has no public restart
        str(pg.bindir / "pg_ctl"), "-D", str(pg.datadir), "-m", "fast", "-w", "-t", "60",
        "-l", str(pg.root / "server.log"), "restart",
    )  # fmt: skip


def body(n: int) -> dict:
    """A small valid report."""
    return {"type": "report", "category": "leak", "description": f"楼上漏水 {n}",
            "location": {"building": "2"}, "sender_id": "web:pgrestart",
            "idempotency_key": f"pg-restart-{n}"}  # fmt: skip


def test_case_api_recovers_after_postgres_restart(
    pg: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_EMBEDDER", "hashing")
    monkeypatch.setenv("VOICE_PRELOAD", "false")
    url = pg.create_database("restart")
    app = create_app(HubSettings(data_dir=tmp_path, service_token=TOKEN, cases_database_url=url))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app, headers=headers, raise_server_exceptions=False) as client:
        first = client.post("/api/cases", json=body(1))
        assert first.status_code == 201, first.text
        restart(pg)  # the pooled connection is now dead
        second = client.post("/api/cases", json=body(2))
        assert second.status_code == 201, second.text
        listed = client.get("/api/cases", params={"sender_id": "web:pgrestart", "limit": 50})
        assert listed.status_code == 200
        assert sorted(c["description"] for c in listed.json()) == ["楼上漏水 1", "楼上漏水 2"]
        # a retried submission after the restart is still idempotent
        again = client.post("/api/cases", json=body(1))
        assert (
            again.status_code in (200, 201) and again.json()["case_no"] == first.json()["case_no"]
        )
        assert len(client.get("/api/cases", params={"sender_id": "web:pgrestart"}).json()) == 2


def test_case_api_answers_503_while_postgres_is_down_then_recovers(
    pg: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_EMBEDDER", "hashing")
    monkeypatch.setenv("VOICE_PRELOAD", "false")
    url = pg.create_database("down")
    app = create_app(HubSettings(data_dir=tmp_path, service_token=TOKEN, cases_database_url=url))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    ctl = str(pg.bindir / "pg_ctl")
    with TestClient(app, headers=headers, raise_server_exceptions=False) as client:
        assert client.post("/api/cases", json=body(10)).status_code == 201
        pg._run(ctl, "-D", str(pg.datadir), "-m", "fast", "-w", "stop")  # noqa: SLF001
        try:
            down = client.post("/api/cases", json=body(11))
            assert down.status_code == 503, down.text
            assert any("\u4e00" <= ch <= "\u9fff" for ch in down.json()["detail"])
        finally:
            restart(pg)  # pg_ctl restart starts a stopped server with its previous options
        up = client.post("/api/cases", json=body(11))
        assert up.status_code == 201, up.text
