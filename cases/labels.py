"""People's words for the codes a case carries: channels, who did something, departments.

The console, the CSV and the history show these, never ``web`` / ``system`` / ``service_centre``
(issue 14 item 7).
"""

from __future__ import annotations

from collections.abc import Mapping

CHANNEL_LABELS = {
    "rest": "网页聊天",
    "web": "网页聊天",
    "telegram": "Telegram",
    "kiosk": "自助机",
    "open311": "市级平台",
    "staff": "工作人员代登记",
}

ACTOR_LABELS = {"system": "系统", "resident": "居民"}


def channel_label(code: str | None) -> str:
    """ "自助机" for ``kiosk``; an unknown code is shown as 其他渠道."""
    return CHANNEL_LABELS.get(code or "", "其他渠道")


def actor_label(actor: str | None, staff_names: Mapping[str, str] | None = None) -> str:
    """Who did something, as staff read it: 系统, 居民（自助机）, a colleague's name.

    Args:
        actor: What the history stored (``system``, ``resident``, a channel code, a staff
            username, ``cli:<operator>``).
        staff_names: Staff username → display name.
    """
    actor = actor or "system"
    if actor in ACTOR_LABELS:
        return ACTOR_LABELS[actor]
    if actor in CHANNEL_LABELS:
        return f"居民（{CHANNEL_LABELS[actor]}）"
    if actor.startswith("cli:"):
        return "管理员（后台）"
    name = (staff_names or {}).get(actor)
    return name or "工作人员"


def department_label(code: str | None, names: Mapping[str, str]) -> str:
    """The department's name (物业服务中心 …), never its code; '—' for none."""
    if not code:
        return "—"
    return names.get(code, "其他部门")
