"""What a resident already said, as staff and the resident read it on a hand-off case:
"类别：漏水；情况：…", never the slot names and codes behind it (issue 14 item 7)."""

from __future__ import annotations

from typing import Any

from core.taxonomy import category_by_code, service_by_code

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
