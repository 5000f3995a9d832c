"""A scripted stand-in for Rasa's REST channel (used only when the real stack is not running).

It walks a short report flow (problem → location → read-back → case created through the hub's
case API) so that the kiosk page can be driven end to end against the hub alone.
"""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

CATEGORIES = {
    "电梯": ("elevator", "电梯故障"),
    "路灯": ("streetlight", "路灯"),
    "漏水": ("leak", "漏水渗水"),
    "垃圾": ("garbage", "垃圾清运"),
    "楼道灯": ("corridor_light", "楼道灯"),
}
_ZH = {
    "一": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
    "十": "10",
}


def _num(s: str) -> str:
    return _ZH.get(s, s)


def create_app(hub_url: str, token: str) -> FastAPI:
    """The fake dialogue server; it files cases at ``hub_url`` with ``token``."""
    app = FastAPI()
    state: dict[str, dict] = {}

    def ask_location() -> list[dict]:
        return [
            {"text": "在哪里？请说楼号和单元，比如：五号楼二单元。"},
            {"custom": {"expect": "location"}},
        ]

    @app.post("/webhooks/rest/webhook")
    async def webhook(body: dict) -> list[dict]:
        sender, text = body["sender"], body.get("message", "")
        s = state.setdefault(sender, {"step": "start"})
        out: list[dict]
        if "转人工" in text:
            return [{"recipient_id": sender, "text": "好的，已经帮您联系工作人员，请稍等。"}]
        if s["step"] in ("start", "problem"):
            for word, (code, name) in CATEGORIES.items():
                if word in text:
                    s.update(category=code, name=name, description=text)
                    m = re.search(
                        r"([一二三四五六七八九十\d]+)号楼(?:([一二三四五六七八九十\d]+)单[元远])?",
                        text,
                    )
                    if m:
                        s["building"], s["unit"] = _num(m.group(1)), _num(m.group(2) or "")
                        s["step"] = "confirm"
                        break
                    s["step"] = "location"
                    return [{"recipient_id": sender, **m} for m in ask_location()]
            else:
                s["step"] = "problem"
                return [
                    {"recipient_id": sender, "text": "好的，请说说遇到了什么问题？"},
                    {"recipient_id": sender, "custom": {"expect": "description"}},
                ]
        elif s["step"] == "location":
            m = re.search(
                r"([一二三四五六七八九十\d]+)号楼(?:([一二三四五六七八九十\d]+)单[元远])?", text
            )
            if not m:
                return [{"recipient_id": sender, **m} for m in ask_location()]
            s["building"], s["unit"] = _num(m.group(1)), _num(m.group(2) or "")
            s["step"] = "confirm"
        elif s["step"] == "confirm":
            if (
                text in ("/affirm",)
                or (text.startswith("对") or "没错" in text)
                and "不对" not in text
            ):
                payload = {
                    "type": "report",
                    "category": s["category"],
                    "description": s["description"],
                    "location": {"building": s["building"], "unit": s["unit"] or None},
                    "channel": "kiosk",
                    "sender_id": sender,
                    "contact_declined": True,
                }
                async with httpx.AsyncClient(timeout=10) as client:
                    r = await client.post(
                        f"{hub_url}/api/cases",
                        json=payload,
                        headers={"Authorization": f"Bearer {token}"},
                    )
                r.raise_for_status()
                case_no, code = r.json()["case_no"], r.json()["access_code"]
                state.pop(sender, None)
                return [
                    {
                        "recipient_id": sender,
                        "text": f"已受理！编号是 {case_no}（尾号 {' '.join(case_no[-4:])}）。",
                    },
                    {
                        "recipient_id": sender,
                        "custom": {"case_no": case_no, "type": "report", "access_code": code},
                    },
                ]
            s["step"] = "location"
            return [{"recipient_id": sender, **m} for m in ask_location()]
        where = f"{s['building']}号楼" + (f"{s['unit']}单元" if s.get("unit") else "")
        out = [
            {
                "text": f"您要反映：{s['name']}，{where}，{s['description']}。对吗？",
                "buttons": [
                    {"title": "对", "payload": "/affirm"},
                    {"title": "不对", "payload": "/deny"},
                ],
            },
            {"custom": {"expect": "yes_no"}},
        ]
        return [{"recipient_id": sender, **m} for m in out]

    return app
