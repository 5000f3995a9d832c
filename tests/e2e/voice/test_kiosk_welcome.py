"""The kiosk's welcome screen and building picker in real headless Chromium, at 1920×1080 and
390 px wide: the 议事 start buttons (提建议 always, 投票 while a poll is open) and the payloads
they send, the community's notices (shown; read out once after idle; 再听一遍 / 关闭), a
welcome that points to the buttons when there is no microphone, and a building picker whose
发送 button stays on a 1080p screen (issue 13). Screenshots land in ``var/screenshots/kiosk/``.

The dialogue is the scripted stand-in (``harness/fakes/fake_rasa.py``; the real intents
``propose`` / ``vote`` are the dialogue's business): these tests check what the kiosk sends it.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.voice.conftest import HUB_IDLE_TIMEOUT_S, run_axe, wait_events
from tests.e2e.voice.test_kiosk_accessibility import check_design_numbers
from tests.e2e.voice.test_kiosk_touch import answered, key_in, open_kiosk, tap, wait_answer
from tests.paths import ROOT
from voice.kiosk.service import GREETING_TOUCH

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ROOT / "var" / "screenshots" / "kiosk"
STAFF = {"X-Staff-Name": "wang"}
LATIN = re.compile(r"[A-Za-z]")


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """The whole page as a resident sees it (a page longer than the screen shows its overflow)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_poll(hub) -> dict:  # type: ignore[no-untyped-def]
    """Staff open a poll for the whole community (service token, as internal tools do)."""
    with hub.client() as client:
        polls = client.get("/api/deliberation/polls", params={"open": "true"}).json()
        if polls:
            return polls[0]
        made = client.post(
            "/api/deliberation/polls",
            headers=STAFF,
            json={"question": "小区东门旁边加装电动车充电桩，您同意吗？"},
        )
        assert made.status_code == 201, made.text
        return made.json()


def publish_for_building(hub, building: str) -> str:  # type: ignore[no-untyped-def]
    """Staff publish a notice for one building (straight into the case system's database: the
    console's form needs a login); its title."""
    from sqlalchemy.orm import Session

    from cases.db import make_engine
    from cases.models import Notice

    title = f"{building}号楼明天停电检修"
    engine = make_engine(f"sqlite:///{hub.data_dir.resolve() / 'cases.db'}")
    with Session(engine) as session:
        now = datetime.now(UTC)
        notice = Notice(title=title, body="明天上午8点到12点停电，电梯暂停使用。", published_at=now)
        notice.scope_kind, notice.scope_values = "buildings", [building]
        notice.expires_at = now + timedelta(days=1)
        session.add(notice)
        session.commit()
    engine.dispose()
    return title


def open_welcome(page, url: str, ready: str, timeout_s: float = 60) -> None:  # type: ignore[no-untyped-def]
    """A fresh welcome screen once ``ready`` (JS) holds: the kiosk keeps what it last learned of
    the notices and polls for 30 s, so what a test just published may take a while to show."""
    deadline = time.monotonic() + timeout_s
    while True:
        page.goto(f"{url}/kiosk/")
        wait_events(page, "ready", 1)  # it stores its session on ready: cleared after that
        page.evaluate("sessionStorage.clear()")  # a new visitor, not the last one resumed
        page.goto(f"{url}/kiosk/")
        wait_events(page, "reply", 1)
        page.wait_for_selector("#answers .btn")
        if page.evaluate(ready) or time.monotonic() > deadline:
            return
        page.wait_for_timeout(3000)


def page_fits(page, width: int, height: int | None = None) -> None:  # type: ignore[no-untyped-def]
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= width, size
    if height is not None:
        assert size[1] <= height, size


def start_titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("#answers .btn").all_inner_texts()


