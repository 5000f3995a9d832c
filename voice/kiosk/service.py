"""The kiosk's conversation service: audio → text → dialogue → text + speech, per session.

Why this module is over 400 lines: it is one job, a kiosk turn, from what the page sends to the
reply event it shows and speaks (sessions, the voice turn, the dialogue's reply, the kiosk's
commands). The separate jobs already live beside it: touch and kiosk-side steps in touchturns.py
(mixed in), the reply helpers in speech.py, the flows in status.py, handoff.py, place.py and
phonecheck.py."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from dataclasses import dataclass, field

from core.errors import ServiceUnavailable
from core.rasa_rest import BotMessage, RasaClient
from core.textnorm import normalize_text
from voice.asr import Recognizer, expectation_for
from voice.audio import AudioClip, AudioError, validate_clip
from voice.config import VoiceSettings
from voice.digits import spoken_digits
from voice.kiosk import touch
from voice.kiosk.bargein import BargeIn, classify, command_in
from voice.kiosk.commands import match_command, wants_handoff, wants_status
from voice.kiosk.drafts import DraftStore
from voice.kiosk.hubcases import HubCases
from voice.kiosk.limits import GuessLimiter
from voice.kiosk.phonecheck import says_phone
from voice.kiosk.session import KioskSession
from voice.kiosk.speech import (
    display_messages,
    find_access_code,
    find_asked_slot,
    find_case_no,
    find_case_type,
    find_digit_counts,
    find_expect,
    for_touch,
    print_url,
    show_choices,
    speech_text,
)
from voice.kiosk.touchturns import BUSY, TouchTurns
from voice.kiosk.welcome import WelcomeBoard, notices_speech
from voice.tts import SynthesisError, Synthesizer

logger = logging.getLogger(__name__)

GREETING = "您好！请点一下您要办的事，也可以按“点我说话”，直接跟我说。"
GREETING_TOUCH = "您好！请用手点一下屏幕上的按钮，选您要办的事。"
"""The welcome when the page has no working microphone: it points to the buttons only."""
NOT_HEARD = "没听清楚，请您再说一遍，慢一点说就好。"
ASR_DOWN = "语音识别暂时不能用，请按“转人工”，工作人员会来帮您。"
NO_ANSWER = "系统刚才没有回答上来，请再点一次或再说一遍。着急的话，请按“转人工”。"
NO_NOTICES = "现在没有新的社区公告。"
TRAILING_PUNCT = "。.！!？?，,、；;：:…~ "


def for_dialogue(text: str) -> str:
    """Text as sent to the dialogue: no trailing punctuation (Whisper adds "。", and the NLU
    classified "挺急的。" as out_of_scope while "挺急的" is understood)."""
    return text.rstrip(TRAILING_PUNCT) or text


YES_NO_BUTTONS = [{"title": "对", "payload": "对"}, {"title": "不对", "payload": "不对"}]


@dataclass
class KioskService(TouchTurns):
    """Everything the kiosk WebSocket needs; lives on ``app.state.kiosk``."""

    settings: VoiceSettings
    recognizer: Recognizer
    synthesizer: Synthesizer
    rasa: RasaClient
    drafts: DraftStore
    cases: HubCases | None = None
    """The case system of this hub (status at the kiosk, hand-off details, building list)."""
    welcome: WelcomeBoard | None = None
    """Notices and open polls for the welcome screen (this hub's public endpoints)."""
    limiter: GuessLimiter = field(default_factory=GuessLimiter)
    sessions: dict[str, KioskSession] = field(default_factory=dict)
    timings: list[dict] = field(default_factory=list)
    """Recent voice-turn timings (for the bench), newest last, capped."""

    # ----- sessions -------------------------------------------------------------------------
    def open_session(self, resume_id: str | None = None) -> tuple[KioskSession, bool]:
        """Resume a live session by id, or start a fresh one. Returns (session, resumed)."""
        if resume_id and resume_id in self.sessions:
            session = self.sessions[resume_id]
            session.touch()
            return session, True
        session = KioskSession(rate=self.settings.tts_rate)
        self.sessions[session.id] = session
        return session, False

    async def end_session(self, session: KioskSession, reason: str) -> KioskSession:
        """Keep an unfinished conversation as a draft, forget the session, start a new one.

        The new one is for the same page: a page without a microphone still has none (its
        welcome and questions point to the buttons, never to 点我说话)."""
        await self.save_draft(session, reason)
        self.sessions.pop(session.id, None)
        fresh, _ = self.open_session()
        fresh.touch_only = session.touch_only
        return fresh

    async def save_draft(self, session: KioskSession, reason: str) -> bool:
        """Store the conversation for staff if it is unfinished; True when one was saved."""
        if not session.unfinished():
            return False
        session.draft_saved = True
        await asyncio.to_thread(self.drafts.save, session.to_draft(reason))
        return True

    def idle_sessions(self) -> list[KioskSession]:
        """Sessions idle longer than the configured timeout."""
        limit = self.settings.idle_timeout_s
        return [s for s in list(self.sessions.values()) if s.idle_seconds() > limit]

    # ----- speech ---------------------------------------------------------------------------
    async def speak(
        self, session: KioskSession, text: str, *, rate: int | None = None
    ) -> str | None:
        """Synthesise ``text`` off the event loop: a ``data:`` URL of the WAV, None on failure."""
        if not text:
            return None
        session.last_spoken = text
        try:
            wav = await asyncio.to_thread(
                self.synthesizer.synthesize, text, rate=rate or session.rate, volume=1.0
            )
        except SynthesisError:
            logger.warning("Speech synthesis failed; the page shows the text only")
            return None
        return "data:audio/wav;base64," + base64.b64encode(wav).decode("ascii")

    async def local_reply(
        self,
        session: KioskSession,
        text: str,
        *,
        kind: str = "reply",
        buttons: list[dict] | None = None,
        touch_hint: dict | None = None,
        speech: str | None = None,
    ) -> dict:
        """A reply the kiosk composes itself (greeting, re-ask, busy, kiosk-side steps)."""
        messages = [{"text": text, "buttons": buttons or []}]
        spoken = speech or text
        event = {
            "type": kind,
            "messages": messages,
            "speech": spoken,
            "audio": await self.speak(session, spoken),
            "expect": session.expect,
            "touch": touch_hint,
            "rate": session.rate,
            "volume": session.volume,
        }
        if kind == "reply":
            session.last_reply = event
        session.add_turn("kiosk", text)
        return event

    # ----- turns ----------------------------------------------------------------------------
    def _validate(self, pcm: bytes, sample_rate: int) -> AudioClip:
        return validate_clip(
            AudioClip.from_pcm16(pcm, sample_rate),
            max_seconds=self.settings.max_utterance_s,
            min_seconds=self.settings.min_utterance_s,
        )

    async def _recognize(self, clip: AudioClip, kind: str, digits: int | None = None) -> dict:
        """Recognise off the event loop; the page's ``transcript`` event (raises on failure).

        ``digits``: one group of a phone number of that many digits is expected."""
        expect = expectation_for(kind)
        expect.digits = digits if kind == "phone" else None
        transcript = await asyncio.to_thread(self.recognizer.transcribe, clip, expect)
        return {
            "type": "transcript",
            "text": transcript.text,
            "confidence": transcript.confidence,
            "seconds": round(transcript.seconds, 3),
            "expect": expect.kind,
        }

    async def handle_audio(
        self, session: KioskSession, pcm: bytes, sample_rate: int, ended_at: float | None = None
    ) -> list[dict]:
        """One spoken utterance: validate, recognise (steered), then act on the text."""
        ended_at = ended_at or time.perf_counter()
        session.touch()
        try:
            clip = self._validate(pcm, sample_rate)
        except AudioError as exc:
            logger.info("Kiosk audio refused: %s", exc)
            return [await self.local_reply(session, exc.user_message, kind="retry")]
        try:
            heard = await self._recognize(clip, session.expect, session.expect_digits)
        except Exception:  # a missing model or engine must not end the visit
            logger.exception("Speech recognition failed")
            return [await self.local_reply(session, ASR_DOWN, kind="retry")]
        if not heard["text"].strip("。，,.!?！？ "):
            return [heard, await self.local_reply(session, NOT_HEARD, kind="retry")]
        return [heard, *await self._answer(session, heard, clip, ended_at)]

    async def handle_barge_in(
        self, session: KioskSession, pcm: bytes, sample_rate: int, ended_at: float | None = None
    ) -> list[dict]:
        """A short utterance heard while the kiosk was speaking (see ``voice.kiosk.bargein``).

        The page takes over as a normal turn anything longer than about a second, so what
        comes here is short: recognised first against the kiosk's commands only (with the
        question's prompt Whisper makes "", "行" or even "居住证明" of a lone "停"), then, when
        it was no command, again as the answer to the current question. A command is done at
        once; the kiosk's own voice and noise are ignored (the page goes on speaking).
        """
        ended_at = ended_at or time.perf_counter()
        session.touch()
        ignored = [{"type": "barge_ignored"}]
        try:
            clip = self._validate(pcm, sample_rate)
            heard = await self._recognize(clip, "command")
            command = command_in(heard["text"])
            if command is None:
                heard = await self._recognize(clip, session.expect, session.expect_digits)
        except AudioError:
            return ignored
        except Exception:
            logger.exception("Speech recognition failed during barge-in")
            return ignored
        verdict = classify(heard["text"], session.last_spoken, command)
        logger.info("Barge-in: %s", verdict.value)
        heard["barge_in"] = verdict.value
        if verdict is BargeIn.COMMAND:
            return [heard, *await self.handle_command(session, command or "")]
        if verdict is BargeIn.ANSWER:
            return [heard, *await self._answer(session, heard, clip, ended_at)]
        return ignored

    async def _answer(
        self, session: KioskSession, heard: dict, clip: AudioClip, ended_at: float
    ) -> list[dict]:
        """Act on recognised words; the reply carries the turn's timing (for the bench)."""
        replies = await self.handle_text(session, heard["text"], spoken=True)
        for event in replies:
            if event.get("type") == "reply":
                event["timing"] = {
                    "asr_s": heard["seconds"],
                    "turn_s": round(time.perf_counter() - ended_at, 3),
                    "audio_s": round(clip.duration_s, 2),
                }
                self.timings.append(event["timing"])
                del self.timings[:-200]
        return replies

    async def handle_text(
        self, session: KioskSession, text: str, *, spoken: bool = False, payload: str | None = None
    ) -> list[dict]:
        """A resident's words (typed, spoken or a button): kiosk command or dialogue turn."""
        session.touch()
        text = normalize_text(text)[:500]
        if not text and not payload:
            return []
        command = match_command(text) if payload is None else None
        if command is not None:
            return await self.handle_command(session, command)
        session.add_turn("resident", text)
        if payload and payload.startswith(touch.LOCAL):
            return [await self.handle_local(session, payload)]
        if wants_handoff(text, payload):
            return [await self.start_flow(session, "human")]
        if payload is None and wants_status(text):
            return [await self.start_flow(session, "status")]
        if spoken and session.flow is None and session.expect == "phone" and says_phone(text):
            return await self.check_phone(session, spoken_digits(text))
        if session.flow is not None and payload is None:
            step = await session.flow.on_text(text)
            if step is not None:
                return await self.flow_result(session, step)
        session.flow = None  # a dialogue answer: any kiosk-side step is over
        return await self.to_dialogue(session, text, payload=payload)

    async def to_dialogue(
        self,
        session: KioskSession,
        text: str,
        *,
        payload: str | None = None,
        speech_prefix: str = "",
        heard: str | None = None,
    ) -> list[dict]:
        """Send the resident's answer to the dialogue; its reply as the page's event.

        ``speech_prefix`` is said first (a number read back in groups); ``heard`` is what the
        page echoes as the resident's answer ("5号楼2单元301室" after the picker)."""
        try:
            started = time.perf_counter()
            raw = await self.rasa.send(session.sender, payload or for_dialogue(text))
            dialogue_s = time.perf_counter() - started
        except ServiceUnavailable:
            return [await self.local_reply(session, BUSY, kind="retry")]
        if not display_messages(raw) and find_case_no(raw) is None:
            logger.warning("The dialogue answered nothing to a kiosk turn")
            return [await self.local_reply(session, NO_ANSWER, kind="retry")]
        event = await self.dialogue_reply(session, raw, dialogue_s, speech_prefix=speech_prefix)
        if heard:
            event["heard"] = heard
        return [event]

    async def dialogue_reply(
        self,
        session: KioskSession,
        raw: list[BotMessage],
        dialogue_s: float = 0.0,
        *,
        speech_prefix: str = "",
    ) -> dict:
        """Turn the dialogue's messages into the page's reply event."""
        session.expect = find_expect(raw) or "free"
        session.expect_digits = None
        session.answer_digits = find_digit_counts(raw)
        session.asked_slot = find_asked_slot(raw)
        case_no = find_case_no(raw)
        messages = display_messages(raw)
        for m in messages:
            m["text"] = show_choices(m["text"])
        if session.expect == "yes_no" and not any(m["buttons"] for m in messages):
            if messages:
                messages[-1]["buttons"] = list(YES_NO_BUTTONS)
        if case_no:
            session.case_no = case_no
            session.finished = True
        buildings = await self.buildings() if session.expect == "location" else []
        vote = await self.poll_open()  # the start buttons after a step offer 投票 too
        hint = self.touch_for(session, messages, case_no, buildings, vote=vote)
        text_spoken = speech_prefix + speech_text(raw, case_no)
        if session.touch_only:  # no microphone: "点“转人工”", not "说“转人工”"; say where to tap
            titles = {"转人工"} | {b["title"] for m in messages for b in m["buttons"]}
            titles |= {b["title"] for b in hint.get("quick") or []}
            box = bool(hint.get("text_box"))
            for m in messages:
                m["text"] = for_touch(m["text"], titles, text_box=box)
            text_spoken = for_touch(text_spoken, titles, text_box=box) + (hint.get("say") or "")
        if case_no and find_case_type(raw, case_no) == "callback":
            step = await self.attach_handoff(session, raw, case_no)
            if step is not None:
                messages.append({"text": step.text, "buttons": step.buttons})
                hint, text_spoken = step.touch or hint, text_spoken + step.text
        rate = max(self.settings.tts_rate_min, session.rate - 20) if case_no else None
        for m in messages:
            session.add_turn("kiosk", m["text"])
        started = time.perf_counter()
        audio = await self.speak(session, text_spoken, rate=rate)
        event = {
            "type": "reply",
            "messages": messages,
            "speech": text_spoken,
            "audio": audio,
            "expect": session.expect,
            "case_no": case_no,
            "print_url": print_url(case_no, find_access_code(raw, case_no) if case_no else None),
            "touch": hint,
            "rate": session.rate,
            "volume": session.volume,
            "dialogue_s": round(dialogue_s, 3),
            "tts_s": round(time.perf_counter() - started, 3),
        }
        session.last_reply = event
        session.last_dialogue = event
        return event

    async def handle_command(self, session: KioskSession, name: str) -> list[dict]:
        """再说一遍 / 停 / 大声点 / 慢一点 … handled by the kiosk itself."""
        session.touch()
        s = self.settings
        if name == "stop":
            return [{"type": "stopped"}]
        if name == "repeat":
            if session.last_reply is None:
                return [await self.greeting(session)]
            replay = dict(session.last_reply, repeat=True, volume=session.volume)
            if replay.get("rate") != session.rate:
                replay["audio"] = await self.speak(session, replay.get("speech") or "")
                replay["rate"] = session.rate
                session.last_reply = dict(replay, repeat=False)
            return [replay]
        if name == "human":
            return [await self.start_flow(session, "human")]
        if name == "notices":  # 再听一遍 under the notices: read them (once more)
            event = await self.notices_event(session, speak=True)
            if event is None:  # withdrawn meanwhile
                return [await self.local_reply(session, NO_NOTICES, kind="note")]
            return [event]
        if name in ("louder", "quieter"):
            step = 0.5 if name == "louder" else -0.5
            session.volume = min(3.0, max(0.5, session.volume + step))
            note = "好的，我大声一点。" if name == "louder" else "好的，我小声一点。"
        elif name in ("slower", "faster"):
            step = -20 if name == "slower" else 20
            session.rate = min(s.tts_rate_max, max(s.tts_rate_min, session.rate + step))
            note = "好的，我说慢一点。" if name == "slower" else "好的，我说快一点。"
        else:
            return []
        events: list[dict] = [{"type": "settings", "rate": session.rate, "volume": session.volume}]
        if session.last_reply is not None:
            again = dict(session.last_reply)
            text = note + (again.get("speech") or "")
            again.update(
                audio=await self.speak(session, text),
                speech=text,
                repeat=True,
                rate=session.rate,
                volume=session.volume,
            )
            events.append(again)
        else:
            events.append(await self.local_reply(session, note, kind="note"))
        return events

    async def poll_open(self) -> bool:
        """A poll takes votes now (the welcome screen then offers 投票)."""
        return await self.welcome.poll_open() if self.welcome is not None else False

    async def greeting(self, session: KioskSession, *, read_notices: bool = False) -> dict:
        """The welcome spoken when a new visitor starts, with the big start buttons and the
        community's notices (their speech only with ``read_notices``: after the kiosk was idle).

        Without a working microphone the greeting points to the buttons, never to 点我说话."""
        text = GREETING_TOUCH if session.touch_only else GREETING
        hint = touch.start(vote=await self.poll_open())
        event = await self.local_reply(session, text, touch_hint=hint)
        notices = await self.notices_event(session, speak=read_notices)
        if notices is not None:  # shown again by 再说一遍 or a reload, never read again by them
            session.last_reply = dict(event, notices=dict(notices, audio=None, autoplay=False))
            event = dict(event, notices=notices)
        return event

    def on_welcome(self, session: KioskSession) -> bool:
        """The welcome (its start buttons) is what the page shows now."""
        last = session.last_reply or {}
        return last.get("speech") in (GREETING, GREETING_TOUCH)

    async def notices_event(self, session: KioskSession, *, speak: bool) -> dict | None:
        """The notices for the welcome screen (``type: notices``), None when there are none;
        their speech synthesised only when ``speak`` (read out after idle, or 再听一遍)."""
        if self.welcome is None:
            return None
        notices = await self.welcome.notices()
        if not notices:
            return None
        speech = notices_speech(notices)
        return {
            "type": "notices",
            "items": [n.to_dict() for n in notices],
            "speech": speech,
            "audio": await self.speak(session, speech) if speak else None,
            "autoplay": speak,
            "rate": session.rate,
            "volume": session.volume,
        }
