"""The kiosk by TOUCH ONLY, in real headless Chromium with NO microphone, at 1920×1080.

The dialogue is the scripted stand-in (``harness/fakes/fake_rasa.py``); the hub, its case system,
the kiosk's WebSocket, speech synthesis and the page are real. Every step is a tap: start
buttons, answer buttons, the building picker, the number pad. Screenshots land in
``tests/artifacts/voice/touch_*.png``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.voice.conftest import run_axe, screenshot, wait_events
from tests.e2e.voice.test_kiosk_accessibility import check_design_numbers
from voice.kiosk.service import GREETING_TOUCH

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RECORD_STATES = """
document.addEventListener('DOMContentLoaded', () => {
  window.__states = [document.body.dataset.state];
  new MutationObserver(() => window.__states.push(document.body.dataset.state))
    .observe(document.body, {attributes: true, attributeFilter: ['data-state']});
});
"""
ANSWERED = "window.__kiosk.log.filter(e => e.type === 'reply' || e.type === 'retry').length"


def open_kiosk(chromium, url: str):  # type: ignore[no-untyped-def]
    """The kiosk page, its greeting shown, with every screen state recorded."""
    page = chromium.new_page()
    page.add_init_script(RECORD_STATES)
    page.goto(f"{url}/kiosk/")
    wait_events(page, "reply", 1)
    page.wait_for_selector("#answers .btn")
    return page


def answered(page) -> int:  # type: ignore[no-untyped-def]
    return page.evaluate(ANSWERED)


def wait_answer(page, before: int) -> dict:  # type: ignore[no-untyped-def]
    """Wait for the kiosk's next reply (or re-ask); return it."""
    page.wait_for_function(f"{ANSWERED} > {before}", timeout=60_000)
    return page.evaluate(
        "window.__kiosk.log.filter(e => e.type === 'reply' || e.type === 'retry').at(-1)"
    )


def tap(page, title: str) -> dict:  # type: ignore[no-untyped-def]
    """Tap the answer button with exactly these words; the kiosk's answer."""
    before = answered(page)
    page.locator("#answers").get_by_role("button", name=title, exact=True).click()
    return wait_answer(page, before)


def key_in(page, digits: str) -> dict:  # type: ignore[no-untyped-def]
    """Type on the number pad and press 确定; the kiosk's answer."""
    page.wait_for_selector("#keypad:not([hidden])")
    for d in digits:
        page.locator(f'#keypad .key[data-key="{d}"]').click()
    before = answered(page)
    page.locator("#pad-ok").click()
    return wait_answer(page, before)


def shown(page) -> str:  # type: ignore[no-untyped-def]
    return page.inner_text("#reply")