def test_welcome_offers_yishi_and_shows_the_notices(hub_only, chromium) -> None:
    open_poll(hub_only)
    scoped = publish_for_building(hub_only, "3")
    with hub_only.client() as client:
        newest = [n["title"] for n in client.get("/api/public/notices").json()][:3]
    page = chromium.new_page(1920, 1080)
    first = "document.querySelector('.notice-title')?.textContent"
    has_vote = (
        "[...document.querySelectorAll('#answers .btn')].some((b) => b.textContent === '投票')"
    )
    open_welcome(page, hub_only.url, f"{first} === {scoped!r} && {has_vote}")
    page.wait_for_selector("#notices-list li")
    shot(page, "welcome_1080p")
    assert start_titles(page) == ["我要报事", "我想问问", "我要办事", "查进度", "提建议", "投票"]
    # the notices: the newest first, in large type, the whole welcome on one screen
    shown = page.locator("#notices-list .notice-title").all_inner_texts()
    assert 1 <= len(shown) <= 3 and shown == newest[: len(shown)], (shown, newest)
    if len(shown) < min(3, len(newest)):
        # fewer only when the next one would not fit (other tests of this hub may have left long
        # notices): whole notices on one screen, never one-line ones
        bodies = page.locator("#notices-list .notice-body").all_inner_texts()
        assert sum(len(b) for b in bodies) > 80, (shown, bodies)
    assert shown[0] == scoped  # the newest; whom it is for is said beside it
    assert page.locator(".notice-date").first.inner_text().startswith("给3号楼 · ")
    assert (
        page.locator("#notices-again").is_visible() and page.locator("#notices-close").is_visible()
    )
    page_fits(page, 1920, 1080)
    assert not LATIN.search(page.inner_text("body")), page.inner_text("body")
    # arriving is not idle: the notices are shown, not read to the person who came
    assert not any(e["type"] == "notices_read" for e in page.evaluate("window.__kiosk.log"))
    assert run_axe(page) == []
    check_design_numbers(page)
    title_px = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.notice-title')).fontSize)"
    )
    assert title_px >= 36

    # 提建议 and 投票 send their payloads into the dialogue, as the other start buttons do
    for title, payload in (("提建议", "/propose"), ("投票", "/vote")):
        page.goto(f"{hub_only.url}/kiosk/")
        wait_events(page, "ready", 1)  # else the page may store the last session after the clear
        page.evaluate("sessionStorage.clear()")
        page.goto(f"{hub_only.url}/kiosk/")
        wait_events(page, "reply", 1)
        page.wait_for_selector("#answers .btn")
        before = answered(page)
        page.locator("#answers").get_by_role("button", name=title, exact=True).click()
        wait_answer(page, before)
        session = page.evaluate("window.__kiosk.session")
        sent = [m["message"] for m in hub_only.dialogue if m["sender"] == f"kiosk:{session}"]
        assert sent == [payload], sent
        assert page.inner_text("#heard-text") == title  # 您点的是：提建议
        kinds = [e["type"] for e in page.evaluate("window.__kiosk.log")]
        # the notices belong to the welcome (the log says why if they stayed)
        assert page.locator("#notices").is_hidden(), (kinds, page.inner_text("#reply"))
        shot(page, f"welcome_after_{payload.strip('/')}")

    # 390 px wide: one column, everything reachable, nothing cut at the side
    narrow = chromium.new_page(390, 844)
    narrow.goto(f"{hub_only.url}/kiosk/")
    wait_events(narrow, "reply", 1)
    narrow.wait_for_selector("#notices-list li")
    assert start_titles(narrow)[-2:] == ["提建议", "投票"]
    page_fits(narrow, 390)
    for box in narrow.evaluate(
        "[...document.querySelectorAll('button:not([hidden]), .notice-title, .reply p')]"
        ".filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect().right)"
    ):
        assert box <= 390.5
    check_design_numbers(narrow)
    shot(narrow, "welcome_390")


