"""Speech recognition interface: what the recogniser should expect, and what it returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from core import taxonomy
from voice.audio import AudioClip

KINDS = (
    "free",
    "category",
    "location",
    "description",
    "urgency",
    "phone",
    "yes_no",
    "service_type",
    "applicant",
    "time",
    "command",
)
"""Question kinds the dialogue can announce with ``{"custom": {"expect": kind}}``, plus
``command``: what the kiosk expects when a resident talks while it is speaking (barge-in)."""

YES_WORDS = ["对", "对的", "没错", "是的", "是", "好", "好的", "可以", "行", "嗯"]
NO_WORDS = ["不对", "不是", "错了", "不行", "不要", "不用", "算了"]
BARGE_IN_WORDS = ["停", "停下", "别说了", "再说一遍", "转人工", "大声点", "慢一点", "小声点"]
"""What residents say to interrupt the kiosk; a short prompt of only these lets Whisper hear a
lone "停" (with the generic prompt it returns nothing for it)."""
COMMAND_WORDS = ["再说一遍", "停", "转人工", "大声点", "慢一点", "算了", "取消"]
"""Words residents may say at any question (the kiosk and dialogue handle them)."""

CHINESE_NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
LANDMARKS = [
    "东门", "西门", "南门", "北门", "大门口", "小区门口", "广场", "花园", "停车场", "车库",
    "地下车库", "菜市场", "超市", "活动中心", "社区服务中心", "幼儿园", "健身器材", "垃圾站",
    "楼道", "楼下", "楼上", "电梯", "单元门口", "路口", "小路",
]  # fmt: skip
URGENCY_WORDS = ["急", "很急", "特别急", "紧急", "不急", "不着急", "一般", "马上", "尽快"]
APPLICANT_WORDS = ["我自己", "本人", "给我妈", "我妈妈", "母亲", "我爸", "父亲", "老伴", "爱人",
                   "儿子", "女儿", "家里老人", "替别人办"]  # fmt: skip
TIME_WORDS = ["上午", "下午", "晚上", "白天", "今天", "明天", "后天", "周一", "周二", "周三",
              "周四", "周五", "周六", "周日", "星期六", "随时", "都可以"]  # fmt: skip
PHONE_WORDS = ["不留", "不方便", "一三八", "一三九", "一五", "一八"]
DESCRIPTION_WORDS = ["坏了", "不亮", "漏水", "渗水", "堵了", "停水", "停电", "噪音", "异味",
                     "没人管"]  # fmt: skip
FREE_WORDS = ["报事", "咨询", "办事", "社区", "物业", "楼道灯", "电梯", "漏水", "垃圾", "路灯",
              "高龄津贴", "居住证明", "老年卡"]  # fmt: skip
"""Words, never whole answers: no list here may hold a sentence a test clip or a bench
utterance says (``tests/unit/voice/test_prompt_hygiene.py``), or the recogniser is primed with
the test's answer and the test measures the prompt, not the hearing."""


@dataclass
class Expectation:
    """What the current question expects the resident to say (steers the recogniser)."""

    kind: str = "free"
    """One of ``KINDS``."""
    phrases: list[str] = field(default_factory=list)
    """Words and phrases likely in the answer (prompt for Whisper, grammar for vosk)."""
    digits: int | None = None
    """For ``phone``: a number of exactly this many digits is expected (one group of a number
    being corrected); None: a whole phone number."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown expectation kind {self.kind!r}")


@dataclass
class Transcript:
    """What the recogniser heard."""

    text: str
    """Normalised Simplified-Chinese text; empty when nothing usable was heard."""
    confidence: float | None = None
    """Engine confidence in [0, 1] when it gives one."""
    seconds: float = 0.0
    """Wall time the recognition took."""


class Recognizer(ABC):
    """A speech recogniser. ``transcribe`` blocks: call it via ``asyncio.to_thread``."""

    @abstractmethod
    def transcribe(self, clip: AudioClip, expect: Expectation | None = None) -> Transcript:
        """Recognise one utterance, steered by what the current question expects."""


def _locations() -> list[str]:
    buildings = [f"{n}号楼" for n in CHINESE_NUMBERS]
    units = [f"{n}单元" for n in CHINESE_NUMBERS[:6]]
    combos = [f"{b}{u}" for b in buildings[:6] for u in units[:3]]
    return buildings + units + combos[:8] + LANDMARKS


def _category_words() -> list[str]:
    words: list[str] = []
    for cat in taxonomy.categories():
        words.append(cat.name)
        words.extend(s for s in cat.synonyms[:3] if s not in words)
    return words


def _service_words() -> list[str]:
    words: list[str] = []
    for svc in taxonomy.services():
        words.append(svc.name)
        words.extend(s for s in svc.synonyms[:2] if s not in words)
    return words


def expectation_for(kind: str) -> Expectation:
    """The expected words for a question kind (unknown kinds fall back to ``free``)."""
    if kind not in KINDS:
        kind = "free"
    if kind == "category":
        phrases = _category_words()
    elif kind == "location":
        phrases = _locations()
    elif kind == "description":
        phrases = DESCRIPTION_WORDS
    elif kind == "urgency":
        phrases = URGENCY_WORDS
    elif kind == "phone":
        phrases = PHONE_WORDS + CHINESE_NUMBERS[:10] + ["零"]
    elif kind == "yes_no":
        phrases = YES_WORDS + NO_WORDS + ["不对，是"]
    elif kind == "service_type":
        phrases = _service_words()
    elif kind == "applicant":
        phrases = APPLICANT_WORDS
    elif kind == "time":
        phrases = TIME_WORDS
    elif kind == "command":
        phrases = BARGE_IN_WORDS
    else:
        phrases = FREE_WORDS
    return Expectation(kind=kind, phrases=list(dict.fromkeys(phrases)))
