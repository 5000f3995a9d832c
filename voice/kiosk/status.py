"""查进度 at the kiosk: a case by its number (or last 4 digits) plus the last 4 digits of the
phone that reported it, shown as the resident may see it; 解决了 / 部分解决 / 没解决 there.

Whether a number exists is never told: an unknown number and a wrong phone get the same
"没有查到", and misses are limited per kiosk session and kiosk-wide (``limits``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from core.localtime import promised, shown_local
from voice.kiosk import touch
from voice.kiosk.digits import CASE_REASK, TAIL_REASK, case_groups, digits_in, say_digits
from voice.kiosk.hubcases import CaseRefused, CasesUnavailable
from voice.kiosk.steps import Kit, Step
from voice.kiosk.touch import btn

logger = logging.getLogger(__name__)

ASK_NUMBER = "请输入编号的后四位，回执上写着“后四位”，比如0098。输完整的编号也可以。"
ASK_TAIL = "再输入报事时留的手机号的最后4位。"
NOT_FOUND = "没有查到。请核对一下编号和手机号后四位，再试一次。"
TOO_MANY = (
    "试了好几次都没有查到。为了保护大家的信息，这里先不能再查了。请到一楼综合窗口，工作人员帮您查。"
)
NO_NUMBER = "没有编号也不要紧，请到一楼综合窗口，工作人员帮您查。要找工作人员，点“转人工”。"
NO_PHONE = "没留电话的话，这里查不到。请带上回执到一楼综合窗口，工作人员核对后告诉您进度。"
UNREACHABLE = "系统暂时连不上，查不到进度。请过一会儿再试，或者到一楼综合窗口问问。"
RATINGS = {"resolved": "解决了", "partial": "部分解决", "unresolved": "没解决"}
HOME = btn("回到首页", "kiosk:home")
HUMAN = btn("转人工", "kiosk:human")


def _date_speech(when: datetime) -> str:
    """ "12月3日晚上10点04分" (said)."""
    hour = when.hour
    part = "凌晨" if hour < 6 else "上午" if hour < 12 else "中午" if hour < 13 else (
        "下午" if hour < 18 else "晚上")  # fmt: skip
    shown = hour if hour <= 12 else hour - 12
    minute = "" if when.minute == 0 else ("半" if when.minute == 30 else f"{when.minute:02d}分")
    return f"{when.month}月{when.day}日{part}{shown}点{minute}"


def open_note(case: dict) -> str:
    """Where a case still being handled can be followed, as it is: a kiosk pushes nothing (the
    resident is gone when there is news); a case reported in Telegram hears there (pushes go to
    the chat that reported it)."""
    again = f"再来点“查进度”，输入编号后四位{case['case_no'][-4:]}和手机号后四位就能看到。"
    if case.get("channel") == "telegram":
        return f"有进展会在您当初报事的手机聊天里告诉您。也可以{again}"
    return f"自助机不会主动通知您。想知道进展，过几天{again}"


def place_text(location: dict | None) -> str:
    """ "5号楼2单元301室" / a landmark / the resident's words."""
    loc = location or {}
    parts = "".join(
        p
        for p in (
            f"{loc['building']}号楼" if loc.get("building") else "",
            f"{loc['unit']}单元" if loc.get("unit") else "",
            f"{loc['room']}室" if loc.get("room") else "",
        )
    )
    landmark = loc.get("landmark") or ""
    return "，".join(p for p in (parts, landmark) if p) or (loc.get("raw") or "")


def case_view(view: dict) -> tuple[dict, str]:
    """The card the page shows for a resident's case, and the sentence to speak."""
    case = view["case"]
    what = case.get("category_label") or case.get("service_label") or "您的事项"
    where = place_text(case.get("location"))
    status = case.get("status_label") or ""
    open_case = case.get("status") not in ("resolved", "closed")
    due = promised(case.get("due_at")) if open_case else None
    rows = [
        ["编号", case["case_no"]],
        ["事项", what],
        ["地点", where],
        ["现在", status],
        ["处理人", case.get("assignee") or ""],
        ["预计办好", f"{shown_local(due)}前" if due else ""],
        ["登记时间", shown_local(case.get("created_at"))],
    ]
    history = [[shown_local(h.get("at")), h.get("text") or ""] for h in view.get("history") or []][
        -3:
    ]
    card = {"title": "事项进度", "rows": [r for r in rows if r[1]], "history": history}
    tail = say_digits(case["case_no"][-4:])
    spoken = f"查到了。编号后四位{tail}，{what}" + (f"，{where}" if where else "")
    spoken += f"。现在：{status}。"
    if due:
        spoken += f"预计{_date_speech(due)}前办好。"
    return card, spoken


