"""The notices page in real headless Chromium (issue 16): staff pick who a notice is for and
until when, at 1920 px (an admin, some buildings) and at 390 px (a grid worker on their phone,
their own grid); nothing is wider than the screen and the notice reaches the channels' feed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

import core.hub
from core.config import HubSettings
from core.hub import create_app
from core.localtime import local_tz
from tests.unit.knowledge.conftest import serve

CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]  # fmt: skip
TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SHOTS = Path(os.environ.get("LINLI_SCREENSHOTS", "var/screenshots/console"))
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed"),
]


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api",))
    app = create_app(HubSettings(data_dir=tmp_path / "data", service_token=TOKEN))
    app.state.cases.settings.sweep_interval_s = 0
    yield app


def _user(hub: FastAPI, username: str, role: str, grids: list[str]) -> str:
    from cases import auth
    from cases.db import session_scope

    password = f"pw-{username}-long-enough"
    with session_scope(hub.state.cases.sessions) as session:
        auth.create_user(session=session, username=username, password=password,
                         role=auth.Role(role), now=hub.state.cases.clock.now(),
                         display_name="王老师", grid_codes=grids)  # fmt: skip
    return password


def test_notices_page_scope_and_end_time_at_1920_and_390(hub: FastAPI) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(hub) as url:
        users = {
            1920: ("wangzr", _user(hub, "wangzr", "admin", [])),
            390: ("lif", _user(hub, "lif", "grid_worker", ["G1"])),
        }
        until = (hub.state.cases.clock.now() + timedelta(days=2)).astimezone(local_tz())
        field = until.strftime("%Y-%m-%dT%H:%M")
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for width, height in ((1920, 1080), (390, 844)):
                username, password = users[width]
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{url}/staff/login")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.wait_for_url(f"{url}/staff/")
                page.click("header >> text=社区公告")
                page.wait_for_url(f"{url}/staff/notices")
                page.fill("input[name=title]", f"停水通知{width}")
                page.fill("textarea[name=body]", "明天上午9点到12点管道检修，请提前储水。")
                if width == 1920:
                    page.check("input[name=scope_kind][value=buildings]")
                    page.check("input[name=buildings][value='5']")
                    page.check("input[name=buildings][value='12']")
                    expected = "已发布给5号楼、12号楼"
                else:
                    assert page.locator("input[name=scope_kind][value=community]").count() == 0
                    assert page.locator("input[name=buildings]").count() == 5  # G1: 1–5
                    page.check("input[name=grids][value=G1]")
                    expected = "已发布给第一网格"
                page.fill("input[name=expires_at]", field)
                page.click("form[action='/staff/notices'] button[type=submit]")
                page.wait_for_selector(".msg, .error")
                assert expected in page.text_content(".msg, .error"), page.text_content("main")
                assert f"{until:%m-%d %H:%M}结束" in page.text_content(".msg")
                page.screenshot(path=str(SHOTS / f"notices-{width}.png"), full_page=True)
                scroll, inner = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]"
                )
                assert scroll <= inner, (width, scroll, inner)
                page.close()
            browser.close()
        feed = {n["title"]: n for n in httpx.get(f"{url}/api/notices/feed", headers=AUTH).json()}
        assert feed["停水通知1920"]["scope_kind"] == "buildings"
        assert feed["停水通知1920"]["scope_values"] == ["5", "12"]
        assert feed["停水通知390"]["scope_kind"] == "grids"
        assert feed["停水通知390"]["scope_values"] == ["G1"]
        assert feed["停水通知390"]["expires_at"].startswith(field)
        wall = httpx.get(f"{url}/api/public/notices", params={"building": "12"}).json()
        assert "停水通知1920" in [n["title"] for n in wall]
        assert "停水通知390" not in [n["title"] for n in wall]
