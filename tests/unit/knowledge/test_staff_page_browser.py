"""The staff curation page in real headless Chromium: answers with <script> are shown as text."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.unit.knowledge.conftest import AUTH, TOKEN, make_app, serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed"),
]

EVIL = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def test_script_in_an_answer_is_shown_as_text(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with serve(make_app(tmp_path)) as url:
        r = httpx.post(
            f"{url}/api/kb/faqs", headers=AUTH, json={"question": "脚本测试问题", "answer": EVIL}
        )
        assert r.status_code == 201
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"{url}/staff/kb/")
            page.fill("#token", TOKEN)
            page.fill("#staff-name", "王老师")
            page.click("#login button[type=submit]")
            page.fill("#filter-q", "脚本测试")
            page.click("#filter-form button[type=submit]")
            cell = page.locator("#faq-table tbody tr td.answer").first
            cell.wait_for()
            page.wait_for_function("document.querySelectorAll('#faq-table tbody tr').length === 1")
            assert cell.text_content() == EVIL
            assert page.locator("#faq-table img").count() == 0
            assert page.locator("#faq-table script").count() == 0
            assert page.evaluate("window.__pwned") is None
            assert "王老师" in page.text_content("#status")
            browser.close()
