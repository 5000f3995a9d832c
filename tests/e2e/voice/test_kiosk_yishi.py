"""议事 at the kiosk against the real stack (Rasa + trained model, action server, hub): a proposal
made by voice in real headless Chromium, its fake microphone fed speech clips, real recognition.

The resident starts with the 提建议 button and answers by voice; the reason is skipped with the
"不用了" button (touch and voice mix, as people do). No recording of a resident proposing
something exists here, so the proposal's words are a real read sentence (Common Voice, CC0:
"从来都不是停止练习的借口") — what is tested is that the kiosk hears it, asks where and why,
reads it back and files it, not what the proposal says. The answers are SYNTHETIC speech (see
``synthetic_domain``'s SOURCES.md). A problem said after 提建议 ("三号楼楼下的垃圾…") is
taken as 报事, by voice too.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.voice.conftest import screenshot, wait_events, write_answer, write_silence
from tests.paths import speech_dir, synthetic_clip

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.integration]

STAFF = {"X-Staff-Name": "%E6%B5%8B%E8%AF%95"}  # 测试


def replies(page) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e for e in page.evaluate("window.__kiosk.log") if e["type"] == "reply"]


def wait_reply(page, count: int) -> dict:  # type: ignore[no-untyped-def]
    return [e for e in wait_events(page, "reply", count, timeout_s=180) if e["type"] == "reply"][-1]


def shown(page) -> str:  # type: ignore[no-untyped-def]
    return page.inner_text("#reply")


READ_SENTENCE = "common_voice_zh-CN_18536155.wav"
"""A real recording of a sentence that is neither a problem nor a question."""


def say(page, mic, clip: str, spoken: int) -> dict:  # type: ignore[no-untyped-def]
    """Say a clip when the kiosk listens; the kiosk's reply to it."""
    before = len(replies(page))
    path = (
        speech_dir("commonvoice_zhCN_flyai") / "wav" / clip
        if clip.startswith("common_voice")
        else synthetic_clip(clip)
    )
    write_answer(mic, path)
    wait_events(page, "speech_end", spoken, timeout_s=180)
    write_silence(mic)
    return wait_reply(page, before + 1)


def shares_words(heard: str, text: str) -> bool:
    """Some three characters in a row of what was heard are in the text (normalisation such as
    三 → 3 may change the rest)."""
    han = re.sub(r"[^\u4e00-\u9fff]", "", heard)
    return any(han[i : i + 3] in text for i in range(len(han) - 2))


def tap(page, title: str) -> dict:  # type: ignore[no-untyped-def]
    before = len(replies(page))
    page.locator("#answers").get_by_role("button", name=title, exact=True).click()
    return wait_reply(page, before + 1)


def test_a_proposal_by_voice_at_the_kiosk(live_stack, chromium) -> None:  # type: ignore[no-untyped-def]
    write_silence(chromium.mic)
    page = chromium.new_page()
    page.goto(f"{live_stack.hub_url}/kiosk/?barge=0")
    wait_reply(page, 1)
    page.wait_for_selector("#answers .btn")
    tap(page, "提建议")
    assert "您有什么建议" in shown(page), shown(page)
    screenshot(page, "yishi_propose_what")

    where = say(page, chromium.mic, READ_SENTENCE, 1)
    heard = [e["text"] for e in page.evaluate("window.__kiosk.log") if e["type"] == "transcript"]
    assert len(re.sub(r"\W", "", heard[-1])) >= 6, heard  # a sentence was heard (what it says
    # is the recogniser's business, tested on real recordings elsewhere)
    assert where.get("expect") == "location" and "哪栋楼" in shown(page), shown(page)
    screenshot(page, "yishi_propose_where")

    spoken = 2
    for _ in range(2):  # a misheard building is asked again, as it would be for a person
        why = say(page, chromium.mic, "slot_location_b3.wav", spoken)
        spoken += 1
        if "为什么" in shown(page):
            break
    assert "为什么" in shown(page), (why, shown(page))
    tap(page, "不用了")
    readback = shown(page)
    assert "3号楼" in readback and "对吗" in readback, readback
    assert shares_words(heard[0], readback), (heard, readback)
    screenshot(page, "yishi_propose_readback")

    say(page, chromium.mic, "yes.wav", spoken)
    done = shown(page)
    m = re.search(r"编号是第(\d+)号", done)
    assert m, done
    screenshot(page, "yishi_propose_done")
    with live_stack.hub() as hub:
        listed = hub.get("/api/deliberation/proposals", headers=STAFF).json()
    mine = [p for p in listed if p["number"] == int(m.group(1))]
    assert mine and mine[0]["channel"] == "kiosk", mine
    assert shares_words(heard[0], mine[0]["what"]), (heard, mine)
    assert mine[0]["place_label"].startswith("3号楼"), mine


def test_a_problem_said_after_the_proposal_button_becomes_a_report(  # type: ignore[no-untyped-def]
    live_stack, chromium
) -> None:
    write_silence(chromium.mic)
    page = chromium.new_page()
    page.goto(f"{live_stack.hub_url}/kiosk/?barge=0")
    wait_reply(page, 1)
    page.wait_for_selector("#answers .btn")
    tap(page, "提建议")
    assert "您有什么建议" in shown(page), shown(page)
    say(page, chromium.mic, "report_garbage.wav", 1)
    said = shown(page)
    assert "报事" in said and "为什么" not in said and "哪栋楼" not in said, said
    screenshot(page, "yishi_problem_becomes_report")