def test_notices_are_read_once_after_idle_and_stop_for_a_resident(hub_only, chromium) -> None:
    page = chromium.new_page(1920, 1080)
    page.goto(f"{hub_only.url}/kiosk/")
    wait_events(page, "reply", 1)
    page.wait_for_selector("#notices-list li")
    # someone looks up a case and walks away: the kiosk resets to the welcome and reads the
    # notices out once
    before = answered(page)
    page.locator("#answers").get_by_role("button", name="查进度", exact=True).click()
    wait_answer(page, before)
    assert not any(e["type"] == "notices_read" for e in page.evaluate("window.__kiosk.log"))
    wait_events(page, "reset", 1, timeout_s=HUB_IDLE_TIMEOUT_S + 60)
    wait_events(page, "notices_read", 1, timeout_s=60)
    page.wait_for_function("window.__kiosk.readingNotices === true", timeout=60_000)
    assert "社区公告" in page.inner_text("#status")
    assert page.evaluate("document.body.dataset.state") == "speaking"
    shot(page, "welcome_reading_notices")
    # a resident taps the screen: the reading stops at once
    page.locator("#reply").click()
    page.wait_for_function("window.__kiosk.readingNotices === false")
    log = page.evaluate("window.__kiosk.log")
    assert [e["type"] for e in log].count("notices_read") == 1
    assert any(e["type"] == "notices_stopped" for e in log)
    # 再听一遍 reads them again; 关闭 stops and puts them away
    page.locator("#notices-again").click()
    wait_events(page, "notices_read", 2, timeout_s=60)
    page.wait_for_function("window.__kiosk.readingNotices === true", timeout=60_000)
    page.locator("#notices-close").click()
    page.wait_for_function("window.__kiosk.readingNotices === false")
    assert page.locator("#notices").is_hidden()
    page.wait_for_function("document.body.dataset.state === 'listening'")  # listening again
    assert [e["type"] for e in page.evaluate("window.__kiosk.log")].count("notices_read") == 2
    shot(page, "welcome_notices_closed")
    # nobody used the kiosk since (再听一遍 and 关闭 are no visit): the next idle reset is silent
    wait_events(page, "reset", 2, timeout_s=HUB_IDLE_TIMEOUT_S + 60)
    page.wait_for_selector("#notices-list li")
    page.wait_for_timeout(1500)
    assert [e["type"] for e in page.evaluate("window.__kiosk.log")].count("notices_read") == 2


def test_without_a_microphone_the_welcome_points_to_the_buttons(hub_only, chromium_nomic) -> None:
    for width, height in ((1920, 1080), (390, 844)):
        page = chromium_nomic.new_page(width, height)
        page.goto(f"{hub_only.url}/kiosk/")
        wait_events(page, "reply", 1)
        page.wait_for_function("document.body.dataset.mic === 'none'")
        page.wait_for_function(
            "(t) => document.querySelector('#reply').innerText.includes(t)", arg=GREETING_TOUCH
        )
        page.locator("#btn-stop").click()  # 停 without a microphone: still no 点我说话
        page.wait_for_timeout(300)
        screen = page.inner_text("#reply") + page.inner_text("#status")
        assert "点我说话" not in screen and "跟我说" not in screen, screen
        assert "按钮" in page.inner_text("#status")
        assert page.inner_text("#talk-label") == "话筒用不了"
        spoken = page.evaluate("window.__kiosk.lastReply.speech")
        assert "说话" not in spoken and spoken == GREETING_TOUCH
        page_fits(page, width, 1080 if width == 1920 else None)
        shot(page, f"welcome_no_mic_{width}")


