"""What a resident needs is on the screen without scrolling (issue 13), in real headless Chromium
with no microphone, by touch only.

* 390×844 (a grid worker's phone) and 1920×1080 (the kiosk): the current question, its answer
  buttons or number pad (keys ≥ 80 px) and the read-back are inside the viewport at every step of
  a report and of a status check by number; the building picker whole (20 buildings and the
  places, down to 服务中心).
* The welcome's community notices are shown whole, wrapped, up to 3 lines each; a longer one
  ends in "…" and 看全文 opens it in full.

The dialogue is the scripted stand-in (``harness/fakes/fake_rasa.py``); hub, cases, kiosk and
page are real. Viewport screenshots (what is above the fold): ``var/screenshots/kiosk/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.e2e.voice.conftest import wait_events
from tests.e2e.voice.test_kiosk_accessibility import check_design_numbers
from tests.e2e.voice.test_kiosk_touch import RECORD_STATES, answered, wait_answer
from tests.e2e.voice.test_kiosk_welcome import SHOTS, open_welcome

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IN_VIEW = """([h]) => {
  const shown = (e) => e.offsetParent !== null;
  const out = [];
  const check = (sel) => document.querySelectorAll(sel).forEach((e) => {
    if (!shown(e)) return;
    const r = e.getBoundingClientRect();
    const text = (e.textContent || '').trim().slice(0, 16);
    if (r.top < -0.5 || r.bottom > h + 0.5) out.push([sel, text, r.top, r.bottom]);
  });
  ['#reply p', '#answers .btn', '#keypad .key', '#pad-ok', '#pad-display'].forEach(check);
  return out;
}"""


def open_at(chromium, url: str, width: int, height: int):  # type: ignore[no-untyped-def]
    page = chromium.new_page(width, height)
    page.add_init_script(RECORD_STATES)
    page.goto(f"{url}/kiosk/")
    wait_events(page, "reply", 1)
    page.wait_for_selector("#answers .btn")
    return page


def in_view(page, name: str, height: int) -> None:  # type: ignore[no-untyped-def]
    """The question, its answers and the pad are all on the screen, no scrolling by hand."""
    page.wait_for_timeout(200)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"one_screen_{name}.png"))  # the viewport, not the page
    assert page.locator("#reply p").count() >= 1
    outside = page.evaluate(IN_VIEW, [height])
    assert outside == [], (name, outside)
    for box in page.evaluate(
        "[...document.querySelectorAll('#keypad .key')].filter((e) => e.offsetParent)"
        ".map((e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    ):
        assert box[0] >= 80 and box[1] >= 80, (name, box)  # number keys ≥ 80 px


def tap(page, title: str) -> dict:  # type: ignore[no-untyped-def]
    """Tap like a finger: no scrolling first (a button out of sight fails here)."""
    before = answered(page)
    button = page.locator("#answers").get_by_role("button", name=title, exact=True)
    box = button.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return wait_answer(page, before)


def pad(page, digits: str) -> dict:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#keypad:not([hidden])")
    for d in digits:
        key = page.locator(f'#keypad .key[data-key="{d}"]').bounding_box()
        page.mouse.click(key["x"] + key["width"] / 2, key["y"] + key["height"] / 2)
    ok = page.locator("#pad-ok").bounding_box()
    before = answered(page)
    page.mouse.click(ok["x"] + ok["width"] / 2, ok["y"] + ok["height"] / 2)
    return wait_answer(page, before)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1920, 1080)])
def test_question_answers_pad_and_read_back_fit_one_screen(
    hub_only, chromium_nomic, width: int, height: int
) -> None:
    size = f"{width}"
    page = open_at(chromium_nomic, hub_only.url, width, height)
    tap(page, "我要报事")
    in_view(page, f"{size}_what", height)
    tap(page, "电梯坏了")
    in_view(page, f"{size}_building", height)  # the whole picker, 小区广场 … 服务中心 too
    places = page.locator("#answers .btn").all_inner_texts()
    assert places[-3:] == ["小区广场", "地下车库", "服务中心"] and len(places) == 24, places
    if width < 1000:
        check_design_numbers(page)  # rows of 60 px, names in 24 px type
    tap(page, "5号楼")
    in_view(page, f"{size}_unit", height)
    tap(page, "2单元")
    in_view(page, f"{size}_room_pad", height)
    pad(page, "301")
    in_view(page, f"{size}_phone_pad", height)
    pad(page, "13812345678")
    assert "对吗" in page.inner_text("#reply")
    in_view(page, f"{size}_read_back", height)
    page.locator("#answers .btn-yes").click()
    page.wait_for_selector("#case:not([hidden])")
    case_no = page.inner_text("#case-no")
    if width < 1000:
        check_design_numbers(page)

    status = open_at(chromium_nomic, hub_only.url, width, height)
    tap(status, "查进度")
    in_view(status, f"{size}_status_pad", height)
    pad(status, case_no[-4:])
    in_view(status, f"{size}_status_phone_pad", height)
    if width < 1000:
        check_design_numbers(status)


LONG = (
    "因为二次供水泵房改造，下周一到周三每天上午9点到下午4点，5号楼到12号楼停水，"
    "请提前储水；高层住户请注意，来水后前几分钟水可能发黄，放一会儿就好。"
    "施工期间泵房附近请不要停车，带小孩的居民请绕行东侧小路。停水期间社区服务中心一楼有饮用水，"
    "行动不便的老人可以打社区电话，网格员会把水送到家里。给大家添麻烦了，谢谢理解。"
)


TITLE = "二次供水泵房改造停水"


def _long_notice(hub, *, active: bool) -> None:  # type: ignore[no-untyped-def]
    """Publish the long notice, or withdraw it (the hub is shared with the other kiosk tests)."""
    from sqlalchemy import update

    from cases.db import make_engine
    from cases.models import Notice

    engine = make_engine(f"sqlite:///{hub.data_dir.resolve() / 'cases.db'}")
    with Session(engine) as session:
        if active:
            now = datetime.now(UTC)
            session.add(Notice(title=TITLE, body=LONG, published_at=now,
                               expires_at=now + timedelta(days=1)))  # fmt: skip
        else:
            session.execute(update(Notice).where(Notice.title == TITLE).values(active=False))
        session.commit()
    engine.dispose()


LINES = """() => [...document.querySelectorAll('#notices-list li')].map((li) => {
  const b = li.querySelector('.notice-body');
  const lh = parseFloat(getComputedStyle(b).lineHeight);
  const more = li.querySelector('.notice-more');
  const lines = b.clientHeight / lh;
  b.style.cssText = 'display: block; -webkit-line-clamp: unset';  // the whole text, measured
  const full = b.clientHeight / lh;
  b.style.cssText = '';
  return {title: li.querySelector('.notice-title').textContent, shown: b.offsetParent !== null,
          lines, full, more: more ? more.textContent : null};
})"""


@pytest.fixture
def long_notice(hub_only) -> Iterator[str]:  # type: ignore[no-untyped-def]
    _long_notice(hub_only, active=True)
    try:
        yield TITLE
    finally:
        _long_notice(hub_only, active=False)


def test_notices_are_shown_whole_and_a_long_one_opens_in_full(
    hub_only, chromium_nomic, long_notice: str
) -> None:
    title = long_notice
    page = chromium_nomic.new_page(1920, 1080)
    first = "document.querySelector('.notice-title')?.textContent"
    open_welcome(page, hub_only.url, f"{first} === {title!r}")
    page.wait_for_selector("#notices-list li")
    notices = page.evaluate(LINES)
    assert notices[0]["title"] == title, notices
    long = notices[0]
    assert 2.9 <= long["lines"] <= 3.1 and long["full"] > 3.5, long  # 3 lines, then "…"
    assert long["more"] == "看全文"
    for n in notices[1:]:  # the others whole: never cut to one line
        assert abs(n["lines"] - min(n["full"], 3)) < 0.1 and n["more"] is None, n
    page.screenshot(path=str(SHOTS / "notices_long_1080p.png"))
    size = page.evaluate("document.documentElement.scrollHeight")
    assert size <= 1080, size
    more = page.locator(".notice-more")
    assert more.bounding_box()["height"] >= 60
    check_design_numbers(page)

    more.click()  # the whole notice; the others step aside
    opened = page.evaluate(LINES)
    assert opened[0]["lines"] > 3.5 and abs(opened[0]["lines"] - opened[0]["full"]) < 0.1, opened
    assert not any(n["shown"] for n in opened[1:]), opened
    assert page.inner_text(".notice-more") == "收起"
    assert LONG[-10:] in page.inner_text("#notices-list")
    page.screenshot(path=str(SHOTS / "notices_long_opened_1080p.png"))
    page.locator(".notice-more").click()
    back = page.evaluate(LINES)
    assert 2.9 <= back[0]["lines"] <= 3.1 and all(n["shown"] for n in back), back

    narrow = chromium_nomic.new_page(390, 844)
    open_welcome(narrow, hub_only.url, f"{first} === {title!r}")
    narrow.wait_for_selector(".notice-more")
    narrow.screenshot(path=str(SHOTS / "notices_long_390.png"), full_page=True)
    check_design_numbers(narrow)


def test_a_long_typed_text_keeps_the_answers_on_screen(hub_only, chromium_nomic) -> None:
    """1920×1080: a 500-character description echoed under 您写的是 took 13 lines and pushed
    the building picker off the screen; the echo is 2 lines at most now."""
    page = open_at(chromium_nomic, hub_only.url, 1920, 1080)
    tap(page, "我要报事")
    page.wait_for_selector("#typing:not([hidden])")
    page.fill("#typing-box", "电梯坏了，" + "楼道" * 300)
    before = answered(page)
    page.locator("#typing button[type=submit]").click()
    wait_answer(page, before)
    assert "楼道楼道" in page.inner_text("#heard-text")  # what was typed is still echoed
    in_view(page, "1920_long_text", 1080)  # the whole building picker


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1920, 1080)])
def test_a_wrong_phone_keeps_the_whole_pad_on_screen(
    hub_only, chromium_nomic, width: int, height: int
) -> None:
    """A number that is not a phone: the re-ask says what to enter and stands in for the
    question (shown above it again, the two pushed the pad's last row, 清空 0 删一位, under the
    screen's edge); every key stays in sight, 0 too."""
    page = open_at(chromium_nomic, hub_only.url, width, height)
    tap(page, "我要报事")
    tap(page, "电梯坏了")
    tap(page, "5号楼")
    tap(page, "2单元")
    pad(page, "301")
    retry = pad(page, "12345")  # not a phone
    assert retry["type"] == "retry"
    shown = page.locator("#reply p:visible").all_inner_texts()
    assert len(shown) == 1 and "11位" in shown[0], shown  # the re-ask, not the question again
    in_view(page, f"{width}_bad_phone", height)
    pad(page, "13812345678")
    assert "对吗" in page.inner_text("#reply")
