"""The Telegram channel end to end: the real PTB client against a fake Bot API, driving the real
Rasa server, action server and hub (``live_stack``)."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot import texts
from bot.app import running
from bot.speech import SpeechIO
from core.config import HubSettings
from tests import heldout as h
from tests.e2e.telegram.conftest import VOICE_CLIP, service_token, wav_to_ogg
from tests.e2e.telegram.driver import ANSWERS, Resident
from tests.paths import synthetic_clip
from tests.textsets import normalise
from tests.unit.bot.helpers import tiny_jpeg

pytestmark = pytest.mark.integration


async def test_full_report_by_text(tg_bot, fake_tg, chat_id, case_client):
    resident = Resident(fake_tg, tg_bot, chat_id)
    sent: list[int] = []
    calls = await resident.turn(
        lambda: sent.append(fake_tg.send_text(chat_id, h.TG_CORRIDOR_LIGHT_5_2))
    )
    # Rasa's tracker knows the message by its id (what de-duplicates retries after a timeout)
    rasa = tg_bot.bot_data.services.rasa
    replies = await rasa.replies_to(f"tg:{chat_id}", f"tg:{chat_id}:{sent[0]}")
    shown = [c.text for c in calls if c.method == "sendMessage"]
    assert replies and [r.text for r in replies if r.text] == shown
    assert await rasa.has_message(f"tg:{chat_id}", f"tg:{chat_id}:1") is False
    case_no, seen = await resident.complete(calls)
    case = await case_client.get_case(case_no)
    assert case is not None
    assert case.category == "corridor_light"
    assert case.location is not None and case.location.building == "5"
    assert case.channel.value == "telegram"
    # the case carries this chat's sender id: the hub lists it, and only it, under tg:<chat>
    mine = await case_client.list_cases_for_sender(f"tg:{chat_id}")
    assert [c.case_no for c in mine] == [case_no]
    # /status shows it too
    mark = fake_tg.mark()
    fake_tg.send_text(chat_id, "/status")
    status = await fake_tg.wait_text(chat_id, texts.CASES_HEADER, start=mark)
    assert case_no in status.text


async def test_buttons_carry_the_report(tg_bot, fake_tg, chat_id, case_client):
    resident = Resident(fake_tg, tg_bot, chat_id)
    calls = await resident.say(h.TG_ELEVATOR_3_1)
    assert any(c.buttons for c in calls), [c.text for c in calls]
    case_no, seen = await resident.complete(calls, buttons=True)
    pressed = fake_tg.sent(method="answerCallbackQuery")
    assert len(pressed) >= 2, "the questions with buttons were not answered by buttons"
    chosen = [t for t in resident.texts() if t.startswith("您选了")]
    assert "您选了：对" in chosen
    case = await case_client.get_case(case_no)
    assert case is not None and case.category == "elevator"
    assert case.contact_declined  # 不留电话 was a button too


@pytest.mark.slow
async def test_report_started_by_voice_note(bot_factory, fake_tg, chat_id, recognizer, case_client):
    from voice.tts import FakeSynthesizer

    speech = SpeechIO(recognizer, FakeSynthesizer(), max_seconds=60.0)
    application = bot_factory(speech=speech)
    async with running(application):
        resident = Resident(fake_tg, application, chat_id)
        ogg = wav_to_ogg(synthetic_clip(VOICE_CLIP))  # synthetic speech: the flow, not accuracy
        assert ogg[:4] == b"OggS"
        calls = await resident.turn(
            lambda: fake_tg.send_voice(chat_id, ogg, duration=3), timeout=120
        )
        heard = [c.text for c in calls if c.text.startswith("我听到的是")]
        assert heard and "电梯" in heard[0], [c.text for c in calls]
        case_no, _ = await resident.complete(calls)
    case = await case_client.get_case(case_no)
    assert case is not None and case.category == "elevator"


async def _attachments(live_stack: Any, case_no: str) -> list[dict[str, Any]] | None:
    """The case's attachments from the hub, or None if the hub has no such endpoint yet."""
    async with httpx.AsyncClient(
        base_url=live_stack.hub_url,
        headers={"Authorization": f"Bearer {service_token(live_stack)}"},
    ) as client:
        response = await client.get(f"/api/cases/{case_no}/attachments")
    if response.status_code in (404, 405) and "attachments" not in response.text:
        return None
    response.raise_for_status()
    return response.json()


