"""The kiosk by touch: number pad, building picker, 查进度 + confirmation, 转人工 with a way to
reach the resident (real hub app and case system, fake engines, scripted dialogue)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.unit.voice.test_voice_kiosk import READ_BACK, hello, until_reply
from voice.kiosk.digits import (
    digits_in,
    phone_groups,
    read_back_phone,
    say_digits,
    valid_phone,
)
from voice.kiosk.hours import callback_promise, next_opening, open_until
from voice.kiosk.limits import GuessLimiter

AUTH = {"Authorization": "Bearer test-token"}
ASK_LOCATION = [{"text": "在哪里呢？"}, {"custom": {"expect": "location"}}]
ASK_PHONE = [
    {"text": "方便留个手机号吗？", "buttons": [{"title": "不留电话", "payload": "不留电话"}]},
    {"custom": {"expect": "phone"}},
]
WHAT_IS_WRONG = [{"text": "好的，哪里不对？请直接说正确的。"}, {"custom": {"expect": "free"}}]


def cst(y: int, mo: int, d: int, h: int, mi: int) -> datetime:
    """A China-time wall-clock moment, given in UTC (as the hub's clock gives it)."""
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


# ----- pure parts -------------------------------------------------------------------------------
def test_working_hours_are_the_case_systems_in_china_time() -> None:
    monday_10 = cst(2026, 11, 23, 10, 0)  # 2026-11-23 is a Monday
    assert open_until(monday_10) is not None
    assert open_until(cst(2026, 11, 23, 18, 0)) is None
    assert open_until(cst(2026, 11, 29, 10, 0)) is None  # Sunday
    assert next_opening(monday_10).strftime("%a %H:%M") == "Tue 08:30"
    assert next_opening(cst(2026, 11, 27, 20, 0)).strftime("%a %H:%M") == "Sat 08:30"
    assert next_opening(cst(2026, 11, 28, 19, 0)).strftime("%a %H:%M") == "Mon 08:30"


@pytest.mark.parametrize(
    ("when", "waiting", "expected"),
    [
        (cst(2026, 11, 23, 10, 0), False, "现在是上班时间，工作人员会尽快打电话给您，请留意尾号"),
        (cst(2026, 11, 23, 10, 0), True, "工作人员会尽快过来找您"),
        (cst(2026, 11, 23, 17, 10), False, "快下班了。今天来不及的话，工作人员明天上午8点半"),
        (cst(2026, 11, 23, 7, 0), False, "现在还没上班。工作人员今天上午8点半上班后"),
        (cst(2026, 11, 27, 20, 0), False, "现在是下班时间。工作人员明天上午8点半上班后"),
        (cst(2026, 11, 28, 19, 0), False, "工作人员周一上午8点半上班后会打电话给您（尾号5678）"),
        (cst(2026, 11, 28, 19, 0), True, "服务中心没有工作人员"),
    ],
)
def test_callback_promise_never_says_more_than_is_true(when, waiting, expected) -> None:
    text = callback_promise(when, phone_tail=None if waiting else "5678", waiting_here=waiting)
    assert expected in text, text


def test_digits_from_pad_and_speech() -> None:
    assert digits_in("幺三八 1234 五六七八") == "13812345678"
    assert digits_in("两洞") == "20"
    assert valid_phone("13812345678") and valid_phone("01087654321")
    assert not valid_phone("12345678901") and not valid_phone("1381234") and not valid_phone("")
    assert phone_groups("13812345678") == ["138", "1234", "5678"]
    assert phone_groups("01087654321") == ["010", "8765", "4321"]
    assert phone_groups("075512345678") == ["0755", "1234", "5678"]
    assert read_back_phone("13812345678") == "幺三八，幺二三四，五六七八"


def test_guess_limiter_per_session_and_kiosk_wide() -> None:
    now = [0.0]
    limiter = GuessLimiter(per_session=2, per_kiosk=3, window_s=60, clock=lambda: now[0])
    limiter.missed("a")
    assert limiter.allowed("a")
    limiter.missed("a")
    assert not limiter.allowed("a") and limiter.allowed("b")
    limiter.missed("b")  # three misses in all: a fresh session does not help
    assert not limiter.allowed("c")
    now[0] = 61
    assert limiter.allowed("a") and limiter.allowed("c")


# ----- the hub's look-up by number + phone last 4 ----------------------------------------------
def _case(client: TestClient, phone: str | None = "13566667777", **extra: object) -> dict:
    body = {"type": "report", "category": "leak", "description": "厨房水管滴水",
            "location": {"building": "8", "unit": "1", "room": "402"}, "channel": "telegram",
            "sender_id": "tg:1", **extra}  # fmt: skip
    if phone:
        body["contact_phone"] = phone
    else:
        body["contact_declined"] = True
    r = client.post("/api/cases", json=body, headers=AUTH)
    assert r.status_code == 201, r.text
    return r.json()


def test_lookup_by_number_and_phone_tail_reveals_nothing_else(kiosk_app) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client:
        case = _case(client)
        no = case["case_no"]

        def look(number: str, tail: str, auth: dict | None = AUTH):  # type: ignore[no-untyped-def]
            return client.post("/api/resident/lookup", headers=auth,
                               json={"number": number, "phone_tail": tail})  # fmt: skip

        found = [look(no[-4:], "7777"), look(no, "7777"), look(no.replace("-", "")[2:], "7777")]
        wrong_phone = look(no[-4:], "0000")
        unknown = look(f"{(int(no[-4:]) + 1) % 10000:04d}", "7777")
        assert look(no[-4:], "7777", auth=None).status_code == 401  # channels only
        buildings = client.get("/api/resident/buildings").json()
    assert all(r.status_code == 200 for r in found)
    view = found[0].json()
    assert view["case"]["case_no"] == no and view["history"]
    assert "13566667777" not in found[0].text
    assert wrong_phone.status_code == unknown.status_code == 404
    assert wrong_phone.json() == unknown.json()
    assert [b["code"] for b in buildings][:3] == ["1", "2", "3"] and len(buildings) == 20


# ----- touch at the kiosk (WebSocket) ----------------------------------------------------------
def send(ws, **event) -> dict:  # type: ignore[no-untyped-def]
    ws.send_json(event)
    return until_reply(ws)[-1]


def test_greeting_offers_the_start_buttons(kiosk_app) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        _, greeting = hello(ws)
    titles = [b["title"] for b in greeting["touch"]["quick"]]
    assert titles == ["我要报事", "我想问问", "我要办事", "查进度", "提建议"]  # 投票: a poll open


def test_building_picker_and_phone_pad_answer_the_dialogue(kiosk_app) -> None:
    app, service, dialogue = kiosk_app(script=[ASK_LOCATION, ASK_PHONE, READ_BACK])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        regreet = send(ws, type="mic", ok=False)  # the welcome again, pointing to the buttons
        assert "点我说话" not in regreet["speech"] and regreet["touch"]["panel"] == "start"
        where = send(ws, type="button", title="电梯坏了", payload="电梯坏了")
        unit = send(ws, type="button", title="5号楼", payload="kiosk:building:5")
        room = send(ws, type="button", title="2单元", payload="kiosk:unit:2")
        phone = send(ws, type="digits", value="301")
        bad = send(ws, type="digits", value="12345")
        sent_before_good = len(dialogue.received)
        read_back = send(ws, type="digits", value="13812345678")
    assert where["touch"]["panel"] == "places" and where["speech"].endswith("点屏幕上的楼号。")
    assert [b["payload"] for b in where["touch"]["quick"]][:2] == [
        "kiosk:building:1", "kiosk:building:2"]  # fmt: skip
    assert "几单元" in unit["messages"][0]["text"]
    assert room["touch"]["keypad"]["kind"] == "room"
    assert phone["touch"]["keypad"]["kind"] == "phone" and phone["heard"] == "5号楼2单元301室"
    assert "三零一室" in phone["speech"]
    assert bad["type"] == "retry" and "11位" in bad["messages"][0]["text"]
    assert sent_before_good == 2  # the bad number never reached the dialogue
    assert [m["message"] for m in dialogue.received] == ["电梯坏了", "5号楼2单元301室",
                                                           "13812345678"]  # fmt: skip
    assert read_back["speech"].startswith("好的，电话是：幺三八，幺二三四，五六七八。")


ASK_PHONE_TAIL = [
    {"text": "请告诉我报事时留的手机号后四位。"},
    {"custom": {"expect": "phone", "digits": [4]}},
]


def test_the_pad_takes_the_few_digits_the_dialogue_asked_for(kiosk_app) -> None:
    """A status look-up asks for a phone's last 4: the pad passes 4 digits on, and still
    re-asks for 11 where a whole phone number is asked."""
    app, _, dialogue = kiosk_app(script=[ASK_PHONE_TAIL, ASK_PHONE, READ_BACK])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        regreet = send(ws, type="mic", ok=False)  # the welcome again, pointing to the buttons
        assert "点我说话" not in regreet["speech"] and regreet["touch"]["panel"] == "start"
        tail = send(ws, type="button", title="查进度", payload="查一下我的事")
        phone = send(ws, type="digits", value="5678")
        short = send(ws, type="digits", value="5678")
    assert tail["touch"]["keypad"]["kind"] == "phone"
    assert dialogue.received[-1]["message"] == "5678"
    assert phone["touch"]["keypad"]["kind"] == "phone"
    assert short["type"] == "retry" and "11位" in short["messages"][0]["text"]
    assert [m["message"] for m in dialogue.received].count("5678") == 1


def test_correction_after_no_by_touch(kiosk_app) -> None:
    app, _, dialogue = kiosk_app(script=[ASK_LOCATION, READ_BACK, WHAT_IS_WRONG, READ_BACK])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        send(ws, type="text", text="电梯坏了")
        send(ws, type="text", text="5号楼")
        what = send(ws, type="button", title="不对", payload="/deny")
        pick = send(ws, type="button", title="改地点", payload="kiosk:fix:place")
        send(ws, type="button", title="7号楼", payload="kiosk:building:7")
        send(ws, type="button", title="不用选单元", payload="kiosk:unit:none")
        again = send(ws, type="button", title="不用房号", payload="kiosk:room:none")
    assert what["touch"]["panel"] == "fix"
    assert "改地点" in [b["title"] for b in what["touch"]["quick"]]
    assert pick["touch"]["panel"] == "places"
    assert dialogue.received[-1]["message"] == "7号楼" and again["expect"] == "yes_no"


def _resolve(app, case_no: str) -> None:  # type: ignore[no-untyped-def]
    from cases import lifecycle
    from cases.crud import get_case
    from cases.db import session_scope
    from cases.statuses import Status

    state = app.state.cases
    with session_scope(state.sessions) as session:
        case = get_case(session=session, case_no=case_no)
        lifecycle.change_status(session=session, case=case, new_status=Status.RESOLVED,
                                now=state.clock.now(), actor="t", note="修好了")  # fmt: skip


def test_status_by_number_and_phone_then_confirmation(kiosk_app) -> None:
    app, service, dialogue = kiosk_app()
    with TestClient(app) as client:
        case = _case(client)
        no = case["case_no"]
        _resolve(app, no)
        with client.websocket_connect("/kiosk/ws") as ws:
            hello(ws)
            ask = send(ws, type="button", title="查进度", payload="kiosk:status")
            send(ws, type="digits", value=no[-4:])
            miss_phone = send(ws, type="digits", value="0000")
            send(ws, type="button", title="再输一次", payload="kiosk:status")
            send(ws, type="digits", value=f"{(int(no[-4:]) + 7) % 10000:04d}")
            miss_number = send(ws, type="digits", value="7777")
            send(ws, type="button", title="再输一次", payload="kiosk:status")
            short = send(ws, type="digits", value="12")
            send(ws, type="digits", value=no[-4:])
            found = send(ws, type="digits", value="7777")
            done = send(ws, type="button", title="解决了", payload="kiosk:rate:resolved")
        after = client.get(f"/api/cases/{no}", headers=AUTH).json()
    assert ask["touch"]["keypad"]["kind"] == "case"
    assert miss_phone["messages"] == miss_number["messages"]
    assert "没有查到" in miss_phone["messages"][0]["text"]
    assert short["type"] == "retry"
    rows = dict(found["view"]["rows"])
    assert rows["编号"] == no and rows["地点"] == "8号楼1单元402室" and rows["现在"] == "已办结"
    assert [b["title"] for b in found["messages"][0]["buttons"]] == ["解决了", "部分解决", "没解决"]
    assert "13566667777" not in str(found)
    assert "办结" in done["messages"][0]["text"] and after["status"] == "closed"
    assert dialogue.received == []  # all of it at the kiosk


def test_an_open_case_at_the_kiosk_reads_local_times_and_no_false_promise(kiosk_app) -> None:
    """The card's times read "12月4日 11:56" in China time (not "12-04 03:56" UTC), and a case
    still being handled says where to look again: a kiosk pushes nothing, Telegram does."""
    app, _, _ = kiosk_app()
    with TestClient(app) as client:
        at_kiosk = _case(client, channel="kiosk", sender_id="kiosk:s1")
        in_chat = _case(client)  # reported in Telegram
        found = {}
        for case in (at_kiosk, in_chat):
            with client.websocket_connect("/kiosk/ws") as ws:
                hello(ws)
                send(ws, type="button", title="查进度", payload="kiosk:status")
                send(ws, type="digits", value=case["case_no"][-4:])
                found[case["case_no"]] = send(ws, type="digits", value="7777")
    created = datetime.fromisoformat(at_kiosk["created_at"].replace("Z", "+00:00"))
    local = created.astimezone(ZoneInfo("Asia/Shanghai"))
    shown = f"{local.month}月{local.day}日 {local:%H:%M}"
    kiosk, chat = found[at_kiosk["case_no"]], found[in_chat["case_no"]]
    assert dict(kiosk["view"]["rows"])["登记时间"] == shown
    assert kiosk["view"]["history"][0][0] == shown, kiosk["view"]["history"]
    tail = at_kiosk["case_no"][-4:]
    said = kiosk["messages"][0]["text"]
    assert "通知您。" not in said.replace("不会主动通知您。", "") and "自助机不会主动通知您" in said
    assert f"再来点“查进度”，输入编号后四位{tail}" in said
    assert say_digits(tail) in kiosk["speech"] and tail not in kiosk["speech"]
    assert "手机聊天里告诉您" in chat["messages"][0]["text"]


def test_status_guesses_stop_after_a_few_misses(kiosk_app) -> None:
    app, service, _ = kiosk_app()
    with TestClient(app) as client:
        case = _case(client)
        with client.websocket_connect("/kiosk/ws") as ws:
            hello(ws)
            answers = []
            for guess in range(service.limiter.per_session + 1):
                send(ws, type="button", title="查进度", payload="kiosk:status")
                send(ws, type="digits", value=f"{9000 + guess}")
                answers.append(send(ws, type="digits", value="7777"))
            send(ws, type="button", title="查进度", payload="kiosk:status")
            send(ws, type="digits", value=case["case_no"][-4:])
            right = send(ws, type="digits", value="7777")  # even the right pair, now
    assert all("没有查到" in a["messages"][0]["text"] for a in answers[:-1])
    assert "先不能再查" in answers[-1]["messages"][0]["text"]
    assert "先不能再查" in right["messages"][0]["text"] and right.get("view") is None


def announced(case_no: str, code: str) -> list[dict]:
    """What the dialogue's hand-off action replies (task made, number and code in custom)."""
    return [
        {"text": f"好的，已为您转人工，登记编号 {case_no}。"},
        {"custom": {"case_no": case_no, "type": "callback", "access_code": code}},
    ]


def test_handoff_asks_how_to_reach_and_keeps_it_on_the_task(kiosk_app) -> None:
    app, service, dialogue = kiosk_app()
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ready, _ = hello(ws)
        sender = f"kiosk:{ready['session']}"
        task = client.post("/api/cases", headers=AUTH, json={
            "type": "callback", "description": "居民要求人工服务。", "channel": "kiosk",
            "sender_id": sender})  # fmt: skip
        no = task.json()["case_no"]
        dialogue.script.append(announced(no, task.json()["access_code"]))
        reach = send(ws, type="command", name="human")
        pad = send(ws, type="button", title="留电话", payload="kiosk:reach:phone")
        bad = send(ws, type="digits", value="1381234")
        where = send(ws, type="digits", value="13700002222")
        send(ws, type="button", title="3号楼", payload="kiosk:building:3")
        send(ws, type="button", title="1单元", payload="kiosk:unit:1")
        done = send(ws, type="digits", value="502")
        case = client.get(f"/api/cases/{no}", headers=AUTH).json()
    assert [b["title"] for b in reach["messages"][0]["buttons"]] == [
        "留电话", "我在这里等", "不用了"]  # fmt: skip
    assert pad["touch"]["keypad"]["kind"] == "phone"
    assert bad["type"] == "retry"
    assert "幺三七，零零零零，二二二二" in where["speech"] and where["touch"]["panel"] == "places"
    shown = [b["title"] for m in where["messages"] for b in m["buttons"]]  # the page's order
    shown += [b["title"] for b in where["touch"]["quick"]]
    assert shown[-2:] == ["服务中心", "不说了"], shown  # after the places, not read as one of them
    assert [m["message"] for m in dialogue.received] == ["/handoff_human"]
    assert done["case_no"] == no and "尾号2222" in done["messages"][0]["text"]
    assert done["print_url"].startswith(f"/kiosk/case/{no}/print?t=")
    assert case["contact_masked"].endswith("2222")
    assert case["location"]["building"] == "3" and case["location"]["room"] == "502"


def test_a_task_the_dialogue_made_still_gets_a_way_to_reach(kiosk_app) -> None:
    app, service, dialogue = kiosk_app()
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ready, _ = hello(ws)
        task = client.post("/api/cases", headers=AUTH, json={
            "type": "callback", "description": "居民要求人工服务。", "channel": "kiosk",
            "sender_id": f"kiosk:{ready['session']}"})  # fmt: skip
        no = task.json()["case_no"]
        dialogue.script.append(announced(no, task.json()["access_code"]))
        said = send(ws, type="text", text="我想找个真人说说我家的情况")
        send(ws, type="button", title="留电话", payload="kiosk:reach:phone")
        send(ws, type="digits", value="13700003333")
        done = send(ws, type="button", title="不说了", payload="kiosk:where:skip")
        case = client.get(f"/api/cases/{no}", headers=AUTH).json()
    assert said["case_no"] == no and "怎么联系您" in said["messages"][-1]["text"]
    assert len(dialogue.received) == 1  # the task was not made twice
    assert done["case_no"] == no and case["contact_masked"].endswith("3333")


def test_an_empty_dialogue_answer_is_never_a_blank_screen(kiosk_app) -> None:
    app, _, dialogue = kiosk_app(script=[[]])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        answer = send(ws, type="button", title="我要报事", payload="我要报事")
    assert answer["type"] == "retry" and "再点一次" in answer["messages"][0]["text"]
    assert dialogue.received[0]["message"] == "我要报事"


def test_the_dialogues_own_answers_take_two_columns() -> None:
    """ "我要报事 / 我想问问 / 我要办事 / 转人工" (or the closest FAQ questions and 转人工) in one
    column took four rows at 1920×1080 and pushed the text box under the screen's edge."""
    from voice.kiosk.touch import btn, for_dialogue

    clarify = [btn(t) for t in ("我要报事", "我想问问", "我要办事", "转人工")]
    hint = for_dialogue("free", buttons=clarify, buildings=[])
    assert hint["columns"] == 2 and hint["text_box"]


def test_without_a_microphone_the_kiosk_never_asks_to_speak(kiosk_app) -> None:
    """The talk button says 话筒用不了, so the dialogue's "或者直接说", "请直接说" and
    "可以说“转人工”" read 写 and 点 (the text box and the buttons are on the screen)."""
    unsure = "我不太确定您的意思。您是想反映问题、问点事情，还是要办事？点下面的按钮，或者直接说。"
    clarify = [{"text": unsure, "buttons": [
        {"title": "我要报事", "payload": "/report"},
        {"title": "转人工", "payload": "/handoff_human"},
    ]}]  # fmt: skip
    declined = [{"text": "这个我帮不上忙。需要的话也可以说“转人工”。"}]
    ask = [{"text": "您想问什么？请直接说，比如“老年卡去哪办”。"}]
    app, _, _ = kiosk_app(script=[clarify, declined, ask, clarify])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ws.send_json({"type": "hello", "session": None, "mic": "none"})
        ws.receive_json(), ws.receive_json()
        said = []
        for text in ("😀", "明天股票会涨吗", "我想问问"):
            ws.send_json({"type": "text", "text": text})
            said.append(until_reply(ws)[-1])
        ws.send_json({"type": "mic", "ok": True})  # a microphone after all: the words as they are
        ws.send_json({"type": "text", "text": "😀"})
        with_mic = until_reply(ws)[-1]
    shown = [r["messages"][0]["text"] for r in said]
    assert shown[0].endswith("点下面的按钮，或者直接写。") and shown[0] in said[0]["speech"]
    assert shown[1].endswith("也可以点“转人工”。") and "说“转人工”" not in said[1]["speech"]
    assert shown[2].startswith("您想问什么？请直接写，比如")
    assert not any("直接说" in r["speech"] for r in said)
    assert with_mic["messages"][0]["text"] == unsure
