"""A phone number said at the kiosk by a REAL person, read back in groups, one group corrected.

Real headless Chromium, its fake microphone fed a real recording of an 11-digit mobile number
read aloud (AISHELL sample, speaker S0150: the held-out set of the phone bench, rebuilt from a
pinned public repository by ``bench/data/phone/build_phone_sets.py`` and not redistributed, so
the test runs where it was built). The recogniser is the real one (Whisper base, digit path).

The resident reads the number from a note, then sees that its last four digits are an old
number: taps 不对, taps the last group and types the new four digits on the number pad. The
resident checks the read-back against the number meant, like a person: any group the kiosk
misheard is corrected in that same turn (one correction turn at most).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.data.phone.build_phone_sets import DEFAULT_OUT as PHONES
from bench.data.phone.build_phone_sets import build, find_source
from tests.e2e.voice.conftest import screenshot, wait_events, write_answer, write_silence
from tests.e2e.voice.test_kiosk_touch import answered, key_in, last_speech, shown, tap, wait_answer
from voice.digits import differing_groups, groups, spoken_digits
from voice.kiosk.digits import read_back_phone

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLIP = "wav/BAC009S0150W0086.wav"
NEW_TAIL = "2468"


def _clip() -> tuple[str, str]:
    """(wav path, digits said) of the real recording: built from the public snapshot where one
    is on this machine, skipped where it is not."""
    table = PHONES / "transcripts.tsv"
    if not table.exists() and (source := find_source()) is not None:
        build(source)
    if not table.exists():
        pytest.skip(
            "real set not built here: the held-out phone recordings (S0150), rebuilt by "
            "bench/data/phone/build_phone_sets.py from a snapshot of a public repository"
        )
    rows = dict(line.split("\t", 1) for line in table.read_text(encoding="utf-8").splitlines()[1:])
    return str(PHONES / CLIP), spoken_digits(rows[CLIP])


def test_a_real_spoken_phone_number_with_one_group_corrected(hub_only, chromium) -> None:
    wav, said = _clip()
    meant = said[:7] + NEW_TAIL
    write_silence(chromium.mic)
    page = chromium.new_page()
    page.goto(f"{hub_only.url}/kiosk/?barge=0")
    wait_events(page, "reply", 1)
    page.wait_for_selector("#answers .btn")
    tap(page, "我要报事")
    tap(page, "电梯坏了")
    tap(page, "5号楼")
    tap(page, "2单元")
    before = answered(page)
    asked = key_in(page, "301")
    assert asked["expect"] == "phone", asked
    # the answer goes into the microphone while the kiosk asks; it listens once it has spoken
    write_answer(chromium.mic, Path(wav))
    wait_events(page, "speech_end", 1, timeout_s=120)
    write_silence(chromium.mic)
    heard_back = wait_answer(page, before + 1)
    screenshot(page, "phone_voice_read_back")
    transcript = [e for e in page.evaluate("window.__kiosk.log") if e["type"] == "transcript"][-1]
    heard = transcript["text"]
    assert transcript["expect"] == "phone"
    assert heard_back["type"] == "reply", (heard, heard_back)
    assert " ".join(groups(heard)) in shown(page), (heard, shown(page))
    assert read_back_phone(heard) in last_speech(page)  # 3-4-4, 1 said 幺
    assert sum(a == b for a, b in zip(heard, said, strict=False)) >= 9, (heard, said)

    wrong = differing_groups(heard, meant)
    assert wrong, "the note's last group differs: there is something to correct"
    tap(page, "不对")
    assert "哪一段" in shown(page)
    screenshot(page, "phone_voice_which_group")
    if len(wrong) == 1:  # one group: tap it, type just that group
        index = wrong[0]
        tap(page, groups(heard)[index])
        assert "再说一遍" in shown(page)
        fixed = key_in(page, groups(meant)[index])
    else:  # misheard elsewhere too: the whole number on the pad, still one turn
        fixed = key_in(page, meant)
    screenshot(page, "phone_voice_fixed")
    if "改好了" in shown(page):  # one group fixed: the whole number read back, 对
        assert " ".join(groups(meant)) in shown(page), fixed
        page.locator("#answers .btn-yes").click()
    page.wait_for_function("document.querySelector('#reply').innerText.includes('尾号')")
    assert f"尾号{meant[-4:]}" in shown(page)  # the dialogue got the corrected number
    page.locator("#answers .btn-yes").click()
    page.wait_for_selector("#case:not([hidden])")
    case_no = page.inner_text("#case-no")
    with hub_only.client() as client:
        case = client.get(f"/api/cases/{case_no}").json()
    assert case["contact_masked"].endswith(meant[-4:])
    assert case["channel"] == "kiosk"
