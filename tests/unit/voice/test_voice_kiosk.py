"""The kiosk WebSocket with a fake recogniser/synthesiser and a scripted dialogue (real hub app)."""

from __future__ import annotations

import base64
import json
import time

import numpy as np
from fastapi.testclient import TestClient

from core.case_numbers import spoken_tail
from core.rasa_rest import messages_of
from core.textnorm import normalize_text
from voice.kiosk.commands import match_command
from voice.kiosk.speech import (
    find_case_no,
    find_expect,
    speakable_case_no,
    speech_text,
)

ASK_LOCATION = [{"text": "在哪里？"}, {"custom": {"expect": "location"}}]
READ_BACK = [
    {
        "text": "您要反映：电梯故障，5号楼2单元。对吗？",
        "buttons": [{"title": "对", "payload": "/affirm"}, {"title": "不对", "payload": "/deny"}],
    },
    {"custom": {"expect": "yes_no"}},
]
CREATED = [
    {"text": "已受理！您的报事编号是 BS-20261121-0042（尾号 0 0 4 2）。"},
    {
        "custom": {
            "case_no": "BS-20261121-0042",
            "type": "report",
            "access_code": "7KQ2-9XMD-B4TN-HW3R",
        }
    },
]


def hello(ws) -> tuple[dict, dict]:
    ws.send_json({"type": "hello", "session": None})
    ready = ws.receive_json()
    greeting = ws.receive_json()
    return ready, greeting


def say(ws, samples: np.ndarray) -> list[dict]:
    """Stream one utterance like the page does and collect events up to the reply/retry."""
    ws.send_json({"type": "audio_start", "rate": 16000})
    pcm = samples.astype("<i2").tobytes()
    for i in range(0, len(pcm), 640):
        ws.send_bytes(pcm[i : i + 640])
    ws.send_json({"type": "audio_end"})
    return until_reply(ws)


def until_reply(ws) -> list[dict]:
    events = []
    while True:
        ev = ws.receive_json()
        events.append(ev)
        if ev["type"] in ("reply", "retry", "note", "stopped"):
            return events


def test_greeting_is_shown_and_spoken(kiosk_app) -> None:
    app, service, _ = kiosk_app()
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ready, greeting = hello(ws)
    assert ready["type"] == "ready" and ready["session"]
    assert greeting["type"] == "reply" and "您好" in greeting["messages"][0]["text"]
    assert greeting["audio"].startswith("data:audio/wav;base64,")
    assert base64.b64decode(greeting["audio"].split(",", 1)[1])[:4] == b"RIFF"


