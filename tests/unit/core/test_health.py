"""``/healthz`` tells the truth: 200 only when every hub part is ready, 503 with the reason when
a part's database is gone (the real hub's 200 is checked by the e2e kiosk tests and the stack)."""

from __future__ import annotations

import asyncio
import types
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

import core.hub
from core.config import HubSettings
from core.health import database_problem


def test_a_database_that_answers_is_ready(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'ok.db'}")
    assert asyncio.run(database_problem(engine)) is None


def test_a_database_that_is_gone_is_not_ready(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    problem = asyncio.run(database_problem(engine))
    assert problem and "database" in problem


def _part(name: str, problem: str | None) -> types.ModuleType:
    module = types.ModuleType(name)

    def register(app, settings) -> None:  # noqa: ANN001
        return None

    async def health(app) -> str | None:  # noqa: ANN001
        return problem

    module.register = register
    module.health = health
    return module


@pytest.mark.parametrize(
    ("problems", "status"),
    [((None, None), 200), ((None, "database unavailable (OperationalError)"), 503)],
)
def test_healthz_reports_every_part(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, problems: tuple, status: int
) -> None:
    parts = [_part("cases.api", problems[0]), _part("deliberation.api", problems[1])]
    monkeypatch.setattr(core.hub, "_load_parts", lambda: parts)
    app = core.hub.create_app(HubSettings(data_dir=tmp_path))
    with TestClient(app) as client:
        r = client.get("/healthz")
    assert r.status_code == status
    body = r.json()
    assert body["parts"] == ["cases.api", "deliberation.api"]
    if status == 503:
        assert body["status"] == "unavailable"
        assert body["problems"] == {"deliberation.api": problems[1]}
    else:
        assert body == {"status": "ok", "parts": body["parts"], "problems": {}}
