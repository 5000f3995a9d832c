"""The knowledge-base staff page in real headless Chromium with a staff console login:
no token to type, changes carry the CSRF token, grid workers get a read-only page."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.unit.privacy.conftest import AUTH

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed"),
]


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port; yield its base URL."""
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


def _make_user(hub: FastAPI, username: str, role: str) -> str:
    from cases import auth
    from cases.db import session_scope

    password = f"pw-{username}-long-enough"
    with session_scope(hub.state.cases.sessions) as session:
        auth.create_user(session=session, username=username, password=password,
                         role=auth.Role(role), now=hub.state.cases.clock.now(),
                         grid_codes=["G1"] if role == "grid_worker" else [])  # fmt: skip
    return password


def _login(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/staff/")
    page.goto(f"{url}/staff/kb/")


def test_console_login_curates_the_kb_and_grid_worker_is_read_only(hub: FastAPI) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with serve(hub) as url:
        staff_pw = _make_user(hub, "li.zhuren", "staff")
        worker_pw = _make_user(hub, "wangfang", "grid_worker")
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_context().new_page()
            _login(page, url, "li.zhuren", staff_pw)
            page.wait_for_selector("#app:not([hidden])")
            assert page.is_hidden("#login")
            assert "li.zhuren" in page.text_content("#status")
            page.click("#new-faq")
            page.fill("#f-question", "社区图书室几点开门")
            page.fill("#f-answer", "三楼图书室每天 9:00–17:00 开放。")
            page.click("#faq-form button[type=submit]")
            page.wait_for_function(
                "document.querySelector('#status').textContent.includes('已保存')"
            )

            worker = browser.new_context().new_page()
            _login(worker, url, "wangfang", worker_pw)
            worker.wait_for_selector("#app:not([hidden])")
            assert "只能查看" in worker.text_content("#status")
            assert worker.is_hidden("#new-faq")
            worker.locator("#faq-table tbody tr").first.wait_for()
            status = worker.evaluate(
                "fetch('/api/kb/faqs', {method: 'POST',"
                " headers: {'Content-Type': 'application/json'},"
                " body: JSON.stringify({question: '网格员试试', answer: '不行'})})"
                ".then(r => r.status)"
            )
            assert status == 403
            browser.close()
        faqs = httpx.get(f"{url}/api/kb/faqs", params={"q": "图书室"}, headers=AUTH).json()
        assert faqs["total"] == 1
        audit = httpx.get(f"{url}/api/kb/audit", params={"faq_id": faqs["items"][0]["id"]},
                          headers=AUTH).json()  # fmt: skip
        assert audit[0]["actor"] == "staff:li.zhuren" and audit[0]["action"] == "create"
