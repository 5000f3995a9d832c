"""Plain-Chinese read-backs and replies built from slot values (pure functions)."""

from __future__ import annotations

from core.contracts import Location
from core.taxonomy import category_by_code, service_by_code

URGENCY_LABELS = {"urgent": "很急", "normal": "不急", "emergency": "紧急"}
"""Read back in the words of the buttons the question offers (actions/ask.py: 很急 / 不急)."""
CONFIRM_BUTTONS = [{"title": "对", "payload": "/affirm"}, {"title": "不对", "payload": "/deny"}]


def location_text(location: dict | None) -> str:
    """ "5号楼2单元" / "东门" from the location slot."""
    if not location:
        return "（地点未说明）"
    return Location.model_validate(
        {k: v for k, v in location.items() if k in Location.model_fields}
    ).describe()


def contact_text(contact: str | None) -> str:
    """What to say about the contact: never the full number (transcripts are kept)."""
    if not contact or contact == "declined":
        return "不留电话"
    return f"电话尾号{contact[-4:]}"


READBACK_DESCRIPTION_CHARS = 60
"""A longer description is read back cut short (the case keeps all of it): a read-back is heard."""


def description_text(description: str | None, place: str) -> str:
    """The description as read back: the place said once (not "5号楼2单元，5号楼2单元的楼道灯…")
    and at most ``READBACK_DESCRIPTION_CHARS`` characters."""
    text = (description or "").strip()
    if place and text.startswith(place):
        text = text[len(place) :].lstrip("的，, ")
    if len(text) > READBACK_DESCRIPTION_CHARS:
        text = text[:READBACK_DESCRIPTION_CHARS].rstrip("，,。 ") + "……"
    return text


def report_summary(slots: dict) -> str:
    """ "您要反映：楼道灯，5号楼2单元，…，对吗？"."""
    category = category_by_code(slots.get("category") or "")
    place = location_text(slots.get("location"))
    parts = [
        category.name if category else "其他问题",
        place,
        description_text(slots.get("description"), place),
        URGENCY_LABELS.get(slots.get("urgency") or "", ""),
        contact_text(slots.get("contact")),
    ]
    return "您要反映：" + "，".join(p for p in parts if p) + "。对吗？"


def materials_text(service_code: str | None) -> str:
    """ "需要带：身份证…；办理地点：…"."""
    service = service_by_code(service_code or "")
    if service is None:
        return ""
    text = "需要准备：" + "、".join(service.materials) + "。"
    if service.where:
        text += f"办理地点：{service.where}。"
    return text


def service_summary(slots: dict) -> str:
    """ "您要办理：高龄津贴（为母亲办理），时间：明天上午，电话尾号5678。需要准备：…。对吗？"."""
    service = service_by_code(slots.get("service_type") or "")
    name = service.name if service else "其他事项"
    applicant = slots.get("applicant") or "本人"
    who = "本人办理" if applicant == "本人" else f"为{applicant}办理"
    parts = [
        f"{name}（{who}）",
        f"时间：{slots.get('time_preference') or '随时'}",
        contact_text(slots.get("contact")),
    ]
    return (
        "您要办理："
        + "，".join(parts)
        + "。"
        + materials_text(slots.get("service_type"))
        + "对吗？"
    )


def speakable_case_no(case_no: str) -> str:
    """Case number written so it is read digit by digit.

    BS-20261121-0042 → "BS-20261121-0042（尾号 0 0 4 2）".
    """
    tail = case_no[-4:]
    return f"{case_no}（尾号 {' '.join(tail)}）"
