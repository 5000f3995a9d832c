"""A scripted stand-in for Rasa's REST channel (used only when the real stack is not running).

It walks a short report flow (problem → location → read-back → case created through the hub's
case API) so that the kiosk page can be driven end to end against the hub alone. Started by
the start buttons (``/report``, ``/service``) it also asks for a phone, and walks a service
application (service → for whom → when → phone → read-back); ``/handoff_human`` makes a
call-back task as the real action does (case number and access code in ``custom``).
``/propose`` walks a proposal in the words of the real form (``actions/yishi_ask.py``): what →
which building or the whole community → why (不用了) → read-back 对 / 不对 (不对 → 哪里不对,
a building or 整个小区 fixes the place) → received; ``/vote`` asks the household in the real
form's words (每户一票 …, a location question) and records the vote once it has one.
Everything it is sent is kept in ``app.state.received``.
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
    app.state.received = []
    state: dict[str, dict] = {}

    def ask_location() -> list[dict]:
        return [  # the real question's words (actions/ask.py): two lines on the kiosk's screen
            {
                "text": "在哪里呢？请告诉我楼号和单元，比如“5号楼2单元”，"
                "或者一个地方，比如“东门旁边”。"
            },
            {"custom": {"expect": "location"}},
        ]

    async def create(payload: dict) -> dict:
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.post(
                f"{hub_url}/api/cases", json=payload, headers={"Authorization": f"Bearer {token}"}
            )
        r.raise_for_status()
        return r.json()

    def ask_phone() -> list[dict]:
        return [
            {
                "text": "方便留个手机号吗？工作人员好联系您。",
                "buttons": [{"title": "不留电话", "payload": "不留电话"}],
            },
            {"custom": {"expect": "phone"}},
        ]

    def created(sender: str, case: dict, what: str) -> list[dict]:
        state.pop(sender, None)
        no = case["case_no"]
        return [
            {"recipient_id": sender, "text": f"{what}编号是 {no}（尾号 {' '.join(no[-4:])}）。"},
            {
                "recipient_id": sender,
                "custom": {"case_no": no, "type": case["type"], "access_code": case["access_code"]},
            },
        ]

    async def service(sender: str, text: str, s: dict) -> list[dict]:
        names = {"高龄津贴": "elderly_allowance", "居住证明": "residence_certificate",
                 "老年优待证": "senior_card"}  # fmt: skip
        out: list[dict]
        if s["step"] == "service_type":
            code = next((c for n, c in names.items() if n in text), None)
            if code is None:
                out = [
                    {
                        "text": "您要办哪一项？",
                        "buttons": [{"title": n, "payload": n} for n in names],
                    },  # fmt: skip
                    {"custom": {"expect": "service_type"}},
                ]
                return out
            s.update(service_code=code, service_name=text, step="applicant")
            return [
                {"text": "是给您自己办，还是帮家里人办？",
                 "buttons": [{"title": t, "payload": t} for t in ("我自己", "帮家人办")]},
                {"custom": {"expect": "applicant"}},
            ]  # fmt: skip
        if s["step"] == "applicant":
            s.update(applicant="家属" if "家" in text else "本人", step="time")
            return [
                {"text": "您什么时候方便？",
                 "buttons": [{"title": t, "payload": t} for t in ("随时都行", "明天上午")]},
                {"custom": {"expect": "time"}},
            ]  # fmt: skip
        if s["step"] == "time":
            s.update(time=text, step="phone")
            return ask_phone()
        if s["step"] == "phone":
            digits = re.sub(r"\D", "", text)
            if not re.fullmatch(r"1[3-9]\d{9}", digits) and "不留" not in text:
                return ask_phone()
            s.update(phone=digits or None, step="confirm")
        if s["step"] == "confirm" and s.get("phone") is not None and text in ("/affirm", "对"):
            case = await create({
                "type": "service", "service_code": s["service_code"],
                "applicant": s["applicant"], "time_preference": s["time"],
                "contact_phone": s["phone"], "contact_declined": not s["phone"],
                "channel": "kiosk", "sender_id": sender,
            })  # fmt: skip
            return created(sender, case, "已登记！")
        tail = f"，电话尾号{s['phone'][-4:]}" if s.get("phone") else ""
        return [
            {"text": f"您要办理：{s['service_name']}（{s['applicant']}），"
                     f"时间：{s['time']}{tail}。对吗？",
             "buttons": [{"title": "对", "payload": "/affirm"},
                         {"title": "不对", "payload": "/deny"}]},
            {"custom": {"expect": "yes_no"}},
        ]  # fmt: skip

    def report_read_back(s: dict) -> list[dict]:
        where = f"{s['building']}号楼" + (f"{s['unit']}单元" if s.get("unit") else "")
        where += f"{s['room']}室" if s.get("room") else ""
        where += f"，电话尾号{s['phone'][-4:]}" if s.get("phone") else ""
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
        return out

    def proposal(sender: str, text: str, s: dict) -> list[dict]:
        def ask(
            words: str, expect: str, buttons: list[tuple[str, str]] = (), slot: str = ""
        ) -> list[dict]:
            out = {"text": words, "buttons": [{"title": t, "payload": p} for t, p in buttons]}
            hint = {"expect": expect, **({"slot": slot} if slot else {})}  # as actions/ask.py
            return [out, {"custom": hint}]

        def read_back() -> list[dict]:
            s["step"] = "confirm"
            return ask(f"您的建议是：{s['what']}。关于：{s['where']}。对吗？", "yes_no",
                       [("对", "/affirm"), ("不对", "/deny")],
                       "proposal_form_confirmed")  # fmt: skip

        place = re.search(r"(\d+)号楼", text)
        where = f"{place.group(1)}号楼" if place else ("整个小区" if "整个小区" in text else None)
        if text == "/cancel":
            state.pop(sender, None)
            return ask("好的，这个建议先不提了。还有什么要办的？", "free")
        if s["step"] == "what" and text == "/propose":
            return ask(
                "好的，欢迎您出主意！您有什么建议？比如“小区多装几个充电桩”。", "free", (),
                "proposal_what",
            )  # fmt: skip
        if s["step"] == "what":
            s.update(what=text, step="where")
            return ask(
                "这个建议是关于整个小区，还是哪栋楼？", "location", [("整个小区", "整个小区")],
                "proposal_where",
            )  # fmt: skip
        if s["step"] == "where" and where:
            s.update(where=where, step="why")
            return ask("为什么想提这个建议？说一两句就行，大家投票时能看到。不想说可以点“不用了”。",
                       "free", [("不用了", "/deny")], "proposal_why")  # fmt: skip
        if s["step"] == "where":
            return ask(
                "这个建议是关于整个小区，还是哪栋楼？", "location", [("整个小区", "整个小区")],
                "proposal_where",
            )  # fmt: skip
        if s["step"] == "why":
            s["why"] = None if text == "/deny" else text
            return read_back()
        if s["step"] == "fix" and where:
            s["where"] = where
            return read_back()
        if s["step"] == "confirm" and text in ("/affirm", "对"):
            state.pop(sender, None)
            return ask(
                "好的，您的建议已经交给社区了，编号是第3号。工作人员看过以后会告诉您。", "free"
            )
        if s["step"] == "confirm" and text in ("/deny", "不对"):
            s["step"] = "fix"
            return ask(
                "好的，哪里不对？请直接告诉我对的，比如“是5号楼的”，或者把建议重新告诉我。",
                "free", (), "proposal_form_confirmed",
            )  # fmt: skip
        if s["step"] == "fix":
            s["what"] = text
            return read_back()
        return read_back()

    @app.post("/webhooks/rest/webhook")
    async def webhook(body: dict) -> list[dict]:
        sender, text = body["sender"], body.get("message", "")
        app.state.received.append({"sender": sender, "message": text})
        if text == "/propose":
            state[sender] = {"step": "what", "flow": "proposal"}
        if state.get(sender, {}).get("flow") == "proposal":
            return [{"recipient_id": sender, **m} for m in proposal(sender, text, state[sender])]
        if text == "/vote":
            state[sender] = {"step": "household", "flow": "vote"}
        if state.get(sender, {}).get("flow") == "vote":
            home = re.search(r"\d+号楼\d+单元\d+室", text)
            if home is None:  # the real question (actions/yishi_ask.py AskVoteHousehold)
                return [
                    {"recipient_id": sender,
                     "text": "每户一票。您家门牌是多少？几号楼几单元几室，比如“5号楼2单元301”。"},
                    {"recipient_id": sender,
                     "custom": {"expect": "location", "slot": "vote_household"}},
                ]  # fmt: skip
            state.pop(sender, None)
            done = f"好的，{home.group(0)}的票记下了：同意。投票结束前都可以改。"
            return [{"recipient_id": sender, "text": done}]
        s = state.setdefault(sender, {"step": "start"})
        if text == "/handoff_human":
            case = await create({"type": "callback", "description": "居民要求人工服务。",
                                 "channel": "kiosk", "sender_id": sender})  # fmt: skip
            return created(sender, case, "好的，已为您转人工，登记")
        if "转人工" in text:
            return [{"recipient_id": sender, "text": "好的，已经帮您联系工作人员，请稍等。"}]
        if text in ("/service", "我要办事"):
            state[sender] = s = {"step": "service_type", "flow": "service"}
        if s.get("flow") == "service":
            return [{"recipient_id": sender, **m} for m in await service(sender, text, s)]
        if text in ("/report", "我要报事"):
            state[sender] = {"step": "problem", "touch": True}
            return [
                {
                    "recipient_id": sender,
                    "text": "好的，遇到了什么问题？请告诉我，比如：哪里的什么东西坏了。",
                },
                {"recipient_id": sender, "custom": {"expect": "description"}},
            ]
        if s["step"] == "phone":
            digits = re.sub(r"\D", "", text)
            if not re.fullmatch(r"1[3-9]\d{9}", digits) and "不留" not in text:
                return [{"recipient_id": sender, **m} for m in ask_phone()]
            s.update(phone=digits or None, step="confirm")
            return [{"recipient_id": sender, **m} for m in report_read_back(s)]
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
                    {
                        "recipient_id": sender,
                        "text": "好的，遇到了什么问题？请告诉我，比如：哪里的什么东西坏了。",
                    },
                    {"recipient_id": sender, "custom": {"expect": "description"}},
                ]
        elif s["step"] == "location":
            m = re.search(
                r"([一二三四五六七八九十\d]+)号楼(?:([一二三四五六七八九十\d]+)单[元远])?", text
            )
            if not m:
                return [{"recipient_id": sender, **m} for m in ask_location()]
            s["building"], s["unit"] = _num(m.group(1)), _num(m.group(2) or "")
            room = re.search(r"(\d+)室", text)
            s["room"] = room.group(1) if room else None
            s["step"] = "confirm"
            if s.get("touch") and "phone" not in s:
                s["step"] = "phone"
                return [{"recipient_id": sender, **m} for m in ask_phone()]
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
                    "location": {"building": s["building"], "unit": s["unit"] or None,
                                 "room": s.get("room")},
                    "channel": "kiosk",
                    "sender_id": sender,
                    "contact_phone": s.get("phone"),
                    "contact_declined": not s.get("phone"),
                }  # fmt: skip
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
        return [{"recipient_id": sender, **m} for m in report_read_back(s)]

    return app
