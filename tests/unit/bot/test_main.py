"""``python -m bot`` as its own process: refuses to start without a token, serves with one."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.__main__ import main

ROOT = Path(__file__).resolve().parents[3]


def test_main_refuses_without_token(monkeypatch, tmp_path):
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main([]) == 2


async def test_bot_process_polls_and_answers(fake_tg, backend, tmp_path):
    env = {
        **os.environ,
        "BOT_TOKEN": fake_tg.token,
        "BOT_API_BASE_URL": fake_tg.base_url,
        "BOT_FILE_BASE_URL": fake_tg.file_base_url,
        "BOT_ACTIONS_URL": backend.url,
        "BOT_POLL_TIMEOUT_S": "1",
        "BOT_VOICE_ENGINE": "fake",
        "LINLI_DATA_DIR": str(tmp_path),
        "LINLI_RASA_URL": backend.url,
        "LINLI_HUB_URL": backend.url,
        "LINLI_SERVICE_TOKEN": "t",
    }
    log = (tmp_path / "bot.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        fake_tg.send_text(4711, "你好")
        await fake_tg.wait_text(4711, "收到：你好", timeout=60)
        assert (tmp_path / "bot.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    assert proc.returncode in (0, -15), (tmp_path / "bot.log").read_text()[-2000:]
    assert fake_tg.token not in (tmp_path / "bot.log").read_text()


async def test_bot_process_in_webhook_mode(fake_tg, backend, tmp_path):
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": fake_tg.token,
        "BOT_API_BASE_URL": fake_tg.base_url,
        "BOT_FILE_BASE_URL": fake_tg.file_base_url,
        "BOT_ACTIONS_URL": backend.url,
        "BOT_MODE": "webhook",
        "BOT_WEBHOOK_URL": "https://bot.example.org/telegram",
        "BOT_WEBHOOK_PORT": str(port),
        "BOT_WEBHOOK_SECRET": "s3cret-webhook",
        "BOT_VOICE_ENGINE": "fake",
        "LINLI_DATA_DIR": str(tmp_path),
        "LINLI_RASA_URL": backend.url,
        "LINLI_HUB_URL": backend.url,
        "LINLI_SERVICE_TOKEN": "t",
    }
    log = (tmp_path / "bot.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 4712, "type": "private"},
            "from": {"id": 4712, "is_bot": False, "first_name": "x"},
            "text": "网络钩子",
        },
    }
    try:
        await fake_tg.wait_for(lambda c: c.method == "setWebhook", timeout=60)
        hook = fake_tg.sent(method="setWebhook")[0]
        assert hook.params["url"] == "https://bot.example.org/telegram"
        assert hook.params["secret_token"] == "s3cret-webhook"
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    wrong = await client.post(
                        f"http://127.0.0.1:{port}/telegram", json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                    )  # fmt: skip
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            assert wrong.status_code == 403
            ok = await client.post(
                f"http://127.0.0.1:{port}/telegram", json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-webhook"},
            )  # fmt: skip
            assert ok.status_code == 200
        await fake_tg.wait_text(4712, "收到：网络钩子", timeout=30)
        assert backend.messages() == ["网络钩子"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
