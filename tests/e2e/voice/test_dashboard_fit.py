"""The wall dashboard in real Chromium at 1920×1080 with a busy week: one screen, nothing runs off
it, and its figures are the hub's (cases/metrics.py) — the chart adds up to 本周报事."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from cases.db import make_engine
from cases.models import Notice
from tests.e2e.voice.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CATEGORIES = (
    "garbage", "garbage", "garbage", "leak", "leak", "elevator", "noise", "parking", "pets",
    "roads", "greenery", "drain", "power", "water_supply", "falling_objects", "group_rental",
    "ebike_charging", "facilities", "neighbour_dispute", "sanitation", "streetlight",
)  # fmt: skip
"""More categories than one screen has rows for."""

LONG = "请各位居民注意，" + "本周小区内将分批进行管道检修、外墙清洗和绿化修剪，道路临时封闭，" * 4


def _busy_week(hub) -> dict:  # type: ignore[no-untyped-def]
    with hub.client() as client:
        for i, category in enumerate(CATEGORIES):
            place = {"building": str(i % 20 + 1)}
            body = {"type": "report", "category": category, "description": "测试数据",
                    "location": place, "contact_declined": True}  # fmt: skip
            assert client.post("/api/cases", json=body).status_code == 201
        for body in ({"type": "emergency", "description": "煤气味"},
                     {"type": "callback", "description": "转人工"}):  # fmt: skip
            assert client.post("/api/cases", json=body).status_code == 201
        engine = make_engine(f"sqlite:///{hub.data_dir.resolve() / 'cases.db'}")
        with Session(engine) as session:
            for n in range(4):
                session.add(Notice(title=f"第{n + 1}期社区通知：管道检修和外墙清洗安排",
                                   body=LONG, published_at=datetime.now(UTC)))  # fmt: skip
            session.commit()
        engine.dispose()
        return client.get("/api/public/stats").json()


def test_dashboard_fits_one_1080p_screen_and_adds_up(hub_only, chromium) -> None:
    stats = _busy_week(hub_only)
    assert stats["reports_this_week"] == sum(c["count"] for c in stats["by_category"])
    assert stats["received_this_week"] >= stats["reports_this_week"] + 2
    page = chromium.new_page(1920, 1080)
    page.goto(f"{hub_only.url}/kiosk/dashboard")
    page.wait_for_function("document.body.dataset.loaded === '1'")
    screenshot(page, "dashboard_busy_1080p")

    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 1920 and size[1] <= 1080, size
    # every box's content stays inside it, and every box inside the screen
    overflow = page.evaluate(
        """() => [...document.querySelectorAll(
                'header, main, .kpi, .panel, #chart, #notices, #notices li')]
            .map((e) => { const r = e.getBoundingClientRect();
              return {id: e.id || e.className || e.tagName, bottom: r.bottom, right: r.right,
                      over: e.scrollHeight - e.clientHeight,
                      overX: e.scrollWidth - e.clientWidth}; })
            .filter((b) => b.bottom > 1080.5 || b.right > 1920.5 || b.over > 1 || b.overX > 1)"""
    )
    assert overflow == [], overflow
    # the chart's text and bars are inside the chart box
    chart = page.locator("#chart").bounding_box()
    for box in page.evaluate(
        "[...document.querySelectorAll('#chart svg text, #chart svg rect')].map((e) => {"
        " const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
    ):
        assert box[0] >= chart["x"] - 1 and box[1] >= chart["y"] - 1
        assert box[2] <= chart["x"] + chart["width"] + 1
        assert box[3] <= chart["y"] + chart["height"] + 1

    # the figures are the hub's, and the chart adds up to 本周报事 (small rows folded, not dropped)
    assert page.inner_text("#kpi-created") == str(stats["reports_this_week"])
    svg = page.locator("#chart svg")
    assert svg.get_attribute("data-total") == str(stats["reports_this_week"])
    assert "其余" in svg.get_attribute("aria-label")
    assert page.locator("#chart svg rect").count() < len(stats["by_category"])
    assert page.inner_text("#kpi-open") == str(stats["open"])
    pct = round(stats["confirmed_rate"] * 100)
    assert f"{pct}%" in page.locator("#kpi-rate svg").get_attribute("aria-label")
    assert page.inner_text("#kpi-rate-of") == \
        f"{stats['confirmed_this_week']} / {stats['reports_this_week']} 件"  # fmt: skip
    assert page.locator("#notices li").count() >= 1
    # the chart's labels stay large when drawn to fit
    sizes = page.evaluate(
        "[...document.querySelectorAll('#chart svg text')].map((t) =>"
        " parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
    )
    assert min(sizes) >= 30, sizes
