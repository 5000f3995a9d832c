"""转人工 at the kiosk, answered "我在这里等": in working hours the call-back task says where the
resident waits and staff are told to come; after hours the kiosk says nobody is there and offers
the phone instead, making no task that nobody would act on (issue 13 item 3)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.contracts import Location
from core.rasa_rest import BotMessage, messages_of
from voice.kiosk.handoff import HERE, HandoffFlow
from voice.kiosk.limits import GuessLimiter
from voice.kiosk.steps import Kit

TASK = "RG-20261123-0007"


class FakeCases:
    """The case system's ``add_details``, recorded."""

    def __init__(self) -> None:
        self.details: list[tuple[str, str | None, Location | None]] = []

    async def add_details(
        self, case_no: str, sender_id: str, *, phone: str | None, location: Location | None
    ) -> bool:
        self.details.append((case_no, phone, location))
        return True


def flow_at(when: datetime) -> tuple[HandoffFlow, FakeCases, list[str]]:
    cases, sent = FakeCases(), []

    async def dialogue(text: str) -> list[BotMessage]:
        sent.append(text)
        return messages_of([
            {"text": f"好的，已为您转人工，登记编号 {TASK}。"},
            {"custom": {"case_no": TASK, "type": "callback", "access_code": "AB2C-D3EF"}},
        ])  # fmt: skip

    kit = Kit(cases=cases, limiter=GuessLimiter(), session_id="s1", dialogue=dialogue,  # type: ignore[arg-type]
              now=lambda: when.astimezone(UTC))  # fmt: skip
    return HandoffFlow(kit=kit), cases, sent


def china(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def test_waiting_here_in_working_hours_makes_the_task_with_the_place() -> None:
    flow, cases, sent = flow_at(china(23, 10))  # a Monday, 10:00
    asked = flow.start()
    assert "我在这里等" in [b["title"] for b in asked.buttons]
    done = await flow.on_button("kiosk:reach:here")
    assert done is not None and done.case_no == TASK
    assert sent == ["/handoff_human"]
    assert cases.details == [(TASK, None, Location(landmark=HERE))]
    assert "工作人员会尽快过来找您" in done.text and "打电话" not in done.text


async def test_waiting_here_after_hours_says_nobody_is_there_and_makes_no_task() -> None:
    flow, cases, sent = flow_at(china(28, 19))  # a Saturday evening
    told = await flow.on_button("kiosk:reach:here")
    assert told is not None and told.case_no is None
    assert "服务中心没有工作人员" in told.text and "周一上午8点半" in told.text
    assert [b["title"] for b in told.buttons] == ["留电话", "改天再来"]
    assert sent == [] and cases.details == []
