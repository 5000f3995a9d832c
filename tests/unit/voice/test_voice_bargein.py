"""Barge-in: words said while the kiosk speaks (fake recogniser, real hub app and WebSocket)."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.unit.voice.test_voice_kiosk import READ_BACK, hello
from voice.kiosk.bargein import BargeIn, classify, command_in, is_echo

QUESTION = "在哪里呢？请说楼号和单元，比如五号楼二单元。"


def barge(ws, samples: np.ndarray) -> list[dict]:  # type: ignore[no-untyped-def]
    """Stream an utterance the page marked as said over the kiosk's speech."""
    ws.send_json({"type": "audio_start", "rate": 16000})
    pcm = samples.astype("<i2").tobytes()
    for i in range(0, len(pcm), 640):
        ws.send_bytes(pcm[i : i + 640])
    ws.send_json({"type": "audio_end", "barge_in": True})
    events = []
    while True:
        ev = ws.receive_json()
        events.append(ev)
        if ev["type"] in ("reply", "retry", "note", "stopped", "barge_ignored"):
            return events


@pytest.mark.parametrize(
    ("heard", "spoken", "echo"),
    [
        ("请说楼号和单元，比如五号楼二单元", QUESTION, True),  # a long stretch of our own words
        ("请说楼号和单元比如五号楼", QUESTION, True),
        ("三号楼", QUESTION, False),  # an answer sharing the question's words
        ("五号楼二单元", QUESTION, False),  # even the question's own example
        ("停", QUESTION, False),
        ("再说一遍", "没听清楚，请您再说一遍，慢一点说就好。", True),  # must not loop on itself
        ("再说一遍", QUESTION, False),
        ("", QUESTION, False),
    ],
)
def test_echo_is_only_a_long_stretch_of_what_the_kiosk_said(heard, spoken, echo) -> None:
    assert is_echo(heard, spoken) is echo


def test_classify_and_commands() -> None:
    assert classify("停。", QUESTION, command_in("停。")) is BargeIn.COMMAND
    assert classify("转人工", QUESTION, command_in("转人工")) is BargeIn.COMMAND
    assert command_in("找工作人员") == "human"
    assert classify("三号楼", QUESTION, command_in("三号楼")) is BargeIn.ANSWER
    assert classify("。", QUESTION, None) is BargeIn.NOTHING
    assert classify("在哪里呢，请说楼号和单元", QUESTION, None) is BargeIn.ECHO


def test_stop_said_over_the_kiosk_stops_it(kiosk_app, speech_clip) -> None:
    """Recognised against the commands first (with the question's prompt 停 became "")."""
    app, service, dialogue = kiosk_app(queue=["停。"])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        events = barge(ws, speech_clip)
    assert [e["type"] for e in events] == ["transcript", "stopped"]
    assert events[0]["barge_in"] == "command"
    assert [call[1].kind for call in service.recognizer.calls] == ["command"]
    assert dialogue.received == []


def test_yes_misheard_from_stop_never_confirms(kiosk_app, speech_clip) -> None:
    """At the read-back Whisper made "行" (yes) of 停: the command pass comes first."""
    app, service, dialogue = kiosk_app(queue=["停。"], script=[READ_BACK])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "我要报事"})
        while ws.receive_json()["type"] != "reply":
            pass
        events = barge(ws, speech_clip)
    assert events[-1]["type"] == "stopped"
    assert [call[1].kind for call in service.recognizer.calls] == ["command"]
    assert len(dialogue.received) == 1  # only the typed 我要报事


def test_short_answer_over_the_kiosk_is_not_a_command(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app(queue=["对。", "对。"], script=[READ_BACK, [{"text": "好"}]])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "我要报事"})
        while ws.receive_json()["type"] != "reply":
            pass
        events = barge(ws, speech_clip)
    assert [call[1].kind for call in service.recognizer.calls] == ["command", "yes_no"]
    assert events[0]["type"] == "transcript" and events[0]["barge_in"] == "answer"
    assert events[-1]["type"] == "reply"
    assert [m["message"] for m in dialogue.received] == ["我要报事", "对"]


def test_the_kiosks_own_voice_is_ignored(kiosk_app, speech_clip) -> None:
    echo = "请点一下您要办的事，也可以按点我说话，直接跟我说"  # a stretch of the greeting
    app, service, dialogue = kiosk_app(queue=[echo, echo])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        events = barge(ws, speech_clip)
    assert [e["type"] for e in events] == ["barge_ignored"]
    assert dialogue.received == []


def test_an_early_answer_is_taken_as_the_answer(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app(
        queue=["五号楼二单元的电梯坏了", "五号楼二单元的电梯坏了"],
        script=[[{"text": "这个问题急不急？"}, {"custom": {"expect": "urgency"}}]],
    )
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        events = barge(ws, speech_clip)
    assert [e["type"] for e in events] == ["transcript", "reply"]
    assert events[-1]["expect"] == "urgency" and events[-1]["timing"]["asr_s"] >= 0
    assert [m["message"] for m in dialogue.received] == ["五号楼二单元的电梯坏了"]


def test_repeat_and_human_said_over_the_kiosk(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app(queue=["你说啥？再说一遍。", "转人工。"])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        _, greeting = hello(ws)
        again = barge(ws, speech_clip)
        human = barge(ws, speech_clip)
    assert again[-1]["repeat"] and again[-1]["messages"] == greeting["messages"]
    # the kiosk first asks how staff can reach the resident; the task is made after that
    assert dialogue.received == []
    assert human[-1]["type"] == "reply" and "怎么联系您" in human[-1]["messages"][0]["text"]


def test_noise_over_the_kiosk_changes_nothing(kiosk_app) -> None:
    app, service, dialogue = kiosk_app(queue=["不该被用到"])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        short = barge(ws, np.zeros(800, dtype=np.int16))
        noise = barge(ws, (np.random.default_rng(5).standard_normal(32000) * 5000).astype(np.int16))
    assert short == [{"type": "barge_ignored"}] and noise == [{"type": "barge_ignored"}]
    assert service.recognizer.calls == [] and dialogue.received == []


def test_barge_in_is_on_by_default_and_can_be_turned_off(kiosk_app, monkeypatch) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client:
        assert client.get("/kiosk/config").json()["barge_in"] is True
    monkeypatch.setenv("VOICE_BARGE_IN", "false")  # a loudspeaker with no echo cancellation
    app, _, _ = kiosk_app()
    with TestClient(app) as client:
        assert client.get("/kiosk/config").json()["barge_in"] is False
