"""Operator CLI (``python -m cases``): staff accounts and Open311 keys, no defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from core.config import HubSettings
from core.hub import create_app

ROOT = Path(__file__).resolve().parents[3]


def _cli(
    settings: HubSettings, *args: str, password: str | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "CASES_"))}
    env.update(LINLI_DATA_DIR=str(settings.data_dir),
               LINLI_CASES_DATABASE_URL=settings.resolved_cases_url())  # fmt: skip
    if password is not None:
        env["CASES_NEW_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "cases", *args], env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_create_user_and_api_key_then_use_them(hub_settings: HubSettings) -> None:
    made = _cli(hub_settings, "create-user", "--role", "grid_worker", "--username", "wang",
                "--grids", "G2", password="a-long-password")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "已创建用户 wang" in made.stdout
    key = _cli(hub_settings, "create-api-key", "--name", "city")
    assert key.returncode == 0, key.stderr
    api_key = key.stdout.strip()
    assert len(api_key) >= 32
    no_tty = _cli(hub_settings, "create-user", "--role", "admin", "--username", "x")
    assert no_tty.returncode == 2 and "CASES_NEW_PASSWORD" in no_tty.stderr
    short = _cli(hub_settings, "create-user", "--role", "admin", "--username", "yy",
                 password="short")  # fmt: skip
    assert short.returncode == 2 and "密码至少" in short.stderr
    dup = _cli(hub_settings, "create-user", "--role", "staff", "--username", "wang",
               password="another-long-one")  # fmt: skip
    assert dup.returncode == 2 and "已存在" in dup.stderr

    with TestClient(create_app(hub_settings)) as client:
        ok = client.post("/staff/login", data={"username": "wang", "password": "a-long-password"},
                         follow_redirects=False)  # fmt: skip
        assert ok.status_code == 303
        posted = client.post("/open311/v2/requests.json", data={
            "api_key": api_key, "service_code": "leak", "address_string": "6号楼"})  # fmt: skip
        assert posted.status_code == 200, posted.text

    revoked = _cli(hub_settings, "revoke-api-key", "--name", "city")
    assert revoked.returncode == 0 and "1" in revoked.stdout
    with TestClient(create_app(hub_settings)) as client:
        refused = client.post("/open311/v2/requests.json", data={
            "api_key": api_key, "service_code": "leak", "address_string": "6号楼"})  # fmt: skip
        assert refused.status_code == 403


def test_api_keys_and_passwords_are_hashed_at_rest(hub_settings: HubSettings) -> None:
    from sqlalchemy import create_engine, text

    from cases.db import normalize_url

    _cli(hub_settings, "create-user", "--role", "admin", "--username", "boss",
         password="secret-password-123")  # fmt: skip
    api_key = _cli(hub_settings, "create-api-key", "--name", "city").stdout.strip()
    engine = create_engine(normalize_url(hub_settings.resolved_cases_url()))
    with engine.connect() as conn:
        password_hash = conn.execute(text("select password_hash from staff_users")).scalar_one()
        key_hash = conn.execute(text("select key_hash from api_keys")).scalar_one()
    engine.dispose()
    assert password_hash.startswith("$argon2id$")
    assert "secret-password-123" not in password_hash
    assert api_key not in key_hash and len(key_hash) == 64