@dataclass
class StatusFlow:
    """Number → phone last 4 → the case → (when it is done) the resident's confirmation."""

    kit: Kit
    step: str = "number"
    number: str = ""
    case_no: str | None = None

    def start(self) -> Step:
        """Ask for the number."""
        self.step, self.number, self.case_no = "number", "", None
        return Step(
            text=ASK_NUMBER,
            buttons=[btn("没有编号", "kiosk:status:nonumber")],
            touch=touch.hint("keypad", keypad="case"),
        )

    async def on_button(self, payload: str) -> Step | None:
        """没有编号 / 没留电话 / 解决了 … ; None when not a status button."""
        name = payload.removeprefix(touch.LOCAL)
        if name == "status":
            return self.start()
        if name == "status:nonumber":
            return Step(text=NO_NUMBER, buttons=[HUMAN, HOME], touch=touch.hint("answers"))
        if name == "status:nophone":
            return Step(text=NO_PHONE, buttons=[HOME], touch=touch.hint("answers"))
        if name.startswith("rate:") and self.case_no and self.step == "shown":
            return await self._rate(name.removeprefix("rate:"))
        return None

    async def on_text(self, text: str) -> Step | None:
        """A number said or typed; None (leave the check) for anything else."""
        digits = digits_in(text)
        if digits and self.step in ("number", "tail"):
            return await self.on_digits(digits)
        for code, label in RATINGS.items():
            if label in text and self.case_no and self.step == "shown":
                return await self._rate(code)
        return None

    async def on_digits(self, value: str) -> Step:
        """The number, then the phone's last 4 digits."""
        digits = digits_in(value)
        if self.step == "number":
            if len(digits) != 4 and len(digits) < 12:
                return Step(
                    text=CASE_REASK, kind="retry", touch=touch.hint("keypad", keypad="case")
                )
            self.number, self.step = digits, "tail"
            shown = " ".join(case_groups(digits))
            return Step(
                text=f"编号 {shown}。{ASK_TAIL}",
                speech=f"好的，编号{say_digits(digits[-4:])}。{ASK_TAIL}",
                buttons=[btn("没留电话", "kiosk:status:nophone")],
                touch=touch.hint("keypad", keypad="tail"),
                heard=shown,
            )
        if self.step == "tail":
            if len(digits) != 4:
                return Step(
                    text=TAIL_REASK, kind="retry", touch=touch.hint("keypad", keypad="tail")
                )
            return await self._lookup(digits)
        return Step(text="现在不用输数字。", kind="retry")

    async def _lookup(self, tail: str) -> Step:
        kit = self.kit
        if not kit.limiter.allowed(kit.session_id):
            logger.info("Kiosk status look-up refused: too many misses")
            self.step = "blocked"
            return Step(text=TOO_MANY, buttons=[HUMAN, HOME], touch=touch.hint("answers"))
        try:
            view = await kit.cases.lookup(self.number, tail)
        except CasesUnavailable:
            return Step(text=UNREACHABLE, buttons=[HOME], touch=touch.hint("answers"))
        if view is None:
            kit.limiter.missed(kit.session_id)
            self.step = "number"
            return Step(
                text=NOT_FOUND,
                buttons=[btn("再输一次", "kiosk:status"), HUMAN],
                touch=touch.hint("answers"),
            )
        self.case_no, self.step = view["case"]["case_no"], "shown"
        card, spoken = case_view(view)
        case_tail = self.case_no[-4:]
        status = view["case"].get("status")
        if status == "resolved":
            ask = "工作人员说已经办好了。问题解决了吗？"
            buttons = [btn(label, f"kiosk:rate:{code}") for code, label in RATINGS.items()]
        elif status == "closed":
            ask = "这件事已经办结了。要是问题又出现了，点“没解决”。"
            buttons = [btn("没解决", "kiosk:rate:unresolved"), *touch.DONE]
        else:
            ask = open_note(view["case"])
            buttons = list(touch.DONE)
        return Step(
            text=ask,
            speech=spoken + ask.replace(case_tail, say_digits(case_tail)),
            buttons=buttons,
            view=card,
            touch=touch.hint("rate" if status == "resolved" else "answers", columns=3),
        )

    async def _rate(self, rating: str) -> Step:
        assert self.case_no is not None
        try:
            result = await self.kit.cases.confirm(self.case_no, rating)
        except CaseRefused as exc:
            return Step(text=exc.message, buttons=list(touch.DONE), touch=touch.hint("answers"))
        except CasesUnavailable:
            return Step(text=UNREACHABLE, buttons=[HOME], touch=touch.hint("answers"))
        self.step = "rated"
        view = {"case": result["case"], "history": []}
        card, _ = case_view(view)
        return Step(
            text=str(result.get("message") or "谢谢您的反馈。"),
            buttons=list(touch.DONE),
            view=card,
            touch=touch.hint("done"),
            heard=RATINGS.get(rating),
        )