def test_voice_report_steers_the_recogniser_and_shows_the_case(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app(
        queue=["电梯坏了，门关不上。", "五号楼二单元", "对，没错"],
        script=[ASK_LOCATION, READ_BACK, CREATED],
    )
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ready, _ = hello(ws)
        ev1 = say(ws, speech_clip)
        ev2 = say(ws, speech_clip)
        ev3 = say(ws, speech_clip)
    kinds = [call[1].kind for call in service.recognizer.calls]
    assert kinds == ["free", "location", "yes_no"]
    transcript = next(e for e in ev1 if e["type"] == "transcript")
    assert transcript["text"] == "电梯坏了，门关不上。"
    sent = [m["message"] for m in dialogue.received]
    # normalised, without the trailing full stop Whisper adds (the NLU stumbles on it)
    assert sent == [normalize_text(t) for t in ("电梯坏了，门关不上", "五号楼二单元", "对，没错")]
    assert {m["sender"] for m in dialogue.received} == {f"kiosk:{ready['session']}"}
    read_back = ev2[-1]
    assert read_back["expect"] == "yes_no"
    assert [b["title"] for b in read_back["messages"][0]["buttons"]] == ["对", "不对"]
    done = ev3[-1]
    assert done["case_no"] == "BS-20261121-0042"
    assert done["print_url"] == "/kiosk/case/BS-20261121-0042/print?t=7KQ2-9XMD-B4TN-HW3R"
    assert done["speech"].count("零零四二") == 2  # spoken twice, digit by digit
    assert done["timing"]["turn_s"] >= done["timing"]["asr_s"] >= 0
    synth_calls = service.synthesizer.calls
    assert synth_calls[-1][1] < service.settings.tts_rate  # case number said more slowly


def test_noise_and_silence_are_never_forwarded(kiosk_app) -> None:
    app, service, dialogue = kiosk_app(queue=["不该被用到"])
    noise = (np.random.default_rng(3).standard_normal(16000 * 2) * 5000).astype(np.int16)
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ev_noise = say(ws, noise)
        ev_silence = say(ws, np.zeros(16000 * 2, dtype=np.int16))
        ev_short = say(ws, noise[:800])
    for events in (ev_noise, ev_silence, ev_short):
        assert events[-1]["type"] == "retry"
        assert "请" in events[-1]["messages"][0]["text"]
    assert dialogue.received == []
    assert service.recognizer.calls == []


def test_empty_transcript_asks_again(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app(queue=[""])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        events = say(ws, speech_clip)
    assert events[-1]["type"] == "retry" and "再说一遍" in events[-1]["messages"][0]["text"]
    assert dialogue.received == []


def test_spoken_commands_are_handled_by_the_kiosk(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app(
        queue=["我要报事", "再说一遍", "慢一点", "停"],
        script=[[{"text": "请说说遇到了什么问题？"}, {"custom": {"expect": "description"}}]],
    )
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        first = say(ws, speech_clip)[-1]
        again = say(ws, speech_clip)[-1]
        slower = say(ws, speech_clip)
        stop = say(ws, speech_clip)[-1]
    assert len(dialogue.received) == 1
    assert again["repeat"] and again["messages"] == first["messages"]
    settings = next(e for e in slower if e["type"] == "settings")
    assert settings["rate"] == service.settings.tts_rate - 20
    assert slower[-1]["speech"].startswith("好的，我说慢一点。")
    assert stop["type"] == "stopped"


def test_buttons_send_their_payload_and_louder_changes_volume(kiosk_app) -> None:
    app, service, dialogue = kiosk_app(script=[READ_BACK, CREATED])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "五号楼二单元电梯坏了"})
        until_reply(ws)
        ws.send_json({"type": "command", "name": "louder"})
        louder = until_reply(ws)
        ws.send_json({"type": "button", "title": "对", "payload": "/affirm"})
        done = until_reply(ws)[-1]
    assert louder[0] == {"type": "settings", "rate": service.settings.tts_rate, "volume": 1.5}
    assert dialogue.received[-1]["message"] == "/affirm"
    assert done["case_no"] == "BS-20261121-0042"


def test_dialogue_down_gives_a_gentle_message(kiosk_app) -> None:
    app, service, dialogue = kiosk_app()
    dialogue.down = True
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "我要报事"})
        events = until_reply(ws)
    assert events[-1]["type"] == "retry" and "转人工" in events[-1]["messages"][0]["text"]


def test_idle_resets_with_fresh_session_and_keeps_a_draft(kiosk_app, tmp_path) -> None:
    app, service, dialogue = kiosk_app(script=[ASK_LOCATION], idle_timeout_s=0.6)
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ready, _ = hello(ws)
        ws.send_json({"type": "text", "text": "电梯坏了"})
        until_reply(ws)
        reset = ws.receive_json()
        assert reset["type"] == "reset" and reset["reason"] == "idle"
        assert reset["session"] != ready["session"]
        greeting = ws.receive_json()
        assert "您好" in greeting["messages"][0]["text"] and greeting["autoplay"] is False
        assert ready["session"] not in service.sessions
        # staff can read the draft; residents cannot
        assert client.get("/kiosk/drafts").status_code == 401
        drafts = client.get("/kiosk/drafts", headers={"Authorization": "Bearer test-token"}).json()
    assert len(drafts) == 1
    draft = drafts[0]
    assert draft["session"] == ready["session"] and draft["reason"] == "idle"
    assert draft["last_expect"] == "location"
    assert [t["text"] for t in draft["turns"] if t["who"] == "resident"] == ["电梯坏了"]
    lines = (tmp_path / "kiosk" / "drafts.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["session"] == ready["session"]


def test_finished_conversation_leaves_no_draft(kiosk_app) -> None:
    app, service, dialogue = kiosk_app(script=[CREATED], idle_timeout_s=0.6)
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "对"})
        until_reply(ws)
        assert ws.receive_json()["type"] == "reset"
    assert service.drafts.list() == []


