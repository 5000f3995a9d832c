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


def test_staff_turns_a_queued_question_into_an_faq_on_the_page(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with serve(make_app(tmp_path)) as url:
        for _ in range(2):
            httpx.post(
                f"{url}/api/kb/ask",
                headers=AUTH,
                json={"question": "小区游泳池几点开放", "channel": "telegram"},
            )
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"{url}/staff/kb/")
            page.fill("#token", TOKEN)
            page.fill("#staff-name", "李主任")
            page.click("#login button[type=submit]")
            row = page.locator("#queue-table tbody tr").first
            row.wait_for()
            assert row.locator("td").nth(0).text_content() == "小区游泳池几点开放"
            assert row.locator("td").nth(1).text_content() == "2"
            row.get_by_role("button", name="新建问答").click()
            assert page.input_value("#f-question") == "小区游泳池几点开放"
            page.fill("#f-answer", "小区没有游泳池，最近的是体育中心游泳馆。")
            page.fill("#f-alternatives", "哪里可以游泳")
            page.click("#faq-form button[type=submit]")
            page.wait_for_function(
                "document.querySelectorAll('#queue-table tbody tr').length === 0"
            )
            assert "已保存" in page.text_content("#status")
            page.fill("#try-q", "哪里可以游泳")
            page.click("#try-form button[type=submit]")
            first = page.locator("#try-results li").nth(1)
            first.wait_for()
            assert "体育中心游泳馆" in first.text_content()
            browser.close()
        audit = httpx.get(f"{url}/api/kb/audit", headers=AUTH).json()
        assert audit[0]["actor"] == "staff:李主任"
        assert audit[0]["action"] == "create_from_unanswered"
