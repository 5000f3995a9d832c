"""The staff console in real headless Chromium at 1920 and 390 px (issue 14 item 8): no page is
wider than the screen on a grid worker's phone; the FAQ page pages and leads back."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

import core.hub
from core.config import HubSettings
from core.hub import create_app
from core.localtime import to_local
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
LONG = ("5号楼2单元楼道里的灯从上周开始一闪一闪，晚上特别黑，老人上下楼很不安全，"
        "物业说要等配件，到现在还没修好，麻烦尽快安排师傅来看看，谢谢")  # fmt: skip


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "knowledge.api"))
    monkeypatch.setenv("KB_EMBEDDER", "hashing")
    app = create_app(HubSettings(data_dir=tmp_path / "data", service_token=TOKEN))
    app.state.cases.settings.sweep_interval_s = 0
    yield app


def _user(hub: FastAPI, username: str, role: str) -> str:
    from cases import auth
    from cases.db import session_scope

    password = f"pw-{username}-long-enough"
    with session_scope(hub.state.cases.sessions) as session:
        auth.create_user(session=session, username=username, password=password,
                         role=auth.Role(role), now=hub.state.cases.clock.now(),
                         display_name="王主任", grid_codes=[])  # fmt: skip
    return password


def _width(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )  # fmt: skip


def test_console_fits_the_screen_at_1920_and_390(hub: FastAPI) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(hub) as url:
        password = _user(hub, "wangzr", "admin")
        numbers = []
        for building in ("5", "3", "12"):
            r = httpx.post(f"{url}/api/cases", headers=AUTH, json={
                "type": "report", "category": "corridor_light", "description": LONG,
                "location": {"building": building, "unit": "2", "room": "301"},
                "contact_phone": "13812345678", "channel": "kiosk", "sender_id": "kiosk:x",
            })  # fmt: skip
            assert r.status_code == 201, r.text
            numbers.append(r.json()["case_no"])
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for width, height in ((1920, 1080), (390, 844)):
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{url}/staff/login")
                page.fill("input[name=username]", "wangzr")
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.wait_for_url(f"{url}/staff/")
                pages = {
                    "queue": "/staff/",
                    "case": f"/staff/cases/{numbers[0]}",
                    "notices": "/staff/notices",
                    "missing": "/staff/cases/BS-20991231-9999",
                    "kb": "/staff/kb/",
                }
                for name, path in pages.items():
                    page.goto(url + path)
                    if name == "kb":
                        page.wait_for_selector("#faq-table tbody tr")
                    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
                    scroll, inner = _width(page)
                    assert scroll <= inner, (name, width, scroll, inner)
                page.goto(f"{url}/staff/cases/{numbers[0]}")
                assert page.locator('a[href="tel:13812345678"]').count() == 1
                page.close()
            browser.close()


def test_faq_page_pages_and_leads_back(hub: FastAPI) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with serve(hub) as url:
        password = _user(hub, "wangzr", "admin")
        total = httpx.get(f"{url}/api/kb/faqs", headers=AUTH).json()["total"]
        httpx.post(f"{url}/api/kb/ask", headers=AUTH,
                   json={"question": "小区里能不能放风筝比赛", "channel": "web"})  # fmt: skip
        queued = httpx.get(f"{url}/api/kb/unanswered", headers=AUTH).json()
        asked = to_local(queued[0]["last_asked"])
        assert asked is not None
        assert total > 40  # the seeded FAQs: more than two pages
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            page.goto(f"{url}/staff/login")
            page.fill("input[name=username]", "wangzr")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/staff/")
            page.goto(f"{url}/staff/kb/")
            page.wait_for_selector("#faq-table tbody tr")
            rows = page.locator("#faq-table tbody tr")
            assert rows.count() == 20
            first = rows.first.text_content()
            assert "第 1 /" in page.text_content("#faq-page")
            # the queued question's time is the community's local time, not UTC
            shown = page.locator("#queue-table tbody tr td:nth-child(3)").first.text_content()
            assert f"{asked:%H:%M}" in shown and f"{asked.month:02d}/{asked.day:02d}" in shown
            assert page.evaluate("document.documentElement.scrollHeight") < 9000
            page.click("#faq-next")
            page.wait_for_function(
                "document.querySelector('#faq-page').textContent.includes('第 2 /')"
            )
            assert rows.first.text_content() != first
            assert "service_centre" not in page.text_content("#faq-table")
            page.click("text=回到工作台")
            page.wait_for_url(f"{url}/staff/")
            browser.close()
