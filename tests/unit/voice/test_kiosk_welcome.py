"""The kiosk's welcome screen (real hub app, fake engines, scripted dialogue): the 议事 start
buttons and the payloads they send, the community notices (shown; read only after idle or on
再听一遍), and a welcome that never points to 点我说话 when the microphone is unavailable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.rasa_rest import messages_of
from tests.unit.voice.test_voice_kiosk import hello, until_reply
from voice.kiosk.service import GREETING, GREETING_TOUCH
from voice.kiosk.speech import find_asked_slot
from voice.kiosk.touchturns import HOME_TOUCH, asks_proposal, yishi_form
from voice.kiosk.welcome import Notice, local_date, notices_speech, scope_of, short_body

STAFF = {"Authorization": "Bearer test-token", "X-Staff-Name": "wang"}
ASK_WHAT = [{"text": "您想提什么建议？"}, {"custom": {"expect": "free"}}]


@pytest.fixture
def with_yishi(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub with its 议事 part (polls) besides the case system and the kiosk."""
    import core.hub

    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "voice.kiosk.app", "deliberation.api"))


def add_notices(data_dir, count: int) -> None:  # type: ignore[no-untyped-def]
    """Staff publish ``count`` notices after the demo ones, a second apart (the last is the
    newest)."""
    from cases.db import make_engine
    from cases.models import Notice as NoticeRow

    engine = make_engine(f"sqlite:///{data_dir / 'cases.db'}")
    start = datetime.now(UTC)
    with Session(engine) as session:
        for n in range(count):
            session.add(
                NoticeRow(
                    title=f"第{n + 1}号通知：停水安排",
                    body=f"12月{n + 5}日上午9点到下午3点，3号楼停水，请提前接好水。",
                    published_at=start + timedelta(seconds=n + 1),
                )
            )
        session.commit()
    engine.dispose()


def titles(event: dict) -> list[str]:
    return [b["title"] for b in event["touch"]["quick"]]


def test_proposal_button_always_and_vote_button_only_while_a_poll_is_open(
    kiosk_app, with_yishi
) -> None:
    app, service, dialogue = kiosk_app(script=[ASK_WHAT, ASK_WHAT, ASK_WHAT])
    with TestClient(app) as client:
        with client.websocket_connect("/kiosk/ws") as ws:
            _, greeting = hello(ws)
        assert titles(greeting) == ["我要报事", "我想问问", "我要办事", "查进度", "提建议"]
        assert greeting["touch"]["columns"] == 3
        opened = client.post(
            "/api/deliberation/polls", headers=STAFF, json={"question": "小区东门加装充电桩？"}
        )
        assert opened.status_code == 201, opened.text
        service.welcome._poll_open = None  # the greeting's cache (30 s) is not what is tested
        with client.websocket_connect("/kiosk/ws") as ws:
            _, greeting = hello(ws)
            buttons = {b["title"]: b["payload"] for b in greeting["touch"]["quick"]}
            assert buttons["提建议"] == "/propose" and buttons["投票"] == "/vote"
            # each sends its payload to the dialogue, as the other start buttons do
            ws.send_json({"type": "button", "title": "提建议", "payload": "/propose"})
            reply = until_reply(ws)[-1]
            assert reply["type"] == "reply" and "建议" in reply["messages"][0]["text"]
            ws.send_json({"type": "button", "title": "投票", "payload": "/vote"})
            until_reply(ws)
            # 还有别的事 brings the same start buttons back
            ws.send_json({"type": "button", "title": "还有别的事", "payload": "kiosk:home"})
            home = until_reply(ws)[-1]
            assert titles(home)[-2:] == ["提建议", "投票"]
    assert [m["message"] for m in dialogue.received] == ["/propose", "/vote"]


def test_without_yishi_the_welcome_still_works(kiosk_app) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        _, greeting = hello(ws)
    assert "投票" not in titles(greeting) and "提建议" in titles(greeting)
    # the demo community's notices, shown and not read to someone who just arrived
    assert [n["title"] for n in greeting["notices"]["items"]][-1] == "停水通知"


