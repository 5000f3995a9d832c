"""Text as the synthesiser should say it: digits one by one where people say them so."""

from __future__ import annotations

import io
import shutil
import wave

import pytest

from voice.engines.zh_phones import phonemes, split_syllable
from voice.tts_text import cardinal, clauses, speakable


@pytest.mark.parametrize(
    ("text", "heard"),
    [
        # phone numbers: digit by digit, 3-4-4, 1 as 幺
        ("电话是13812345678。", "电话是幺三八，幺二三四，五六七八。"),
        ("座机010-12345678", "座机零幺零，幺二三四，五六七八"),
        # the tail of a phone and case numbers: digit by digit, no 幺
        ("电话尾号5678。对吗？", "电话尾号五六七八。对吗？"),
        ("比如0098。", "比如零零九八。"),
        ("BS-20261203-0098", "比艾丝，二零二六，一二零三，零零九八"),
        (
            "编号BS-20261203-0098（尾号 0 0 9 8）",
            "编号比艾丝，二零二六，一二零三，零零九八，尾号零零九八",
        ),
        ("B S，二零二六", "比艾丝，二零二六"),
        # buildings, units, rooms
        ("5号楼2单元301室", "五号楼二单元三零一室"),
        ("12号楼", "十二号楼"),
        # counts and ordinals in words
        ("手机号是11位数字，第一位是1", "手机号是十一位数字，第一位是一"),
        ("2个人，第2个", "两个人，第二个"),
        ("100元", "一百元"),
        ("拨打120或12345", "拨打幺二零或幺二三四五"),
        ("明天上午8:30", "明天上午八点半"),
        ("百分之", "百分之"),
        ("50%", "百分之五十"),
        ("1.5公里", "一点五公里"),
        # punctuation that is not heard
        ("您可以说“我要报事”“我想问问”", "您可以说我要报事，我想问问"),
        ("这属于哪一类问题？。", "这属于哪一类问题？"),
        ("高龄津贴（为母亲办理），时间", "高龄津贴，为母亲办理，时间"),
        ("", ""),
    ],
)
def test_speakable(text: str, heard: str) -> None:
    assert speakable(text) == heard


@pytest.mark.parametrize(
    ("number", "words"),
    [(0, "零"), (10, "十"), (15, "十五"), (20, "二十"), (105, "一百零五"), (110, "一百一十"),
     (2026, "两千零二十六"), (10086, "一万零八十六"), (23000, "两万三千")],
)  # fmt: skip
def test_cardinal(number: int, words: str) -> None:
    assert cardinal(number) == words


def test_clauses_keep_their_marks() -> None:
    assert clauses("好的，电话是：幺三八。对吗？") == [
        ("好的", "，"),
        ("电话是", "："),
        ("幺三八", "。"),
        ("对吗", "？"),
    ]
    assert clauses("。") == []


@pytest.mark.parametrize(
    ("syllable", "split"),
    [("zhong", ("zh", "ong")), ("you", ("^", "iou")), ("ju", ("j", "v")), ("xue", ("x", "ve")),
     ("shi", ("sh", "iii")), ("zi", ("z", "ii")), ("gui", ("g", "uei")), ("liu", ("l", "iou")),
     ("dun", ("d", "uen")), ("lve", ("l", "ve")), ("er", ("^", "er")), ("wu", ("^", "u")),
     ("yuan", ("^", "van")), ("an", ("^", "an"))],
)  # fmt: skip
def test_pinyin_split_follows_the_voice_symbols(syllable: str, split: tuple[str, str]) -> None:
    assert split_syllable(syllable) == split


def test_phonemes_of_a_clause() -> None:
    assert phonemes("急不急") == ["sil", "j", "i2", "#0", "b", "u4", "#0", "j", "i2", "sil"]
    assert phonemes("123") == ["sil", "sil"]  # numbers must be words first (speakable)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs Debian espeak-ng")
def test_espeak_says_numbers_as_words_and_pauses_between_clauses() -> None:
    from voice.tts import COMMA_PAUSE_S, Pyttsx3Synthesizer

    tts = Pyttsx3Synthesizer()

    def seconds(data: bytes) -> float:
        with wave.open(io.BytesIO(data)) as w:
            return w.getnframes() / w.getframerate()

    # espeak is given the spoken form: as long as the words written out (五千六百七十八 and
    # 五号楼 read by espeak itself would differ), letters by their Chinese names
    digits = seconds(tts.synthesize("电话尾号5678，5号楼"))
    assert digits == pytest.approx(seconds(tts.synthesize("电话尾号五六七八，五号楼")), abs=0.05)
    assert seconds(tts.synthesize("电话尾号五千六百七十八，五号楼")) > digits + 0.3
    assert seconds(tts.synthesize("B S")) == pytest.approx(
        seconds(tts.synthesize("比艾丝")), abs=0.05
    )

    with_pause = seconds(tts.synthesize("好的，对吗"))
    without = seconds(tts.synthesize("好的对吗"))
    assert with_pause >= without + COMMA_PAUSE_S * 0.8