def test_page_reset_command_and_resume(kiosk_app) -> None:
    app, service, dialogue = kiosk_app(script=[ASK_LOCATION])
    with TestClient(app) as client:
        with client.websocket_connect("/kiosk/ws") as ws:
            ready, _ = hello(ws)
            ws.send_json({"type": "text", "text": "路灯坏了"})
            until_reply(ws)
        with client.websocket_connect("/kiosk/ws") as ws:  # page reload: same session resumes
            ws.send_json({"type": "hello", "session": ready["session"]})
            again = ws.receive_json()
            last = ws.receive_json()
            assert again["resumed"] is True and again["expect"] == "location"
            assert last["messages"][0]["text"] == "在哪里？" and last["autoplay"] is False
            ws.send_json({"type": "command", "name": "reset"})
            reset = ws.receive_json()
            assert reset["type"] == "reset" and reset["session"] != ready["session"]
        with client.websocket_connect("/kiosk/ws") as ws:  # an old id cannot be resumed
            ws.send_json({"type": "hello", "session": ready["session"]})
            assert ws.receive_json()["resumed"] is False
    assert service.drafts.list()[0]["reason"] == "reset"


def test_pages_and_config_are_served(kiosk_app) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client:
        page = client.get("/kiosk/")
        assert page.status_code == 200 and "长辈版" in page.text
        assert "http://" not in page.text and "https://" not in page.text  # nothing external
        assert client.get("/kiosk/dashboard").status_code == 200
        for name in ("kiosk.js", "kiosk.css", "pcm-worklet.js", "dashboard.js", "dashboard.css"):
            body = client.get(f"/kiosk/static/{name}")
            assert body.status_code == 200
            assert "cdn" not in body.text.lower()
        config = client.get("/kiosk/config").json()
        assert config["end_silence_ms"] >= 1200


def test_print_page_shows_a_real_case(kiosk_app) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client:
        created = client.post(
            "/api/cases",
            headers={"Authorization": "Bearer test-token"},
            json={
                "type": "report",
                "category": "elevator",
                "description": "电梯门关不上",
                "location": {"building": "5", "unit": "2"},
                "channel": "kiosk",
                "contact_declined": True,
            },
        )
        assert created.status_code == 201, created.text
        case_no, code = created.json()["case_no"], created.json()["access_code"]
        page = client.get(f"/kiosk/case/{case_no}/print?t={code}")
        missing = client.get(f"/kiosk/case/BS-20000101-9999/print?t={code}")
    assert page.status_code == 200
    assert case_no in page.text and "5号楼2单元" in page.text and "电梯门关不上" in page.text
    assert missing.status_code == 404


def test_speech_helpers() -> None:
    assert speakable_case_no("BS-20261121-0042") == "B S，二零二六，一一二一，零零四二"
    assert (
        find_expect(
            messages_of([{"custom": {"expect": "location"}}, {"custom": {"expect": "yes_no"}}])
        )
        == "yes_no"
    )
    assert find_expect(messages_of([{"text": "好的"}])) is None
    assert find_case_no(messages_of([{"text": "编号 BS-20261121-0042"}])) == "BS-20261121-0042"
    spoken = speech_text(messages_of(CREATED), "BS-20261121-0042")
    assert spoken.count("零零四二") == 2 and spoken.count("编号尾号零零四二") == 2
    # one sentence mark per part: a question keeps its question mark, nothing doubled
    said = speech_text(
        messages_of([{"text": "好的。"}, {"text": "这个问题急不急？"}, {"text": "请点按钮"}])
    )
    assert said == "好的。这个问题急不急？请点按钮。"