def test_no_microphone_greeting_points_to_the_buttons(kiosk_app) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client:
        with client.websocket_connect("/kiosk/ws") as ws:  # no input device at all
            ws.send_json({"type": "hello", "session": None, "mic": "none"})
            ws.receive_json()
            greeting = ws.receive_json()
            assert greeting["messages"][0]["text"] == GREETING_TOUCH
            assert "说话" not in greeting["speech"] and "跟我说" not in greeting["speech"]
            ws.send_json({"type": "button", "title": "还有别的事", "payload": "kiosk:home"})
            assert until_reply(ws)[-1]["messages"][0]["text"] == HOME_TOUCH
        with client.websocket_connect("/kiosk/ws") as ws:  # the microphone fails after the welcome
            _, greeting = hello(ws)
            assert greeting["messages"][0]["text"] == GREETING
            ws.send_json({"type": "mic", "ok": False})
            again = ws.receive_json()
            assert again["type"] == "reply" and again["messages"][0]["text"] == GREETING_TOUCH
            assert again["audio"] and again.get("autoplay") is not False  # said, not only shown
            assert titles(again)[:4] == ["我要报事", "我想问问", "我要办事", "查进度"]
            ws.send_json({"type": "ping"})  # nothing else was sent
            assert ws.receive_json()["type"] == "pong"


def test_without_a_microphone_the_next_resident_is_not_told_to_speak(kiosk_app) -> None:
    """办完了, the page's reset and the idle reset start a fresh session for the same page:
    still no microphone, so the welcome and the questions point to the buttons."""
    ask_household = [{"text": "每户一票。您家门牌是多少？几号楼几单元几室。"},
                     {"custom": {"expect": "location", "slot": "vote_household"}}]  # fmt: skip
    app, _, _ = kiosk_app(script=[ASK_WHAT, ASK_WHAT, ask_household])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ws.send_json({"type": "hello", "session": None, "mic": "none"})
        ws.receive_json(), ws.receive_json()
        for reason in ("done", "idle"):  # 办完了, then the page's idle timer
            ws.send_json({"type": "text", "text": "我想问问"})
            until_reply(ws)
            ws.send_json({"type": "command", "name": "reset", "reason": reason})
            assert ws.receive_json()["type"] == "reset"
            welcome = ws.receive_json()
            assert welcome["messages"][0]["text"] == GREETING_TOUCH, reason
            assert "说话" not in welcome["speech"] and "跟我说" not in welcome["speech"]
        ws.send_json({"type": "button", "title": "投票", "payload": "/vote"})
        household = until_reply(ws)[-1]
        assert household["speech"].endswith("也可以点屏幕上的楼号。")  # where to tap, said
        ws.send_json({"type": "button", "title": "还有别的事", "payload": "kiosk:home"})
        assert until_reply(ws)[-1]["messages"][0]["text"] == HOME_TOUCH


def test_notices_are_shown_on_the_welcome_and_read_after_idle(kiosk_app, tmp_path) -> None:
    app, service, _ = kiosk_app(idle_timeout_s=0.6)
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        add_notices(tmp_path, 4)
        _, greeting = hello(ws)
        notices = greeting["notices"]
        # the 3 newest, newest first; shown at once but not read to someone who just arrived
        assert [n["title"] for n in notices["items"]] == [
            "第4号通知：停水安排",
            "第3号通知：停水安排",
            "第2号通知：停水安排",
        ]
        assert notices["audio"] is None and notices["autoplay"] is False
        assert notices["speech"].startswith("社区公告，共三条。第一条，第4号通知：停水安排。")
        # 再听一遍: read on request
        ws.send_json({"type": "command", "name": "notices"})
        again = ws.receive_json()
        assert again["type"] == "notices" and again["audio"].startswith("data:audio/wav")
        # 再说一遍 repeats the greeting: the notices are shown again, never read by it
        ws.send_json({"type": "command", "name": "repeat"})
        repeat = until_reply(ws)[-1]
        assert repeat["notices"]["audio"] is None and repeat["notices"]["autoplay"] is False
        # someone uses the kiosk and walks away: the welcome comes back silently, and the
        # notices are read out once
        ws.send_json({"type": "text", "text": "我想问问"})
        until_reply(ws)
        assert ws.receive_json()["type"] == "reset"
        idle = ws.receive_json()
        assert idle["autoplay"] is False and idle["messages"][0]["text"] == GREETING
        assert idle["notices"]["autoplay"] is True
        assert idle["notices"]["audio"].startswith("data:audio/wav;base64,")
        assert len(idle["notices"]["items"]) == 3
        # nobody came since: the next idle reset does not read them again
        assert ws.receive_json()["type"] == "reset"
        again = ws.receive_json()
        assert again["notices"]["autoplay"] is False and again["notices"]["audio"] is None