async def test_photo_sent_during_report_is_attached(tg_bot, fake_tg, chat_id, live_stack):
    resident = Resident(fake_tg, tg_bot, chat_id)
    calls = await resident.say(h.TG_LEAK_AT_DOOR_3)
    mark = fake_tg.mark()
    fake_tg.send_photo(chat_id, tiny_jpeg())
    await fake_tg.wait_text(chat_id, "照片", start=mark)
    case_no, seen = await resident.complete(calls)
    await fake_tg.wait_text(chat_id, f"附到工单 {case_no}")
    attachments = await _attachments(live_stack, case_no)
    assert attachments is not None, "hub has no /api/cases/{case_no}/attachments"
    assert [a["kind"] for a in attachments] == ["photo"]


def _resolve(live_stack: Any, case_no: str) -> None:
    """A staff member marks the case resolved (directly through the case system's lifecycle)."""
    from sqlalchemy import select

    from cases import lifecycle
    from cases.db import make_engine, make_session_factory, session_scope
    from cases.models import Case
    from cases.statuses import Status

    url = HubSettings(data_dir=live_stack.data_dir, _env_file=None).resolved_cases_url()
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            case = session.scalars(select(Case).where(Case.case_no == case_no)).one()
            now = datetime.now(UTC)
            if case.status == Status.ACCEPTED:
                lifecycle.change_status(
                    session=session, case=case, new_status=Status.IN_PROGRESS, now=now, actor="test"
                )
            lifecycle.change_status(
                session=session, case=case, new_status=Status.RESOLVED, now=now, actor="test",
                note="灯泡已更换",
            )  # fmt: skip
    finally:
        engine.dispose()


async def test_pushed_status_change_answered_unresolved_reopens(
    tg_bot, fake_tg, chat_id, case_client, live_stack
):
    resident = Resident(fake_tg, tg_bot, chat_id)
    case_no, _ = await resident.complete(await resident.say(h.TG_CORRIDOR_LIGHT_7_3))
    await asyncio.to_thread(_resolve, live_stack, case_no)
    push = await fake_tg.wait_for(
        lambda c: c.chat_id == chat_id and c.method == "sendMessage" and c.buttons
        and case_no in c.text and "解决了" in [b["text"] for b in c.buttons],
        timeout=30,
    )  # fmt: skip
    mark = fake_tg.mark()
    button = next(b for b in push.buttons if b["text"] == "没解决")
    fake_tg.press_button(chat_id, push.result["message_id"], button["callback_data"])
    answer = await fake_tg.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == chat_id, start=mark, timeout=30
    )
    assert "重新打开" in answer.text
    case = await case_client.get_case(case_no)
    assert case.status not in ("resolved", "closed")  # reopened (and handed back to the worker)
    history = await case_client.get_history(case_no)
    assert any(h.status == "reopened" for h in history), history
    assert fake_tg.message(chat_id, push.result["message_id"]).get("reply_markup") is None


def _crash_actions(live_stack: Any) -> None:
    """The action server dies (SIGKILL, as in a crash)."""
    live_stack.stop("actions", signal.SIGKILL)


def _start_actions(live_stack: Any) -> None:
    """The action server comes back (waits until its /health answers)."""
    live_stack.start("actions")


async def test_action_server_outage_mid_conversation(
    tg_bot, fake_tg, chat_id, case_client, live_stack
):
    resident = Resident(fake_tg, tg_bot, chat_id)
    calls = await resident.say(h.TG_CORRIDOR_LIGHT_8_1)
    # answer until the read-back question (对 / 不对), then take the action server down
    for _ in range(8):
        if resident.expect == "yes_no":
            break
        kind = resident.expect or "description"
        calls = await resident.say(ANSWERS.get(kind, h.TG_CONFIRM))
    assert resident.expect == "yes_no", [c.text for c in calls]
    await asyncio.to_thread(_crash_actions, live_stack)
    try:
        mark = fake_tg.mark()
        fake_tg.send_text(chat_id, h.TG_CONFIRM)
        await fake_tg.wait_text(chat_id, texts.OUTAGE, start=mark, timeout=30)
        assert await case_client.list_cases_for_sender(f"tg:{chat_id}") == []
    finally:
        await asyncio.to_thread(_start_actions, live_stack)
    reply = await fake_tg.wait_for(
        lambda c: c.chat_id == chat_id and c.method == "sendMessage" and "BS-" in c.text,
        start=mark,
        timeout=120,
    )
    await asyncio.sleep(2.0)  # further retry rounds must not submit it again
    mine = await case_client.list_cases_for_sender(f"tg:{chat_id}")
    assert len(mine) == 1 and mine[0].case_no in reply.text


