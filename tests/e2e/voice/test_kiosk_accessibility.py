"""Accessibility of the kiosk, dashboard and print pages: axe-core + DESIGN.md numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.voice.conftest import run_axe, screenshot, wait_events

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MEASURE = (Path(__file__).parent / "measure.js").read_text(encoding="utf-8")
BODY_MIN_PX = 24  # 18 pt
LARGEST_MIN_PX = 40  # 30 pt
CONTRAST_MIN = 4.5
TARGET_MIN_PX = 60
LINE_HEIGHT_MIN = 1.3


def check_design_numbers(page, *, check_line_height: bool = True) -> dict:  # type: ignore[no-untyped-def]
    """Measure the rendered page and assert the elderly-mode numbers."""
    m = page.evaluate(MEASURE)
    texts, targets = m["texts"], m["targets"]
    assert texts, "no visible text measured"
    small = [t for t in texts if t["size"] < BODY_MIN_PX - 0.01]
    assert not small, f"text below 18pt: {small[:5]}"
    assert max(t["size"] for t in texts) >= LARGEST_MIN_PX
    low = [t for t in texts if t["contrast"] < CONTRAST_MIN]
    assert not low, f"contrast below 4.5:1: {low[:5]}"
    if check_line_height:
        tight = [
            t
            for t in texts
            if not t["svg"]
            and (t["lineHeight"] is None or t["lineHeight"] < LINE_HEIGHT_MIN - 0.01)
        ]
        assert not tight, f"line height below 1.3: {tight[:5]}"
    tiny = [t for t in targets if t["width"] < TARGET_MIN_PX or t["height"] < TARGET_MIN_PX]
    assert not tiny, f"touch targets below 60x60: {tiny}"
    return m


def send_text(page, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type-free shortcut to move the dialogue on (what a button press sends)."""
    page.evaluate("(t) => window.__kiosk.ws.send(JSON.stringify({type: 'text', text: t}))", text)


def test_kiosk_page_meets_elderly_mode_numbers_in_every_state(hub_only, chromium) -> None:
    page = chromium.new_page()
    page.goto(f"{hub_only.url}/kiosk/")
    wait_events(page, "reply", 1)
    page.wait_for_selector("#reply p")
    assert run_axe(page) == []
    m = check_design_numbers(page)
    # calm screen: big start buttons (投票 only while a poll is open) beside the controls (说话,
    # 转人工, 再说一遍, 停, …), and the notices' 再听一遍 / 关闭 (and 看全文 on a long one)
    starts = page.locator("#answers .btn").all_inner_texts()
    assert starts[:5] == ["我要报事", "我想问问", "我要办事", "查进度", "提建议"]
    assert starts[5:] in ([], ["投票"])
    assert page.locator(".notice-more").count() <= 3
    assert len(m["targets"]) <= len(starts) + 6 + 2 + page.locator(".notice-more").count()
    talk = page.locator("#talk").bounding_box()
    assert talk["height"] >= 120
    screenshot(page, "kiosk_start")

    send_text(page, "五号楼二单元的电梯坏了")  # the scripted dialogue reads back at once
    wait_events(page, "reply", 2)
    page.wait_for_selector("#answers .btn-yes")
    yes, no = page.locator("#answers .btn-yes"), page.locator("#answers .btn-no")
    assert yes.inner_text() == "对" and no.inner_text() == "不对"
    for box in (yes.bounding_box(), no.bounding_box()):
        assert box["width"] >= 300 and box["height"] >= 140  # two giant buttons
    assert run_axe(page) == []
    check_design_numbers(page)
    screenshot(page, "kiosk_readback")

    page.locator("#answers .btn-yes").click()
    page.wait_for_selector("#case:not([hidden])")
    case_no = page.inner_text("#case-no")
    assert case_no.startswith("BS-")
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('case-no')).fontSize)"
    )
    assert size >= 96  # the case number is shown huge
    assert run_axe(page) == []
    check_design_numbers(page)
    screenshot(page, "kiosk_case")

    slip = page.locator("#case-print").get_attribute("href")
    assert slip.startswith(f"/kiosk/case/{case_no}/print?t=")  # the resident's access code
    page.goto(f"{hub_only.url}{slip}")
    assert case_no in page.inner_text(".caseno")
    assert run_axe(page) == []
    check_design_numbers(page)
    screenshot(page, "kiosk_print")


def test_dashboard_shows_this_weeks_cases_readably(hub_only, chromium) -> None:
    with hub_only.client() as client:
        for category, building in (
            ("elevator", "5"),
            ("elevator", "3"),
            ("garbage", "3"),
            ("streetlight", "1"),
        ):
            r = client.post(
                "/api/cases",
                json={
                    "type": "report",
                    "category": category,
                    "description": "测试数据",
                    "location": {"building": building},
                    "channel": "kiosk",
                    "contact_declined": True,
                },
            )
            assert r.status_code == 201, r.text
        stats = client.get("/api/public/stats").json()
    page = chromium.new_page()
    page.goto(f"{hub_only.url}/kiosk/dashboard")
    page.wait_for_function("document.body.dataset.loaded === '1'")
    assert page.inner_text("#kpi-created") == str(stats["reports_this_week"])
    bars = page.locator("#chart svg rect")
    assert 1 <= bars.count() <= len([c for c in stats["by_category"] if c["count"] > 0])
    # small rows are folded into 其余N类 when they do not fit: the chart still adds up
    assert page.locator("#chart svg").get_attribute("data-total") == str(stats["reports_this_week"])
    label = page.locator("#chart svg").get_attribute("aria-label")
    assert "电梯故障" in label
    assert page.locator("#kpi-rate svg").count() == 1
    assert run_axe(page) == []
    check_design_numbers(page)
    screenshot(page, "dashboard")