def test_page_idle_reset_reads_the_notices_too(kiosk_app, tmp_path) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "我想问问"})
        until_reply(ws)
        ws.send_json({"type": "command", "name": "reset", "reason": "idle"})
        assert ws.receive_json()["type"] == "reset"
        assert ws.receive_json()["notices"]["autoplay"] is True
        ws.send_json({"type": "text", "text": "我想问问"})
        until_reply(ws)
        ws.send_json({"type": "command", "name": "reset"})  # 办完了: the next person, no reading
        assert ws.receive_json()["type"] == "reset"
        assert ws.receive_json()["notices"]["autoplay"] is False


def test_notice_speech_is_short_and_plain() -> None:
    long = (
        "请各位居民注意，本周小区内将分批进行管道检修。" + "外墙清洗和绿化修剪，道路临时封闭。" * 8
    )
    body = short_body(long)  # whole sentences, about 90 characters
    assert long.startswith(body) and body.endswith("。") and 45 <= len(body) <= 120
    one = notices_speech([Notice(title="停水通知", body="明天停水。", date="12月4日")])
    assert one == "社区公告，共一条。第一条，停水通知。明天停水。"
    only = notices_speech([Notice(title="停水通知", body="明天停水。", date="", scope="3号楼")])
    assert only == "社区公告，共一条。第一条，3号楼：停水通知。明天停水。"
    assert scope_of({"scope_kind": "buildings", "scope_label": "3号楼、5号楼"}) == "3号楼、5号楼"
    assert scope_of({"scope_kind": "community", "scope_label": "全社区"}) == scope_of({}) == ""
    many = notices_speech([Notice(title="通知", body=long, date="")] * 2)
    assert many.startswith("社区公告，共两条。第一条，通知。请各位居民注意，")
    assert many.endswith("详细内容请看屏幕。")
    assert local_date("2026-12-04T08:06+08:00") == "12月4日" and local_date("x") == ""


# ----- the 议事 forms by touch: a proposal is about a building, a vote comes from a household ---
WHOLE = {"title": "整个小区", "payload": "整个小区"}
ASK_SCOPE = [
    {"text": "这个建议是关于整个小区，还是哪栋楼？", "buttons": [WHOLE]},
    {"custom": {"expect": "location", "slot": "proposal_where"}},
]
PROPOSAL_READ_BACK = [
    {"text": "您的建议是：多装几个充电桩。关于：5号楼。对吗？",
     "buttons": [{"title": "对", "payload": "/affirm"}, {"title": "不对", "payload": "/deny"}]},
    {"custom": {"expect": "yes_no"}},
]  # fmt: skip
WHAT_IS_WRONG = [
    {"text": "好的，哪里不对？请直接告诉我对的，比如“是5号楼的”，或者把建议重新告诉我。"},
    {"custom": {"expect": "free", "slot": "proposal_form_confirmed"}},
]
ASK_HOUSEHOLD = [
    {"text": "每户一票。您家门牌是多少？几号楼几单元几室，比如“5号楼2单元301”。"},
    {"custom": {"expect": "location", "slot": "vote_household"}},
]