class LossyProxy:
    """Forwards to the real Rasa; can lose Rasa's answer to the next message (after Rasa did it)."""

    def __init__(self, target: str) -> None:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        from harness.fakes.threaded_server import ThreadedServer

        self.target = target.rstrip("/")
        self.lose_next = False
        self.forwarded: list[str] = []

        async def forward(request: Request) -> Response:
            body = await request.body()
            async with httpx.AsyncClient(timeout=120) as client:
                upstream = await client.request(
                    request.method,
                    self.target + request.url.path,
                    params=request.query_params,
                    content=body,
                    headers={"content-type": request.headers.get("content-type", "")},
                )
            if request.url.path.endswith("/webhook"):
                self.forwarded.append(body.decode())
                if self.lose_next:
                    self.lose_next = False
                    return Response(b"bad gateway", status_code=502)
            return Response(upstream.content, status_code=upstream.status_code,
                            media_type=upstream.headers.get("content-type"))  # fmt: skip

        routes = [Route("/{path:path}", forward, methods=["GET", "POST"])]
        self.server = ThreadedServer(Starlette(routes=routes))


async def test_lost_answer_is_recovered_without_a_second_case(
    live_stack, fake_tg, chat_id, case_client, tmp_path
):
    from bot.app import build_application
    from bot.config import BotSettings
    from bot.store import BotStore
    from core.config import CommonSettings
    from voice.tts import FakeSynthesizer

    proxy = LossyProxy(live_stack.rasa_url)
    proxy.server.start()
    try:
        settings = BotSettings(
            token=fake_tg.token, api_base_url=fake_tg.base_url,
            file_base_url=fake_tg.file_base_url, actions_url=live_stack.actions_url,
            retry_interval_s=0.5, poll_timeout_s=1, uncertain_grace_s=2.0, _env_file=None,
        )  # fmt: skip
        common = CommonSettings(
            data_dir=tmp_path, rasa_url=proxy.server.url, hub_url=live_stack.hub_url,
            rasa_token=live_stack.rasa_token, service_token=service_token(live_stack),
            _env_file=None,
        )  # fmt: skip
        application = build_application(
            settings, common, speech=SpeechIO(None, FakeSynthesizer()),
            store=BotStore(tmp_path / "bot.db"),
        )  # fmt: skip
        async with running(application):
            resident = Resident(fake_tg, application, chat_id)
            await resident.say(h.TG_CORRIDOR_LIGHT_6_2)
            for _ in range(8):
                if resident.expect == "yes_no":
                    break
                await resident.say(ANSWERS.get(resident.expect or "description", h.TG_CONFIRM))
            assert resident.expect == "yes_no"
            proxy.lose_next = True
            mark = fake_tg.mark()
            fake_tg.send_text(chat_id, h.TG_CONFIRM)
            await fake_tg.wait_text(chat_id, texts.OUTAGE, start=mark, timeout=60)
            reply = await fake_tg.wait_for(
                lambda c: c.chat_id == chat_id and c.method == "sendMessage" and "BS-" in c.text,
                start=mark,
                timeout=60,
            )
            await asyncio.sleep(3.0)
        said = normalise(h.TG_CONFIRM)  # the bot sends NFKC text ("，" → ",")
        confirms = [b for b in proxy.forwarded if normalise(json.loads(b)["message"]) == said]
        assert len(confirms) == 1, proxy.forwarded  # the yes reached Rasa once, never again
        mine = await case_client.list_cases_for_sender(f"tg:{chat_id}")
        assert len(mine) == 1 and mine[0].case_no in reply.text
    finally:
        proxy.server.stop()
