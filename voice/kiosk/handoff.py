"""转人工 at the kiosk: how to reach the resident (a phone on the number pad, or "我在这里等")
and where, then the call-back task — with that phone and place — and an honest word on when
staff will call (working hours, Asia/Shanghai).

The task itself is made by the dialogue (``/handoff_human``: it carries what the resident
already said); the kiosk then adds the phone and the place to it through the case system.
When the dialogue made the task on its own (the resident asked for a person in words), the
kiosk asks the same questions and adds the answers to that task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.contracts import Location
from voice.kiosk import touch
from voice.kiosk.digits import digits_in, read_back_phone, shown_phone, valid_phone
from voice.kiosk.hours import callback_promise, open_until
from voice.kiosk.hubcases import CasesUnavailable
from voice.kiosk.place import PlacePicker
from voice.kiosk.speech import display_messages, find_access_code, find_case_no, print_url
from voice.kiosk.steps import Kit, Step
from voice.kiosk.touch import btn

logger = logging.getLogger(__name__)

HERE = "社区服务中心自助机旁"
ASK_REACH = "好的，帮您找工作人员。工作人员怎么联系您好？"
ASK_PHONE = "请输入您的手机号，工作人员会打给您。"
PHONE_REASK = "这个号码好像不太对。手机号是11位数字，第一位是1，请再输一遍。座机请连区号一起输。"
SKIP_WHERE = btn("不说了", "kiosk:where:skip")
"""Beside the place picker of a hand-off: the resident would rather not say where."""
ASK_WHERE = "您住在哪栋楼？工作人员好知道是哪里的事。"
NOT_SAVED = "电话和地点这次没记上，请到一楼综合窗口告诉工作人员。"
REACH_BUTTONS = [
    btn("留电话", "kiosk:reach:phone"),
    btn("我在这里等", "kiosk:reach:here"),
    btn("不用了", "kiosk:home"),
]


@dataclass
class HandoffFlow:
    """Reach (phone / wait here) → where → the call-back task with both."""

    kit: Kit
    buildings: list[dict] = field(default_factory=list)
    case_no: str | None = None
    """Set when the dialogue already made the task."""
    access_code: str | None = None
    step: str = "reach"
    phone: str | None = None
    picker: PlacePicker | None = None

    def start(self, lead: str = "") -> Step:
        """Ask how to reach the resident."""
        self.step = "reach"
        return Step(
            text=(lead + ASK_REACH) if lead else ASK_REACH,
            buttons=list(REACH_BUTTONS),
            touch=touch.hint("answers", columns=3),
        )

    async def on_button(self, payload: str) -> Step | None:
        """留电话 / 我在这里等 / places / 不说了; None when not a hand-off button."""
        name = payload.removeprefix(touch.LOCAL)
        if name == "human":
            return self.start()
        if name == "reach:phone":
            self.step = "phone"
            return Step(
                text=ASK_PHONE,
                buttons=[btn("我在这里等", "kiosk:reach:here")],
                touch=touch.hint("keypad", keypad="phone"),
            )
        if name == "reach:here":
            return await self._wait_here()
        if name == "where:skip" and self.step == "where":
            return await self._finish(None, waiting_here=False)
        if self.step == "where" and self.picker is not None:
            picked = self.picker.on_button(payload)
            if isinstance(picked, Location):
                return await self._finish(picked, waiting_here=False)
            if picked is not None:
                picked.buttons.append(btn("不说了", "kiosk:where:skip"))
            return picked
        return None

    async def on_digits(self, value: str) -> Step:
        """The phone number (or, at "where", a room number)."""
        digits = digits_in(value)
        if self.step == "where" and self.picker is not None:
            picked = self.picker.on_digits(digits)
            if isinstance(picked, Location):
                return await self._finish(picked, waiting_here=False)
            return picked
        if self.step not in ("reach", "phone"):
            return Step(text="现在不用输数字，请点屏幕上的按钮。", kind="retry")
        if not valid_phone(digits):
            return Step(
                text=PHONE_REASK,
                kind="retry",
                buttons=[btn("我在这里等", "kiosk:reach:here")],
                touch=touch.hint("keypad", keypad="phone"),
            )
        self.phone, self.step = digits, "where"
        self.picker = PlacePicker(buildings=self.buildings)
        step = self.picker.first(f"好的，电话是 {shown_phone(digits)}。{ASK_WHERE}")
        step.speech = f"好的，电话是：{read_back_phone(digits)}。{ASK_WHERE}"
        if step.touch is not None:  # after the places (first, it read like one of them)
            step.touch = {**step.touch, "quick": [*step.touch.get("quick", []), SKIP_WHERE]}
        else:
            step.buttons = [SKIP_WHERE]
        step.heard = shown_phone(digits)
        return step

    async def on_text(self, text: str) -> Step | None:
        """Words said or typed at any step; None leaves the hand-off."""
        digits = digits_in(text)
        if self.step in ("reach", "phone") and len(digits) >= 7:
            return await self.on_digits(digits)
        if self.step == "reach":
            if "等" in text or "这里" in text:
                return await self._wait_here()
            if "电话" in text or "手机" in text:
                return await self.on_button("kiosk:reach:phone")
            return None
        if self.step == "where" and text.strip():
            return await self._finish(Location(raw=text.strip()[:500]), waiting_here=False)
        return None

    async def _wait_here(self) -> Step:
        now = self.kit.now()
        if open_until(now) is None:  # nobody is there: say so, offer the phone instead
            self.step = "reach"
            return Step(
                text=callback_promise(now, phone_tail=None, waiting_here=True),
                buttons=[btn("留电话", "kiosk:reach:phone"), btn("改天再来", "kiosk:home")],
                touch=touch.hint("answers", columns=2),
            )
        return await self._finish(Location(landmark=HERE), waiting_here=True)

    async def _finish(self, where: Location | None, *, waiting_here: bool) -> Step:
        """Make (or complete) the call-back task; tell the resident what happens next."""
        self.step = "done"
        kit = self.kit
        if self.case_no is None:
            raw = await kit.dialogue("/handoff_human")
            self.case_no = find_case_no(raw)
            if self.case_no is None:  # the dialogue kept the request for later, or failed
                said = "".join(m["text"] for m in display_messages(raw)) or NOT_SAVED
                return Step(text=said, buttons=list(touch.DONE), touch=touch.hint("done"))
            self.access_code = find_access_code(raw, self.case_no)
        stored = True
        try:
            stored = await kit.cases.add_details(
                self.case_no, f"kiosk:{kit.session_id}", phone=self.phone, location=where
            )
        except CasesUnavailable:
            stored = False
        promise = callback_promise(
            kit.now(),
            phone_tail=self.phone[-4:] if self.phone else None,
            waiting_here=waiting_here,
        )
        text = f"已经帮您转给工作人员了。{promise}"
        if not stored:
            text += NOT_SAVED
        return Step(
            text=text,
            buttons=list(touch.DONE),
            touch=touch.hint("done"),
            case_no=self.case_no,
            print_url=print_url(self.case_no, self.access_code),
        )