def test_proposal_scope_and_correction_by_touch(kiosk_app) -> None:
    app, _, dialogue = kiosk_app(script=[ASK_SCOPE, PROPOSAL_READ_BACK, WHAT_IS_WRONG, ASK_WHAT])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "小区多装几个充电桩"})
        where = until_reply(ws)[-1]
        # the buildings only (a proposal is about a building or the whole community)
        assert where["touch"]["panel"] == "places" and where["touch"]["label"] == "点一下楼号："
        quick = [b["title"] for b in where["touch"]["quick"]]
        assert quick[:2] == ["1号楼", "2号楼"] and "小区大门" not in quick
        assert where["messages"][0]["buttons"][0]["title"] == "整个小区"
        ws.send_json({"type": "button", "title": "5号楼", "payload": "kiosk:building:5"})
        read_back = until_reply(ws)[-1]  # no unit, no room: the building is the answer
        assert dialogue.received[-1]["message"] == "5号楼" and "对吗" in read_back["speech"]
        ws.send_json({"type": "button", "title": "不对", "payload": "/deny"})
        wrong = until_reply(ws)[-1]
        assert wrong["touch"]["panel"] == "fix" and wrong["touch"]["text_box"] is True
        assert [b["title"] for b in wrong["touch"]["quick"]] == ["改成整个小区", "改楼号"]
        ws.send_json({"type": "button", "title": "改楼号", "payload": "kiosk:fix:building"})
        pick = until_reply(ws)[-1]
        assert "小区大门" not in [b["title"] for b in pick["touch"]["quick"]]
        ws.send_json({"type": "button", "title": "3号楼", "payload": "kiosk:building:3"})
        until_reply(ws)
    assert [m["message"] for m in dialogue.received[-3:]] == ["5号楼", "/deny", "3号楼"]


def test_a_vote_asks_the_whole_household_on_the_picker(kiosk_app) -> None:
    """A vote is one per household: buildings, then units, then the room on the pad; no
    outdoor place, no 不用选单元, no 不用房号 (each of them would not be a home)."""
    app, _, dialogue = kiosk_app(script=[ASK_HOUSEHOLD])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "同意"})
        household = until_reply(ws)[-1]
        assert household["touch"]["panel"] == "places"
        quick = [b["title"] for b in household["touch"]["quick"]]
        assert quick[:2] == ["1号楼", "2号楼"] and all(t.endswith("号楼") for t in quick), quick
        assert "地方" not in household["touch"]["label"]
        # an outdoor place is no household (a button from an older screen): nothing sent
        gate = send_button(ws, "小区大门", "kiosk:place:小区大门")
        assert gate["type"] == "retry"
        ws.send_json({"type": "button", "title": "5号楼", "payload": "kiosk:building:5"})
        unit = until_reply(ws)[-1]
        assert "几单元" in unit["messages"][0]["text"]  # then the unit and the room
        assert "不用" not in unit["messages"][0]["text"]
        units = [b["title"] for b in unit["touch"]["quick"]]
        assert units == [f"{n}单元" for n in range(1, 7)], units
        assert send_button(ws, "不用选单元", "kiosk:unit:none")["type"] == "retry"
        ws.send_json({"type": "button", "title": "2单元", "payload": "kiosk:unit:2"})
        room = until_reply(ws)[-1]
        assert room["touch"]["keypad"]["kind"] == "room"
        assert room["messages"][0]["buttons"] == [] and "不用" not in room["messages"][0]["text"]
        assert send_button(ws, "不用房号", "kiosk:room:none")["type"] == "retry"
        wrong = ws.send_json({"type": "digits", "value": "123456"}) or until_reply(ws)[-1]
        assert wrong["type"] == "retry" and wrong["messages"][0]["buttons"] == []
        assert "不用房号" not in wrong["messages"][0]["text"]
        ws.send_json({"type": "digits", "value": "301"})
        until_reply(ws)
    assert [m["message"] for m in dialogue.received] == ["同意", "5号楼2单元301室"]


def test_the_proposal_question_offers_the_text_box_not_the_start_buttons(kiosk_app) -> None:
    ask = [{"text": "好的，欢迎您出主意！您有什么建议？比如“小区多装几个充电桩”。"},
           {"custom": {"expect": "free", "slot": "proposal_what"}}]  # fmt: skip
    app, _, dialogue = kiosk_app(script=[ask])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ws.send_json({"type": "hello", "session": None, "mic": "none"})
        ws.receive_json(), ws.receive_json()
        what = send_button(ws, "提建议", "/propose")
        assert what["touch"]["text_box"] is True
        assert [b["payload"] for b in what["touch"]["quick"]] == ["/cancel"]  # 不提了
        assert what["speech"].endswith("也可以写在屏幕上的框里。")  # no microphone: say where
        ws.send_json({"type": "text", "text": "东门多装两盏路灯"})  # typed in the box
        until_reply(ws)
    assert [m["message"] for m in dialogue.received] == ["/propose", "东门多装两盏路灯"]


