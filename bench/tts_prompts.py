"""The sentences the kiosk actually speaks, collected from the product (not written for the bench).

Each prompt is the text the kiosk hands its synthesiser: the dialogue's words (the Rasa domain's
responses, the forms' questions of ``actions/ask.py``, the read-backs of ``actions/readback.py``
filled with slot values, the case-number announcement of ``actions/submit.py``) turned into
speech by the kiosk's own ``voice.kiosk.speech.speech_text``, and the kiosk's own sentences
(greeting, re-asks, number-pad read-backs, 查进度, 转人工 with the working-hours promise).
Only the slot values (a building, a phone, a case number, a time) are chosen here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "nlu" / "domain.yml"
DOMAIN_RESPONSES = ("utter_greet", "utter_default", "utter_clarify", "utter_goodbye")
PHONE = "13812345678"
CASE_NO = "BS-20261203-0098"


@dataclass(frozen=True)
class Prompt:
    """One sentence the kiosk speaks."""

    key: str
    """Where it comes from (module.name or the domain response)."""
    kind: str
    """greeting, question, readback, number, reask, status, handoff."""
    text: str
    """What the kiosk gives its synthesiser (after ``speech_text``)."""

    @property
    def short(self) -> bool:
        """A short prompt (≤ 16 characters): the latency target applies to these."""
        return len(self.text) <= 16


def _spoken(text: str, case_no: str | None = None) -> str:
    from voice.kiosk.speech import plain_reply, speech_text

    return speech_text(plain_reply(text), case_no)


def _domain_texts() -> list[Prompt]:
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    return [
        Prompt(f"domain.{name}", "greeting" if name == "utter_greet" else "reask",
               _spoken(responses[name][0]["text"]))
        for name in DOMAIN_RESPONSES
    ]  # fmt: skip


def _questions() -> list[Prompt]:
    from actions import ask

    classes = (
        ask.AskDescription, ask.AskCategory, ask.AskLocation, ask.AskUrgency, ask.AskContact,
        ask.AskServiceType, ask.AskApplicant, ask.AskTimePreference,
    )  # fmt: skip
    return [Prompt(f"actions.ask.{c.__name__}", "question", _spoken(c.text)) for c in classes]


def _readbacks() -> list[Prompt]:
    from actions.readback import report_summary, service_summary

    report = {
        "category": "corridor_light",
        "location": {"building": "5", "unit": "2"},
        "description": "楼道灯坏了",
        "urgency": "urgent",
        "contact": PHONE,
    }
    report_room = {
        "category": "leak",
        "location": {"building": "12", "unit": "3", "room": "301"},
        "urgency": "normal",
        "contact": "declined",
    }
    service = {
        "service_type": "elderly_allowance",
        "applicant": "母亲",
        "time_preference": "明天上午",
        "contact": "13955550123",
    }
    return [
        Prompt("actions.readback.report_summary", "readback", _spoken(report_summary(report))),
        Prompt("actions.readback.report_summary.room", "readback",
               _spoken(report_summary(report_room))),
        Prompt("actions.readback.service_summary", "readback", _spoken(service_summary(service))),
    ]  # fmt: skip


def _case_announcement() -> Prompt:
    from actions.readback import speakable_case_no

    # actions/submit.py: f"已受理！您的报事编号是 {speakable_case_no(created.case_no)}。"
    text = f"已受理！您的报事编号是 {speakable_case_no(CASE_NO)}。"
    return Prompt("actions.submit.report_created", "number", _spoken(text, CASE_NO))


def _kiosk_texts() -> list[Prompt]:
    from core.contracts import Location
    from voice.kiosk import digits, handoff, hours, service, status, touchturns
    from voice.kiosk.place import place_speech

    tz = ZoneInfo("Asia/Shanghai")
    evening = datetime(2026, 12, 3, 19, 10, tzinfo=tz)  # a Thursday, after working hours
    out = [
        Prompt("voice.kiosk.service.GREETING", "greeting", service.GREETING),
        Prompt("voice.kiosk.service.NOT_HEARD", "reask", service.NOT_HEARD),
        Prompt("voice.kiosk.touchturns.HOME", "question", touchturns.HOME),
        Prompt("voice.kiosk.digits.PHONE_REASK", "reask", digits.PHONE_REASK),
        Prompt("voice.kiosk.digits.ROOM_REASK", "reask", digits.ROOM_REASK),
        Prompt("voice.kiosk.touchturns.phone_readback", "number",
               f"好的，电话是：{digits.read_back_phone(PHONE)}。"),
        Prompt("voice.kiosk.place.place_speech", "readback",
               f"好的，{place_speech(Location(building='5', unit='2', room='301'))}。"),
        Prompt("voice.kiosk.status.ASK_NUMBER", "status", status.ASK_NUMBER),
        Prompt("voice.kiosk.status.ASK_TAIL", "status", status.ASK_TAIL),
        Prompt("voice.kiosk.status.NOT_FOUND", "status", status.NOT_FOUND),
        Prompt("voice.kiosk.handoff.ASK_REACH", "handoff", handoff.ASK_REACH),
        Prompt("voice.kiosk.handoff.ASK_WHERE", "handoff", handoff.ASK_WHERE),
    ]  # fmt: skip
    out.append(
        Prompt(
            "voice.kiosk.hours.callback_promise",
            "handoff",
            hours.callback_promise(evening, phone_tail=PHONE[-4:], waiting_here=False),
        )
    )
    return out


def kiosk_prompts() -> list[Prompt]:
    """Every prompt of the bench, in a fixed order."""
    return [
        *_kiosk_texts()[:1],
        *_domain_texts(),
        *_questions(),
        *_readbacks(),
        _case_announcement(),
        *_kiosk_texts()[1:],
    ]