def last_speech(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("window.__kiosk.lastReply && window.__kiosk.lastReply.speech") or ""


def assert_never_listened(page) -> None:  # type: ignore[no-untyped-def]
    states = page.evaluate("window.__states")
    assert "recording" not in states and "listening" not in states, states
    kinds = {e["type"] for e in page.evaluate("window.__kiosk.log")}
    assert not kinds & {"mic_open", "speech_start", "speech_end"}, kinds


def test_report_by_touch_only_without_a_microphone(hub_only, chromium_nomic) -> None:
    page = open_kiosk(chromium_nomic, hub_only.url)
    # no microphone: said plainly, and 点我说话 never turns into a recording state
    page.wait_for_function("document.body.dataset.mic === 'none'")
    page.locator("#talk").click()
    page.wait_for_timeout(800)
    assert page.inner_text("#talk-label") == "话筒用不了"
    assert "按钮" in page.inner_text("#status")
    assert_never_listened(page)
    screenshot(page, "touch_start_no_mic")

    tap(page, "我要报事")
    assert page.locator("#answers").get_by_role("button", name="电梯坏了").count() == 1
    assert not page.locator("#typing").is_hidden()  # a big box for those who type
    screenshot(page, "touch_report_what")

    tap(page, "电梯坏了")
    names = page.locator("#answers .btn").all_inner_texts()
    assert names[:3] == ["1号楼", "2号楼", "3号楼"] and "20号楼" in names  # the community's list
    assert last_speech(page).endswith("也可以点屏幕上的楼号。")  # no microphone: where to tap
    assert run_axe(page) == []
    check_design_numbers(page)
    screenshot(page, "touch_report_building")

    tap(page, "5号楼")
    assert "几单元" in shown(page)
    tap(page, "2单元")
    keys = page.locator("#keypad .key")
    for i in range(keys.count()):
        box = keys.nth(i).bounding_box()
        assert box["width"] >= 80 and box["height"] >= 80
    reply = key_in(page, "301")
    assert reply["expect"] == "phone" and "手机号" in shown(page)
    assert "三零一室" in last_speech(page)  # the place read back, room digit by digit
    assert run_axe(page) == []
    check_design_numbers(page)
    screenshot(page, "touch_report_phone")

    retry = key_in(page, "12345")  # not a phone: a kind re-ask, nothing sent on
    assert retry["type"] == "retry"
    assert "11位" in shown(page) and not page.locator("#keypad").is_hidden()
    screenshot(page, "touch_report_bad_phone")

    page.wait_for_selector("#keypad:not([hidden])")
    for d in "13812345678":
        page.locator(f'#keypad .key[data-key="{d}"]').click()
    assert page.inner_text("#pad-display") == "138 1234 5678"  # grouped 3-4-4 as typed
    before = answered(page)
    page.locator("#pad-ok").click()
    wait_answer(page, before)
    assert "幺三八，幺二三四，五六七八" in last_speech(page)  # read back in groups
    assert "5号楼2单元301室" in shown(page) and "尾号5678" in shown(page)
    screenshot(page, "touch_report_readback")

    page.locator("#answers .btn-yes").click()
    page.wait_for_selector("#case:not([hidden])")
    case_no = page.inner_text("#case-no")
    assert case_no.startswith("BS-")
    screenshot(page, "touch_report_done")
    assert_never_listened(page)
    with hub_only.client() as client:
        case = client.get(f"/api/cases/{case_no}").json()
    assert case["category"] == "elevator" and case["channel"] == "kiosk"
    assert case["location"] == {"building": "5", "unit": "2", "room": "301",
                                "landmark": None, "raw": None}  # fmt: skip
    assert case["contact_masked"].endswith("5678")


def test_service_application_by_touch_only(hub_only, chromium_nomic) -> None:
    page = open_kiosk(chromium_nomic, hub_only.url)
    tap(page, "我要办事")
    assert "高龄津贴" in page.locator("#answers").inner_text()
    screenshot(page, "touch_service_which")
    tap(page, "高龄津贴")
    tap(page, "帮家人办")
    tap(page, "明天上午")
    key_in(page, "13900001111")
    assert "对吗" in shown(page)
    screenshot(page, "touch_service_readback")
    page.locator("#answers .btn-yes").click()
    page.wait_for_selector("#case:not([hidden])")
    case_no = page.inner_text("#case-no")
    assert case_no.startswith("FW-")
    assert_never_listened(page)
    with hub_only.client() as client:
        case = client.get(f"/api/cases/{case_no}").json()
    assert case["service_code"] == "elderly_allowance" and case["applicant"] == "家属"
    assert case["time_preference"] == "明天上午" and case["contact_masked"].endswith("1111")

    page.locator("#answers").get_by_role("button", name="办完了").click()
    page.wait_for_function("window.__kiosk.log.some(e => e.type === 'reset')")
    # a fresh screen for the next person: the start buttons, no case number, and still no
    # microphone: the welcome points to the buttons, never to 点我说话
    page.locator("#answers").get_by_role("button", name="我要报事").wait_for()
    assert page.locator("#case").is_hidden()
    page.wait_for_function(
        "(t) => document.querySelector('#reply').innerText.includes(t)", arg=GREETING_TOUCH
    )
    assert page.inner_text("#talk-label") == "话筒用不了"
    assert "说话" not in last_speech(page) and "跟我说" not in page.inner_text("#reply")


def _resolve(data_dir, case_no: str) -> None:  # type: ignore[no-untyped-def]
    """Staff mark the case done (straight in the hub's database: the console needs a login)."""
    from cases import lifecycle
    from cases.crud import get_case
    from cases.db import make_engine, make_session_factory, session_scope
    from cases.statuses import Status

    engine = make_engine(f"sqlite:///{data_dir / 'cases.db'}")
    try:
        with session_scope(make_session_factory(engine)) as session:
            case = get_case(session=session, case_no=case_no)
            lifecycle.change_status(
                session=session, case=case, new_status=Status.RESOLVED, now=datetime.now(UTC),
                actor="测试", note="换了一段水管",
            )  # fmt: skip
    finally:
        engine.dispose()


def test_status_check_and_confirmation_by_touch(hub_only, chromium_nomic) -> None:
    with hub_only.client() as client:
        made = client.post("/api/cases", json={
            "type": "report", "category": "leak", "description": "厨房水管一直滴水",
            "location": {"building": "8", "unit": "1", "room": "402"}, "channel": "telegram",
            "sender_id": "tg:4242", "contact_phone": "13566667777",
        })  # fmt: skip
        assert made.status_code == 201, made.text
        case_no = made.json()["case_no"]
    _resolve(hub_only.data_dir, case_no)
    digits = case_no.replace("-", "")[2:]  # what the slip shows, without the letters

    page = open_kiosk(chromium_nomic, hub_only.url)
    tap(page, "查进度")
    assert "后四位" in shown(page)
    screenshot(page, "touch_status_number")

    key_in(page, digits)  # the whole number: date and serial
    assert page.inner_text("#heard-text") == f"{digits[:8]} {digits[8:]}"
    key_in(page, "0000")  # the wrong phone
    miss_wrong_phone = shown(page)
    assert "没有查到" in miss_wrong_phone and "漏水" not in page.inner_text("body")
    screenshot(page, "touch_status_not_found")

    tap(page, "再输一次")
    unknown = f"{(int(case_no[-4:]) + 500) % 10000:04d}"  # a number nobody has
    key_in(page, unknown)
    key_in(page, "7777")
    assert shown(page) == miss_wrong_phone  # the same words: nothing tells which was wrong

    tap(page, "再输一次")
    key_in(page, case_no[-4:])
    key_in(page, "7777")
    page.wait_for_selector("#view:not([hidden])")
    card = page.inner_text("#view")
    assert case_no in card and "漏水渗水" in card and "8号楼1单元402室" in card
    assert "已办结" in card and "13566667777" not in page.inner_text("body")
    assert "解决了吗" in shown(page)
    assert run_axe(page) == []
    check_design_numbers(page)
    screenshot(page, "touch_status_found")

    reply = tap(page, "解决了")
    assert reply["type"] == "reply" and "办结" in shown(page)
    screenshot(page, "touch_status_confirmed")
    assert_never_listened(page)
    with hub_only.client() as client:
        assert client.get(f"/api/cases/{case_no}").json()["status"] == "closed"


def test_handoff_by_touch_keeps_phone_and_place(hub_only, chromium_nomic) -> None:
    page = open_kiosk(chromium_nomic, hub_only.url)
    before = answered(page)
    page.locator("#btn-human").click()
    wait_answer(page, before)
    assert "怎么联系您" in shown(page)
    assert page.locator("#answers").get_by_role("button", name="我在这里等").count() == 1
    screenshot(page, "touch_handoff_reach")

    tap(page, "留电话")
    retry = key_in(page, "1381234")  # too short for a mobile, no area code: asked again
    assert retry["type"] == "retry" and "再输一遍" in shown(page)
    key_in(page, "13700002222")
    assert "哪栋楼" in shown(page)
    tap(page, "3号楼")
    tap(page, "1单元")
    key_in(page, "502")
    page.wait_for_selector("#case:not([hidden])")
    case_no = page.inner_text("#case-no")
    text = shown(page)
    assert case_no.startswith("RG-") and "工作人员" in text and "尾号2222" in text
    assert "上班" in text  # when staff will call, in working-hours terms
    screenshot(page, "touch_handoff_done")
    with hub_only.client() as client:
        case = client.get(f"/api/cases/{case_no}").json()
        history = client.get(f"/api/cases/{case_no}/history").json()
    assert case["type"] == "callback" and case["contact_masked"].endswith("2222")
    assert case["location"]["building"] == "3" and case["location"]["room"] == "502"
    assert any("电话" in h["text"] for h in history)


def test_lookup_guesses_are_limited_per_kiosk_session(hub_only) -> None:
    """Counting through numbers at the kiosk stops after a few misses (over the WebSocket)."""
    import json

    from websockets.sync.client import connect

    url = hub_only.url.replace("http://", "ws://") + "/kiosk/ws"
    # a reply carries its speech as a WAV data URL: a long one is over websockets' 1 MiB default
    with connect(url, max_size=8 * 2**20) as ws:
        ws.send(json.dumps({"type": "hello", "session": None}))

        def until_answer() -> dict:
            while True:
                ev = json.loads(ws.recv(timeout=60))
                if ev["type"] in ("reply", "retry"):
                    return ev

        until_answer()  # greeting
        texts = []
        for guess in range(6):
            ws.send(json.dumps({"type": "button", "title": "查进度", "payload": "kiosk:status"}))
            until_answer()
            ws.send(json.dumps({"type": "digits", "value": f"{9000 + guess}"}))
            until_answer()
            ws.send(json.dumps({"type": "digits", "value": "1234"}))
            texts.append(until_answer()["messages"][0]["text"])
    assert texts[0] == texts[3] and "没有查到" in texts[0]
    assert all("先不能再查" in t for t in texts[4:])
    assert httpx.get(f"{hub_only.url}/healthz").status_code == 200


# ----- against the real stack (Rasa with the trained model, the action server, the hub) ---------
TOUCH_ANSWERS = {
    "category": ["电梯故障"],
    "description": ["电梯坏了"],
    "location": ["5号楼", "2单元", "#301"],
    "urgency": ["很急"],
    "phone": ["#13812345678"],
    "service_type": ["高龄津贴"],
    "applicant": ["帮家人办"],
    "time": ["明天上午"],
}
"""What a resident taps for each kind of question ("#…" is typed on the number pad)."""


def answer_by_touch(page, first: str, name: str, limit: int = 12) -> str:  # type: ignore[no-untyped-def]
    """Tap ``first``, then answer whatever the dialogue asks, by kind, until a case number
    shows; returns it. The order of the questions is the dialogue's business."""
    reply = tap(page, first)
    for turn in range(limit):
        if page.locator("#case").is_visible():
            return page.inner_text("#case-no")
        expect = reply.get("expect")
        screenshot(page, f"touch_real_{name}_{turn}")
        if expect == "yes_no":  # the read-back: what was tapped, in words
            assert "对吗" in shown(page) and "/" not in shown(page), shown(page)  # no "/report"
            reply = tap(page, "对")
            continue
        assert expect in TOUCH_ANSWERS, (expect, shown(page))
        for step in TOUCH_ANSWERS[expect]:
            reply = key_in(page, step[1:]) if step.startswith("#") else tap(page, step)
    raise AssertionError(f"no case after {limit} answers: {shown(page)}")


@pytest.mark.integration
def test_report_service_status_and_handoff_by_touch_against_the_real_stack(
    live_stack, chromium_nomic
) -> None:
    page = open_kiosk(chromium_nomic, live_stack.hub_url)
    report_no = answer_by_touch(page, "我要报事", "report")
    assert report_no.startswith("BS-")
    assert_never_listened(page)
    with live_stack.hub() as client:
        report = client.get(f"/api/cases/{report_no}").json()
    assert report["category"] == "elevator" and report["channel"] == "kiosk"
    assert report["location"]["building"] == "5" and report["location"]["room"] == "301"
    assert report["contact_masked"].endswith("5678")

    tap(page, "还有别的事")
    service_no = answer_by_touch(page, "我要办事", "service")
    with live_stack.hub() as client:
        service = client.get(f"/api/cases/{service_no}").json()
    assert service["service_code"] == "elderly_allowance"
    assert service["applicant"] == "家属" and service["contact_masked"].endswith("5678")

    tap(page, "还有别的事")
    tap(page, "查进度")
    key_in(page, report_no[-4:])
    key_in(page, "5678")
    page.wait_for_selector("#view:not([hidden])")
    assert report_no in page.inner_text("#view")
    screenshot(page, "touch_real_status")

    before = answered(page)
    page.locator("#btn-human").click()
    wait_answer(page, before)
    tap(page, "留电话")
    key_in(page, "13700002222")
    tap(page, "不说了")
    page.wait_for_selector("#case:not([hidden])")
    callback_no = page.inner_text("#case-no")
    screenshot(page, "touch_real_handoff")
    with live_stack.hub() as client:
        callback = client.get(f"/api/cases/{callback_no}").json()
    assert callback["type"] == "callback" and callback["contact_masked"].endswith("2222")


ONE_LINE = """(el) => { const r = document.createRange(); r.selectNodeContents(el);
  const rects = [...r.getClientRects()].filter((b) => b.width > 0);
  return new Set(rects.map((b) => Math.round(b.top))).size; }"""
"""How many lines an element's text takes."""

NAME_LINES = """(el) => { const t = el.firstChild; const s = t.textContent;
  const r = document.createRange(); r.setStart(t, s.lastIndexOf(' ') + 1); r.setEnd(t, s.length);
  const rects = [...r.getClientRects()].filter((b) => b.width > 0);
  return new Set(rects.map((b) => Math.round(b.top))).size; }"""
"""How many lines the last word of an element's text takes ("钱师傅" of "物业维修二组 钱师傅")."""


def test_case_number_and_times_stay_on_one_line_at_390(hub_only, chromium_nomic) -> None:
    """A phone-sized screen (390 px): the case number, on the card and in the status card, and
    each time (预计办好, 登记时间, the history's) are never split over two lines, nor is the
    worker's name (处理人)."""
    with hub_only.client() as client:
        made = client.post("/api/cases", json={
            "type": "report", "category": "leak", "description": "厨房水管一直滴水",
            "location": {"building": "8", "unit": "1", "room": "402"}, "channel": "telegram",
            "sender_id": "tg:4243", "contact_phone": "13566668888",
        })  # fmt: skip
        assert made.status_code == 201, made.text
        case_no = made.json()["case_no"]
    page = open_kiosk(chromium_nomic, hub_only.url)
    page.set_viewport_size({"width": 390, "height": 844})
    tap(page, "查进度")
    key_in(page, case_no[-4:])
    key_in(page, "8888")
    page.wait_for_selector("#view:not([hidden])")
    rows = dict(zip(page.locator("#view-rows dt").all_inner_texts(),
                    page.locator("#view-rows dd").element_handles(), strict=True))  # fmt: skip
    assert {"编号", "预计办好", "登记时间"} <= set(rows), list(rows)
    for label in ("编号", "预计办好", "登记时间"):
        assert rows[label].evaluate(ONE_LINE) == 1, (label, rows[label].inner_text())
    assert rows["处理人"].evaluate(NAME_LINES) == 1, rows["处理人"].inner_text()  # not 钱师/傅
    for when in page.locator("#view-history .when").element_handles():
        assert when.evaluate(ONE_LINE) == 1, when.inner_text()
    assert page.locator("#view-history .when").count() >= 1
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, page_width
    screenshot(page, "touch_status_390")

    # a new case: its number, huge, on one line
    narrow = open_kiosk(chromium_nomic, hub_only.url)
    narrow.set_viewport_size({"width": 390, "height": 844})
    tap(narrow, "我要办事")
    tap(narrow, "高龄津贴")
    tap(narrow, "我自己")
    tap(narrow, "随时都行")
    key_in(narrow, "13900002222")
    narrow.locator("#answers .btn-yes").click()
    narrow.wait_for_selector("#case:not([hidden])")
    number = narrow.locator("#case-no")
    assert number.evaluate(ONE_LINE) == 1, number.inner_text()
    box = number.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    size = number.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 28, size  # still the biggest thing on the screen
    page_width = narrow.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, page_width
    screenshot(narrow, "touch_case_no_390")


def test_solved_or_not_answers_stay_under_the_question_at_390(hub_only, chromium_nomic) -> None:
    """A phone (390×844): 问题解决了吗？ and its three answers are on the screen, each on one
    line, even after a long history (they were under the edge, 解决 / 了 split in two); the
    case card follows below them."""
    with hub_only.client() as client:
        made = client.post("/api/cases", json={
            "type": "report", "category": "leak", "description": "厨房水管一直滴水",
            "location": {"building": "12", "unit": "3", "room": "1502"}, "channel": "telegram",
            "sender_id": "tg:4244", "contact_phone": "13566669999",
        })  # fmt: skip
        case_no = made.json()["case_no"]
    _resolve(hub_only.data_dir, case_no)
    page = chromium_nomic.new_page(390, 844)
    page.goto(f"{hub_only.url}/kiosk/")
    wait_events(page, "reply", 1)
    page.wait_for_selector("#answers .btn")
    tap(page, "查进度")
    key_in(page, case_no[-4:])
    key_in(page, "9999")
    page.wait_for_selector("#view:not([hidden])")
    assert "解决了吗" in shown(page)
    page.wait_for_timeout(300)
    for title in ("解决了", "部分解决", "没解决"):
        button = page.locator("#answers").get_by_role("button", name=title, exact=True)
        box = button.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, (title, box)
        assert button.evaluate(ONE_LINE) == 1, title
    screenshot(page, "touch_rate_390")
    assert tap(page, "部分解决")["type"] == "reply"
