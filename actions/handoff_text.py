"""What a resident already said, as staff and the resident read it on a hand-off case:
"类别：漏水；情况：…", never the slot names and codes behind it (issue 14 item 7)."""

from __future__ import annotations

from typing import Any

from core.taxonomy import category_by_code, service_by_code

OFFICE_HOURS = "工作时间（周一至周六 8:30–17:30）"
CALLBACK = "callback"
"""``emergency_case`` kind of a 转人工 call-back whose phone the follow-up form asks for."""
CALLBACK_ASK_PHONE = (
    "工作人员好联系您：方便留个手机号吗？11位数字就行；不想留，点“不留电话”或回答“不留”。"
)
CALLBACK_NOT_A_PHONE = "这好像不是手机号。不想留电话，回答“不留”就行，然后再告诉我别的事。"
"""An answer to the call-back's phone question that is no number (the resident may have moved on:
the way out is said)."""
CALLBACK_SENT = "好的，{what}已经转给工作人员了。"
CALLBACK_QUEUED = "好的，{what}已经记下了，系统一恢复就转给工作人员。"
CALLBACK_UNREACHABLE = (
    "系统暂时连不上，{what}没能转给工作人员。工作时间也可以直接到社区服务中心一楼综合窗口。"
)
CALLBACK_WILL_CALL = f"工作人员会在{OFFICE_HOURS}打电话给您。还有别的事，随时告诉我。"
CALLBACK_NO_PHONE = (
    f"好的，不留电话也行。工作人员会在{OFFICE_HOURS}尽快联系您；"
    "在服务中心的话，也可以直接到一楼综合窗口。"
)

LABELS = {
    "category": "类别",
    "description": "情况",
    "service_type": "办理事项",
    "applicant": "为谁办",
    "time_preference": "方便的时间",
}
"""The slots a hand-off carries over, in order, with the word people see."""


def _shown(slot: str, value: Any) -> str:
    text = str(value).strip()
    if slot == "category" and (cat := category_by_code(text)):
        return cat.name
    if slot == "service_type" and (service := service_by_code(text)):
        return service.name
    return text


def said_parts(slots: dict[str, Any]) -> list[str]:
    """ "类别：漏水", "情况：…" for each slot the resident already filled."""
    return [f"{label}：{_shown(slot, slots[slot])}" for slot, label in LABELS.items()
            if slots.get(slot)]  # fmt: skip