def test_the_kiosk_says_only_the_tail_of_a_case_number() -> None:
    """Elders need the tail: "编号尾号零零四二", never the whole "B S，二零二六…" (issue 13)."""
    spoken = speech_text(messages_of(CREATED), "BS-20261121-0042")
    assert spoken.startswith("已受理！您的报事编号尾号零零四二。")
    assert "二零二六" not in spoken and "B S" not in spoken and "BS" not in spoken
    assert spoken.endswith("我再说一遍，编号尾号零零四二。请记好，也可以打印出来。")
    linked = speech_text(
        messages_of([{"text": "这个问题邻居已经反映过了（编号 BS-20261120-0007），"}])
    )
    assert "编号尾号零零零七" in linked and "2026" not in linked
    assert spoken_tail("BS-20261203-0098") == "编号尾号零零九八"


def test_commands_only_match_short_utterances() -> None:
    assert match_command("你说啥？再说一遍。") == "repeat"
    assert match_command("停。") == "stop"
    assert match_command("大声点") == "louder"
    assert match_command("说慢点") == "slower"
    assert match_command("楼道灯停了，一直不亮") is None
    assert match_command("转人工") is None  # the dialogue handles hand-off
    assert match_command("") is None


def test_idle_timer_counts_from_last_activity(kiosk_app) -> None:
    app, service, _ = kiosk_app(idle_timeout_s=5)
    session, _ = service.open_session()
    assert service.idle_sessions() == []
    session.last_activity = time.monotonic() - 10
    assert service.idle_sessions() == [session]


def test_broken_recogniser_gives_a_gentle_message(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app()

    def boom(clip, expect):
        raise RuntimeError("model missing")

    service.recognizer.func = boom
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        events = say(ws, speech_clip)
    assert events[-1]["type"] == "retry" and "转人工" in events[-1]["messages"][0]["text"]
    assert dialogue.received == []


def test_the_closest_questions_are_read_out_after_you_mean() -> None:
    """The FAQ is unsure: "您是想问：" is followed by the questions as buttons. Someone who only
    listens hears them, not "您是想问：" and then "都不是的话"."""
    unsure = [{
        "text": "我不太确定，您是想问：\n都不是的话，可以点“转人工”，您的问题也已经记下来了。",
        "buttons": [
            {"title": "电动车着火了怎么办？", "payload": "/ask_faq"},
            {"title": "电动车充电怎么收费？", "payload": "/ask_faq"},
            {"title": "转人工", "payload": "/handoff_human"},
        ],
    }]  # fmt: skip
    said = speech_text(messages_of(unsure))
    assert said.startswith(
        "我不太确定，您是想问：电动车着火了怎么办，还是电动车充电怎么收费？都不是"
    )
    assert "\n" not in said and "转人工，还是" not in said
    done = [{"text": "办理经过：\n换了一段水管", "buttons": [{"title": "解决了", "payload": "x"}]}]
    assert "解决了" not in speech_text(messages_of(done))  # other colons keep their own lines


def test_the_screen_points_to_the_closest_questions_below(kiosk_app) -> None:
    """ "您是想问：" and then "都不是的话" on one line read as if the question were missing;
    the screen says 您是想问下面哪一个？ above the buttons, the speech lists them."""
    unsure = [{
        "text": "我不太确定，您是想问：\n都不是的话，可以点“转人工”。",
        "buttons": [{"title": "电动车充电怎么收费？", "payload": "电动车充电怎么收费？"},
                    {"title": "转人工", "payload": "转人工"}],
    }]  # fmt: skip
    app, _, _ = kiosk_app(script=[unsure])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "充电的问题问一下"})
        reply = until_reply(ws)[-1]
    assert (
        reply["messages"][0]["text"]
        == "我不太确定，您是想问下面哪一个？都不是的话，可以点“转人工”。"
    )
    assert reply["speech"].startswith("我不太确定，您是想问：电动车充电怎么收费？都不是的话")
