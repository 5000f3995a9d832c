"""A phone number said at the kiosk: read back in 3-4-4 groups, confirmed, one group corrected."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.voice.test_voice_kiosk import hello, say, until_reply

ASK_PHONE = [{"text": "留个电话吧？"}, {"custom": {"expect": "phone"}}]
READ_BACK = [{"text": "您要反映：……对吗？"}, {"custom": {"expect": "yes_no"}}]


def press(ws, title: str, payload: str) -> list[dict]:
    ws.send_json({"type": "button", "title": title, "payload": payload})
    return until_reply(ws)


def test_spoken_phone_is_confirmed_and_only_the_wrong_group_is_asked_again(
    kiosk_app, speech_clip
) -> None:
    app, service, dialogue = kiosk_app(
        queue=["电梯坏了", "幺三八，幺二三四，五六七九", "不对", "五六七八", "对"],
        script=[ASK_PHONE, READ_BACK],
    )
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        say(ws, speech_clip)  # the report → the phone question
        heard = say(ws, speech_clip)[-1]
        which = say(ws, speech_clip)[-1]
        group = press(ws, "5679", "kiosk:phone:g2")[-1]
        fixed = say(ws, speech_clip)[-1]
        done = say(ws, speech_clip)[-1]
    assert heard["messages"][0]["text"] == "我听到的电话是：138 1234 5679，对吗？"
    assert "幺三八，幺二三四，五六七九" in heard["speech"]
    assert [b["payload"] for b in heard["messages"][0]["buttons"]] == [
        "kiosk:phone:yes",
        "kiosk:phone:no",
    ]
    assert [b["title"] for b in which["messages"][0]["buttons"]] == ["138", "1234", "5679"]
    assert "第三段" in group["messages"][0]["text"]
    assert group["touch"]["keypad"]["max"] == 4 and "第三段" in group["touch"]["keypad"]["label"]
    assert "138 1234 5678" in fixed["messages"][0]["text"]
    assert done["messages"][0]["text"].startswith("您要反映")
    # the dialogue got the report and then the number, once, as 11 digits
    assert [m["message"] for m in dialogue.received] == ["电梯坏了", "13812345678"]
    expects = [(c[1].kind, c[1].digits) for c in service.recognizer.calls]
    assert expects == [
        ("free", None),
        ("phone", None),
        ("yes_no", None),
        ("phone", 4),  # just the group, 4 digits
        ("yes_no", None),
    ]


def test_a_correction_said_with_the_group_replaces_the_closest_group(kiosk_app, speech_clip):
    app, service, dialogue = kiosk_app(
        queue=["幺三九，两零零零，幺幺幺幺", "不对，后四位是幺幺幺七", "对的"],
        script=[ASK_PHONE, READ_BACK],
    )
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "路灯不亮"})
        until_reply(ws)
        say(ws, speech_clip)
        fixed = say(ws, speech_clip)[-1]
        say(ws, speech_clip)
    assert "139 2000 1117" in fixed["messages"][0]["text"]
    assert [m["message"] for m in dialogue.received][-1] == "13920001117"


def test_a_number_that_is_not_a_phone_is_asked_again_and_never_sent(kiosk_app, speech_clip):
    app, service, dialogue = kiosk_app(queue=["幺三八幺二三四五六七"], script=[ASK_PHONE])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "路灯不亮"})
        until_reply(ws)
        retry = say(ws, speech_clip)[-1]
    assert retry["type"] == "retry" and "不是完整的号码" in retry["messages"][0]["text"]
    assert retry["touch"]["keypad"]
    assert [m["message"] for m in dialogue.received] == ["路灯不亮"]


def test_declining_by_voice_still_reaches_the_dialogue(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app(queue=["不留了"], script=[ASK_PHONE])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "路灯不亮"})
        until_reply(ws)
        say(ws, speech_clip)
    assert [m["message"] for m in dialogue.received] == ["路灯不亮", "不留了"]


def test_the_keypad_during_the_check_sends_the_typed_number(kiosk_app, speech_clip) -> None:
    app, service, dialogue = kiosk_app(queue=["幺三八幺二三四五六七九", "不对"], script=[ASK_PHONE])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "路灯不亮"})
        until_reply(ws)
        say(ws, speech_clip)
        say(ws, speech_clip)
        ws.send_json({"type": "digits", "value": "13812345678"})
        until_reply(ws)
    assert [m["message"] for m in dialogue.received] == ["路灯不亮", "13812345678"]


def test_group_names_are_not_read_as_digits() -> None:
    from voice.kiosk.phonecheck import named_group

    assert named_group("不对，后四位是幺幺幺七") == (-1, "不对，是幺幺幺七")
    assert named_group("前三位是139") == (0, "是139")
    assert named_group("中间四位两零零零") == (1, "两零零零")
    assert named_group("不对") == (None, "不对")


def test_a_phones_last_four_digits_go_to_the_dialogue(kiosk_app, speech_clip) -> None:
    # the status look-up asks for a phone's last 4 digits with the same question kind
    ask_tail = [{"text": "请说报事时留的手机号后四位。"}, {"custom": {"expect": "phone"}}]
    app, service, dialogue = kiosk_app(queue=["5678"], script=[ask_tail])
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "查一下0098"})
        until_reply(ws)
        say(ws, speech_clip)
    assert [m["message"] for m in dialogue.received] == ["查一下0098", "5678"]


def test_after_yes_the_screen_still_shows_what_was_said(kiosk_app, speech_clip) -> None:
    """对 said to "我听到的电话是：138 1234 5678，对吗？": 我听到的是 keeps 对. It showed the
    number again, as if the resident had said it."""
    app, service, dialogue = kiosk_app(
        queue=["幺三八，幺二三四，五六七八", "对，没错"], script=[ASK_PHONE, READ_BACK]
    )
    with TestClient(app) as client, client.websocket_connect("/kiosk/ws") as ws:
        hello(ws)
        ws.send_json({"type": "text", "text": "路灯不亮"})
        until_reply(ws)
        say(ws, speech_clip)
        events = say(ws, speech_clip)
    transcript = [e for e in events if e["type"] == "transcript"][-1]
    done = events[-1]
    assert transcript["text"] == "对，没错" and done["messages"][0]["text"].startswith("您要反映")
    assert done.get("heard") in (None, transcript["text"]), done.get("heard")
    assert [m["message"] for m in dialogue.received][-1] == "13812345678"