def send_button(ws, title: str, payload: str) -> dict:  # type: ignore[no-untyped-def]
    ws.send_json({"type": "button", "title": title, "payload": payload})
    return until_reply(ws)[-1]


def test_listen_again_without_notices_says_so(kiosk_app) -> None:
    app, service, _ = kiosk_app()
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        service.welcome._notices = (float("inf"), [])  # every notice withdrawn meanwhile
        ws.send_json({"type": "command", "name": "notices"})
        note = until_reply(ws)[-1]
    assert note["type"] == "note" and note["messages"][0]["text"] == "现在没有新的社区公告。"


FILED = [{"text": "好的，您的建议已经交给社区了，编号是第3号。工作人员看过以后会告诉您。"},
         {"custom": {"expect": "free"}}]  # fmt: skip
NOT_PROPOSED = [
    {"text": "好的，这个建议先不提了。还有什么要办的？"},
    {"custom": {"expect": "free"}},
]
VOTED = [{"text": "好的，您家的票记下了：同意。投票结束前都可以改。"}]


def test_after_a_yishi_step_the_start_buttons_offer_yishi_again(kiosk_app, with_yishi) -> None:
    """A proposal filed, 不提了, a vote recorded: the welcome's start buttons (提建议, and 投票
    while a poll is open) and 办完了, not only 报事 / 问问 / 办事 / 查进度."""
    app, service, _ = kiosk_app(script=[FILED, NOT_PROPOSED, VOTED])
    with TestClient(app) as client:
        opened = client.post(
            "/api/deliberation/polls", headers=STAFF, json={"question": "小区东门加装充电桩？"}
        )
        assert opened.status_code == 201, opened.text
        with client.websocket_connect("/kiosk/ws") as ws:
            ws.send_json({"type": "hello", "session": None, "mic": "none"})
            ws.receive_json(), ws.receive_json()
            for said in ("对", "不提了", "同意"):
                after = send_button(ws, said, said)
                buttons = {b["title"]: b["payload"] for b in after["touch"]["quick"]}
                assert list(buttons) == ["我要报事", "我想问问", "我要办事", "查进度", "提建议",
                                         "投票", "办完了"], (said, buttons)  # fmt: skip
                assert buttons["提建议"] == "/propose" and buttons["投票"] == "/vote"
                assert after["touch"]["text_box"] is True
            ws.send_json({"type": "button", "title": "投票", "payload": "/vote"})
            until_reply(ws)


@pytest.mark.parametrize(
    ("expect", "text", "slot", "form", "proposing"),
    [
        # by the slot the dialogue names, whatever the words
        ("free", "好的，欢迎您出主意！您有什么建议？", "proposal_what", None, True),
        ("free", "为什么想提这个建议？一两句就行。", "proposal_why", None, False),
        ("location", "这个建议是关于整个小区，还是哪栋楼？", "proposal_where", "proposal", False),
        (
            "free",
            "好的，哪里不对？请直接告诉我对的。",
            "proposal_form_confirmed",
            "proposal",
            False,
        ),
        ("location", "您家门牌是多少？", "vote_household", "vote", False),
        ("free", "您的意见是？", "vote_option", "vote", False),
        ("location", "在哪里呢？请告诉我楼号和单元。", None, None, False),  # a report
        # no slot named: the words (the vote form's own re-ask for a missing part)
        ("free", "每户一票：记下了5号楼，还差几单元，请再告诉我一下。", None, "vote", False),
        ("free", "好的，欢迎您出主意！您有什么建议？", None, None, True),
        ("free", "我建议多装灯。您要反映：路灯。对吗？", None, None, False),  # a read-back
    ],
)
def test_the_kiosk_tells_the_yishi_questions_apart(
    expect: str, text: str, slot: str | None, form: str | None, proposing: bool
) -> None:
    """Channel-neutral questions (no "请说"): the kiosk goes by the slot asked for."""
    assert yishi_form(expect, text, slot) == form
    assert asks_proposal(text, slot) is proposing


def test_the_kiosk_reads_the_slot_asked_for() -> None:
    asked = messages_of(
        [
            {"text": "您家门牌是多少？"},
            {"custom": {"expect": "location", "slot": "vote_household"}},
        ]
    )
    assert find_asked_slot(asked) == "vote_household"
    assert find_asked_slot(messages_of([{"custom": {"expect": "location"}}])) is None
