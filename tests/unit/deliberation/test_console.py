"""The 议事 console page: moderation and polls by form, plain Chinese on screen (no internal
English identifiers), and in real headless Chromium at 1920 and 390 px nothing wider than the
screen."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.unit.cases.test_no_internal_words import internal_words, visible_text
from tests.unit.deliberation.conftest import AUTH, ballot

PAGE = "/staff/yishi/"
CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
SHOTS = Path(os.environ.get("LINLI_SCREENSHOTS", "var/screenshots/console"))


def _propose(api: TestClient, what: str, place: str = "5", key: str = "tg:9") -> int:
    r = api.post(
        "/api/deliberation/proposals",
        headers=AUTH,
        json={
            "what": what,
            "why": "电话13812345678",
            "scope": "building",
            "place": place,
            "channel": "kiosk",
            "resident_key": key,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["number"]


def _fill(api: TestClient, staff) -> None:  # noqa: ANN001
    """Every kind of thing the page shows: flagged proposals, polls in each state, decisions."""
    a = _propose(api, "5号楼东门加装路灯")
    b = _propose(api, "东门加装路灯，这帮混蛋", key="web:w1")
    c = _propose(api, "花坛改停车位", key="tg:3")
    _propose(api, "增设快递柜")
    staff.form(f"{PAGE}proposals/{a}/moderate", action="approve")
    staff.form(f"{PAGE}proposals/{b}/moderate", action="merge", into=str(a))
    staff.form(f"{PAGE}proposals/{c}/moderate", action="decline", reason="属于公共绿地")
    staff.form(f"{PAGE}polls", proposal_id=str(a), threshold="ordinary")
    staff.form(
        f"{PAGE}polls",
        question="1号楼加装电梯",
        scope="building",
        scope_codes="1",
        threshold="major",
    )
    api.post("/api/deliberation/polls/2/votes", headers=AUTH, json=ballot("1", "1", "101", "同意"))
    staff.form(
        f"{PAGE}polls/2/centre",
        building="1",
        unit="1",
        room="102",
        option="不同意",
        relation="女儿",
    )
    staff.form(f"{PAGE}polls/2/close")
    staff.form(f"{PAGE}polls/2/announce")
    staff.form(f"{PAGE}polls/2/decide", adopted="1", note="采纳")
    staff.form(f"{PAGE}decisions/1/progress", new_status="in_progress", note="已报街道")


def test_moderation_and_polls_work_from_the_page(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    a = _propose(api, "5号楼东门加装路灯")
    b = _propose(api, "东门加装路灯，这帮混蛋", key="web:w1")
    page = staff.client.get(PAGE).text
    assert "可能与第1号建议重复" in page and "含不文明用语：混蛋" in page
    assert "已遮盖电话或证件号码" in page and "13812345678" not in page
    done = staff.form(f"{PAGE}proposals/{a}/moderate", action="approve")
    assert "第1号建议已通过审核" in done.text
    refused = staff.form(f"{PAGE}proposals/{b}/moderate", action="decline", reason="")
    assert "未能完成" in refused.text and "请写明不通过的原因" in refused.text
    opened = staff.form(f"{PAGE}polls", proposal_id=str(a), closes_at="2026-11-22T18:00")
    assert "第1号投票已发起，2026-11-22 18:00结束" in opened.text
    stored = api.get("/api/deliberation/polls/1").json()
    assert stored["closes_at_utc"] == "2026-11-22T10:00:00+00:00"  # stored UTC, shown local
    assert stored["closes_at"] == "2026-11-22 18:00"
    voted = staff.form(
        f"{PAGE}polls/1/centre", building="5", unit="1", room="101", option="同意", relation="本人"
    )
    assert "已记下5号楼1单元101室的投票：同意" in voted.text
    again = staff.form(
        f"{PAGE}polls/1/centre", building="5", unit="1", room="101", option="弃权", relation="儿子"
    )
    assert "已改为" in again.text
    assert api.get("/api/deliberation/polls/1").json()["counts"] == [0, 0, 1]
    staff.form(f"{PAGE}polls/1/close")
    decided = staff.form(f"{PAGE}polls/1/decide", adopted="1", note="社区采纳")
    assert "已记录决定：采纳" in decided.text
    spawned = staff.form(f"{PAGE}decisions/1/case")
    assert "已转为工单 BS-" in spawned.text
    stale = staff.client.post(f"{PAGE}polls/1/close", data={"csrf_token": "x"})
    assert stale.status_code == 403 and "页面已过期" in stale.text


def test_the_page_needs_a_login(api: TestClient) -> None:
    r = api.get(PAGE, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"


def test_grid_worker_sees_only_their_grid(api: TestClient, login) -> None:
    _propose(api, "5号楼加装扶手", place="5")
    _propose(api, "12号楼修补路面", place="12")
    worker = login("li", "grid_worker", ["G1"])
    page = worker.client.get(PAGE).text
    assert "5号楼加装扶手" in page and "12号楼修补路面" not in page
    assert "网格员" in page


def test_the_page_shows_no_internal_words(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    _fill(api, staff)
    page = staff.client.get(PAGE).text
    assert "第2号投票" in page and "办理中" in page
    assert not internal_words(visible_text(page)), internal_words(visible_text(page))
    csv_text = staff.client.get("/api/deliberation/polls/2/export.csv").text
    assert not internal_words(csv_text), csv_text


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
def test_page_fits_the_screen_at_1920_and_390(hub: FastAPI) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from cases import auth
    from cases.db import session_scope
    from tests.unit.knowledge.conftest import serve

    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(hub) as url:
        password = "pw-wangzr-long-enough"
        with session_scope(hub.state.cases.sessions) as session:
            auth.create_user(
                session=session,
                username="wangzr",
                password=password,
                role=auth.Role.ADMIN,
                now=hub.state.cases.clock.now(),
                display_name="王主任",
            )
        for what in ("5号楼东门加装路灯，晚上太黑老人走路不安全，希望尽快安排" * 2, "增设快递柜"):
            httpx.post(
                f"{url}/api/deliberation/proposals",
                headers=AUTH,
                json={"what": what, "scope": "building", "place": "5", "resident_key": "tg:1"},
            )
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"],
            )
            for width, height in ((1920, 1080), (390, 844)):
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{url}/staff/login")
                page.fill("input[name=username]", "wangzr")
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.wait_for_url(f"{url}/staff/")
                page.goto(f"{url}{PAGE}")
                if width == 1920:
                    page.fill("textarea[name=question]", "1号楼加装电梯")
                    page.select_option("select[name=scope]", "building")
                    page.fill("input[name=scope_codes]", "1")
                    page.click("text=发起投票 >> nth=-1")
                    page.wait_for_selector("text=第1号投票已发起")
                page.screenshot(path=str(SHOTS / f"deliberation-{width}.png"), full_page=True)
                scroll, inner = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]"
                )
                assert scroll <= inner, (width, scroll, inner)
                assert re.search(r"第1号投票", page.content())
                page.close()
            browser.close()