def test_building_picker_send_button_stays_on_a_1080p_screen(hub_only, chromium_nomic) -> None:
    page = open_kiosk(chromium_nomic, hub_only.url)  # 1920×1080
    tap(page, "我要报事")
    tap(page, "电梯坏了")
    page.wait_for_selector("#answers.panel-places .btn")
    # the real location question (two lines), and a re-ask above it: the fullest the screen gets
    before = answered(page)
    page.evaluate("window.__kiosk.ws.send(JSON.stringify({type: 'digits', value: '5'}))")
    wait_answer(page, before)
    page.wait_for_selector("#reply p.retry")
    assert page.locator("#reply p").count() == 2
    shot(page, "picker_1080p")
    page_fits(page, 1920, 1080)
    send = page.locator("#typing button[type=submit]")
    box = send.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 1080, box
    assert box["x"] + box["width"] <= 1920 and box["height"] >= 60
    rows = {round(b["y"]) for b in page.evaluate(
        "[...document.querySelectorAll('#answers .btn')].map((e) => {"
        " const r = e.getBoundingClientRect(); return {y: r.top, h: r.height}; })"
    )}  # fmt: skip
    heights = page.evaluate(
        "[...document.querySelectorAll('#answers .btn')]"
        ".map((e) => e.getBoundingClientRect().height)"
    )
    assert len(rows) == 4 and min(heights) >= 64  # every building still a big target
    check_design_numbers(page)
    # 发送 is clickable where it is: the typed place goes to the dialogue
    page.locator("#typing-box").fill("6号楼3单元")
    before = answered(page)
    hit = page.evaluate(
        "() => { const r = document.querySelector('#typing button[type=submit]')"
        ".getBoundingClientRect(); const e = document.elementFromPoint(r.x + r.width / 2,"
        " r.y + r.height / 2); const b = e && e.closest('button'); return b && b.textContent; }"
    )
    assert hit == "发送"
    send.click(no_wait_after=True)
    wait_answer(page, before)
    session = page.evaluate("window.__kiosk.session")
    sent = [m["message"] for m in hub_only.dialogue if m["sender"] == f"kiosk:{session}"]
    assert sent[-1] == "6号楼3单元", sent

    # 390 px wide: two buttons to a row, the page scrolls, 发送 is reachable and inside the width
    narrow = open_kiosk(chromium_nomic, hub_only.url)
    narrow.set_viewport_size({"width": 390, "height": 844})
    tap(narrow, "我要报事")
    tap(narrow, "电梯坏了")
    narrow.wait_for_selector("#answers.panel-places .btn")
    page_fits(narrow, 390)
    send = narrow.locator("#typing button[type=submit]")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 60
    check_design_numbers(narrow)
    shot(narrow, "picker_390")


def test_notices_never_start_over_someone_at_the_kiosk(hub_only, chromium) -> None:
    """The welcome comes back after a visit while someone is already at the screen (touched it
    a moment ago, or is talking): the notices are shown but not read to them."""
    page = chromium.new_page(1920, 1080)
    page.goto(f"{hub_only.url}/kiosk/")
    wait_events(page, "reply", 1)
    page.wait_for_selector("#notices-list li")
    for busy in ("window.__kiosk.lastResident = Date.now()", "window.__kiosk.state = 'recording'"):
        before = answered(page)
        page.locator("#answers").get_by_role("button", name="查进度", exact=True).click()
        wait_answer(page, before)
        page.wait_for_timeout(3500)  # the tap itself is a while ago now
        skipped = sum(e["type"] == "notices_skipped" for e in page.evaluate("window.__kiosk.log"))
        page.evaluate(
            f"{busy}; window.__kiosk.ws.send("
            "JSON.stringify({type: 'command', name: 'reset', reason: 'idle'}))"
        )
        wait_events(page, "notices_skipped", skipped + 1, timeout_s=60)
        page.wait_for_selector("#notices-list li")
        assert not any(e["type"] == "notices_read" for e in page.evaluate("window.__kiosk.log"))


