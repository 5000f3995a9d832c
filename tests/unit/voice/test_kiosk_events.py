"""The kiosk page's WebSocket events parse into their typed models, as leniently as before."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from voice.kiosk.events import (
    DEFAULT_RATE,
    EVENTS,
    KNOWN_KINDS,
    AudioCancelEvent,
    AudioEndEvent,
    AudioStartEvent,
    ButtonEvent,
    CommandEvent,
    DigitsEvent,
    HelloEvent,
    MicEvent,
    PingEvent,
    TextEvent,
    UnknownEvent,
    parse_event,
)


def parse(obj: object) -> Any:
    return parse_event(json.dumps(obj, ensure_ascii=False))


def test_hello() -> None:
    event = parse({"type": "hello", "session": "abc", "mic": "none"})
    assert isinstance(event, HelloEvent)
    assert event.session == "abc" and event.touch_only
    fresh = parse({"type": "hello", "session": None})
    assert isinstance(fresh, HelloEvent) and fresh.session is None and not fresh.touch_only
    assert parse({"type": "hello", "session": 7, "mic": True}) == HelloEvent(type="hello")


def test_audio_start_rate() -> None:
    event = parse({"type": "audio_start", "rate": 22050})
    assert isinstance(event, AudioStartEvent) and event.rate == 22050
    assert parse({"type": "audio_start", "rate": "44100"}).rate == 44100
    for rate in (None, 0, 4000, 96000):  # none or out of range: 16 kHz
        assert parse({"type": "audio_start", "rate": rate}).rate == DEFAULT_RATE
    assert parse({"type": "audio_start"}).rate == DEFAULT_RATE
    with pytest.raises(ValidationError):  # no number: could not be read before either
        parse({"type": "audio_start", "rate": "fast"})


def test_audio_end_and_cancel() -> None:
    plain = parse({"type": "audio_end"})
    assert isinstance(plain, AudioEndEvent) and plain.barge_in is False
    assert parse({"type": "audio_end", "barge_in": True}).barge_in is True
    assert parse({"type": "audio_end", "barge_in": 0}).barge_in is False
    assert isinstance(parse({"type": "audio_cancel"}), AudioCancelEvent)


def test_text() -> None:
    event = parse({"type": "text", "text": "电梯坏了"})
    assert isinstance(event, TextEvent) and event.text == "电梯坏了"
    assert parse({"type": "text"}).text == ""
    assert parse({"type": "text", "text": 42}).text == "42"


def test_button_title_and_payload_stand_in_for_each_other() -> None:
    event = parse({"type": "button", "title": "对", "payload": "/affirm"})
    assert isinstance(event, ButtonEvent)
    assert (event.title, event.payload) == ("对", "/affirm")
    only_payload = parse({"type": "button", "payload": "/deny"})
    assert (only_payload.title, only_payload.payload) == ("/deny", "/deny")
    only_title = parse({"type": "button", "title": "查进度"})
    assert (only_title.title, only_title.payload) == ("查进度", "查进度")
    empty = parse({"type": "button"})
    assert (empty.title, empty.payload) == ("", "")


def test_digits_keeps_forty_characters() -> None:
    event = parse({"type": "digits", "value": "1" * 50})
    assert isinstance(event, DigitsEvent) and event.value == "1" * 40
    assert parse({"type": "digits", "value": 1234}).value == "1234"
    assert parse({"type": "digits"}).value == ""


def test_command() -> None:
    event = parse({"type": "command", "name": "repeat"})
    assert isinstance(event, CommandEvent) and event.name == "repeat"
    assert parse({"type": "command", "name": "reset", "reason": "idle"}).reset_reason == "idle"
    assert parse({"type": "command", "name": "reset"}).reset_reason == "reset"
    assert parse({"type": "command", "name": "reset", "reason": 1}).reset_reason == "reset"


def test_mic_only_json_false_means_lost() -> None:
    lost = parse({"type": "mic", "ok": False})
    assert isinstance(lost, MicEvent) and lost.ok is False
    assert parse({"type": "mic", "ok": True}).ok is True
    for ok in (0, "false", None):
        assert parse({"type": "mic", "ok": ok}).ok is None
    assert parse({"type": "mic"}).ok is None


def test_ping() -> None:
    assert isinstance(parse({"type": "ping"}), PingEvent)


@pytest.mark.parametrize(
    "obj", [{"type": "dance", "x": 1}, {}, {"type": None}, {"type": ["hello"]}, {"type": 3}]
)
def test_unknown_type_is_an_unknown_event(obj: dict) -> None:
    event = parse(obj)
    assert isinstance(event, UnknownEvent)
    assert event.type == obj.get("type")


def test_not_json_is_none_and_empty_text_is_an_unknown_event() -> None:
    assert parse_event("{not json") is None
    assert isinstance(parse_event(""), UnknownEvent)
    assert isinstance(parse_event(None), UnknownEvent)


def test_json_that_is_not_an_object_cannot_be_read() -> None:
    for text in ("[1]", '"hello"', "3", "null"):
        with pytest.raises(ValidationError):
            parse_event(text)


def test_every_known_kind_has_its_model() -> None:
    for kind in KNOWN_KINDS:
        event = parse({"type": kind})
        assert not isinstance(event, UnknownEvent) and event.type == kind
    assert EVENTS.validate_python(PingEvent(type="ping")) == PingEvent(type="ping")


def test_the_socket_answers_unknown_and_malformed_events_as_before(kiosk_app) -> None:
    from fastapi.testclient import TestClient

    app, _, _ = kiosk_app()
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        ws.send_text("{not json")  # ignored
        ws.send_json({"type": "dance"})  # before hello: asked to wait
        assert ws.receive_json() == {"type": "error", "text": "请稍等，正在重新连接。"}
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "error"
        ws.send_json({"type": "hello", "session": None})
        assert ws.receive_json()["type"] == "ready"
        assert ws.receive_json()["type"] == "reply"
        ws.send_text("{not json")  # ignored
        ws.send_json({"type": "dance"})  # ignored
        ws.send_json({"type": "audio_cancel"})  # nothing to say
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}  # the first answer after the three
