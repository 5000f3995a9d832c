"""An in-process hub (temp data dir, hashing embedder) for the bad-input and fuzz tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.config import HubSettings
from core.hub import create_app

TOKEN = "badinput-token"


@pytest.fixture(scope="module")
def hub_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The real hub app with every part, on a fresh data dir (lifespan run by the client)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("KB_EMBEDDER", "hashing")
    mp.setenv("VOICE_PRELOAD", "false")
    data_dir: Path = tmp_path_factory.mktemp("hub-badinput")
    app = create_app(HubSettings(data_dir=data_dir, service_token=TOKEN))
    try:
        yield app
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def hub_client(hub_app: FastAPI) -> Iterator[TestClient]:
    """A client with the service token, lifespan started."""
    with TestClient(
        hub_app, headers={"Authorization": f"Bearer {TOKEN}"}, raise_server_exceptions=False
    ) as client:
        yield client