def test_a_proposal_by_touch_only(hub_only, chromium_nomic) -> None:
    """提建议 with no microphone, every screen on one 1080p screen: the proposal typed in the
    box, the building tapped, the reason skipped, the place corrected after 不对, then 对. The
    dialogue is the scripted stand-in speaking the real form's words."""
    page = open_kiosk(chromium_nomic, hub_only.url)
    screens = []

    def check(name: str) -> None:
        screens.append(name)
        page_fits(page, 1920, 1080)
        body = page.inner_text("body")
        assert not LATIN.search(body) and "点我说话" not in body, body
        check_design_numbers(page)
        shot(page, f"propose_{name}")

    tap(page, "提建议")
    assert "您有什么建议" in page.inner_text("#reply")
    assert not page.locator("#typing").is_hidden()
    names = page.locator("#answers .btn").all_inner_texts()
    assert names == ["不提了"], names  # not the start buttons: they would be taken as the idea
    assert (
        page.inner_text(".typing-label") == "请在这里写："
    )  # no microphone: the way, not a choice
    check("what")

    page.locator("#typing-box").fill("小区东门多装两盏路灯")
    before = answered(page)
    page.locator("#typing button[type=submit]").click()
    wait_answer(page, before)
    names = page.locator("#answers .btn").all_inner_texts()
    assert names[0] == "整个小区" and "5号楼" in names and "小区大门" not in names, names
    check("where")

    tap(page, "5号楼")  # the building is the answer: no unit, no room
    assert "为什么" in page.inner_text("#reply")
    check("why")
    tap(page, "不用了")
    assert "关于：5号楼" in page.inner_text("#reply")
    assert page.locator("#answers .btn-yes").is_visible() and page.locator("#answers .btn-no")
    check("read_back")

    tap(page, "不对")
    assert page.locator("#answers .btn").all_inner_texts() == ["改成整个小区", "改楼号"]
    check("what_is_wrong")
    tap(page, "改楼号")
    tap(page, "3号楼")
    assert "关于：3号楼" in page.inner_text("#reply")
    tap(page, "对")
    assert "交给社区" in page.inner_text("#reply")
    # what next: the welcome's start buttons, 议事 among them, and 办完了 for the next person
    names = page.locator("#answers .btn").all_inner_texts()
    assert names[:5] == ["我要报事", "我想问问", "我要办事", "查进度", "提建议"], names
    assert names[-1] == "办完了", names
    check("done")
    session = page.evaluate("window.__kiosk.session")
    sent = [m["message"] for m in hub_only.dialogue if m["sender"] == f"kiosk:{session}"]
    assert sent == ["/propose", "小区东门多装两盏路灯", "5号楼", "/deny", "/deny", "3号楼",
                    "/affirm"], sent  # fmt: skip

    narrow = open_kiosk(chromium_nomic, hub_only.url)
    narrow.set_viewport_size({"width": 390, "height": 844})
    tap(narrow, "提建议")
    narrow.locator("#typing-box").fill("小区东门多装两盏路灯")
    before = answered(narrow)
    narrow.locator("#typing button[type=submit]").click()
    wait_answer(narrow, before)
    page_fits(narrow, 390)
    check_design_numbers(narrow)
    shot(narrow, "propose_where_390")


def test_a_vote_by_touch_asks_for_a_home(hub_only, chromium_nomic) -> None:
    """投票 without a microphone: the household is a home (one vote each): buildings, then
    units, then the room on the pad; no outdoor place and nothing to skip. After the vote, the
    start buttons come back with 议事 among them."""
    open_poll(hub_only)
    page = chromium_nomic.new_page(1920, 1080)
    has_vote = (
        "[...document.querySelectorAll('#answers .btn')].some((b) => b.textContent === '投票')"
    )
    open_welcome(page, hub_only.url, has_vote)
    tap(page, "投票")
    assert "每户一票" in page.inner_text("#reply")
    names = page.locator("#answers .btn").all_inner_texts()
    assert names[:3] == ["1号楼", "2号楼", "3号楼"], names
    assert all(n.endswith("号楼") for n in names), names  # no 小区大门, 地下车库 …
    assert "不在楼里" not in page.inner_text("#answers-label")
    page_fits(page, 1920, 1080)
    shot(page, "vote_household")
    tap(page, "5号楼")
    units = page.locator("#answers .btn").all_inner_texts()
    assert units == [f"{n}单元" for n in range(1, 7)], units
    assert "不用" not in page.inner_text("#reply")
    shot(page, "vote_unit")
    tap(page, "2单元")
    page.wait_for_selector("#keypad:not([hidden])")
    assert page.locator("#answers .btn").count() == 0  # no 不用房号 beside the pad
    assert "不用" not in page.inner_text("#reply")
    shot(page, "vote_room")
    key_in(page, "301")
    assert "票记下了" in page.inner_text("#reply")
    after = page.locator("#answers .btn").all_inner_texts()
    assert {"提建议", "投票", "办完了"} <= set(after), after
    page_fits(page, 1920, 1080)
    check_design_numbers(page)
    shot(page, "vote_recorded")
    session = page.evaluate("window.__kiosk.session")
    sent = [m["message"] for m in hub_only.dialogue if m["sender"] == f"kiosk:{session}"]
    assert sent == ["/vote", "5号楼2单元301室"], sent
