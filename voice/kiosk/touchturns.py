"""Touch at the kiosk: kiosk-side steps (查进度, 转人工, the place picker, corrections after
不对), the number pad, and the touch hint that follows each dialogue question.

Mixed into ``KioskService``; what it uses from there is declared below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.errors import ServiceUnavailable
from voice.kiosk import touch
from voice.kiosk.digits import (
    PHONE_REASK,
    digits_in,
    read_back_phone,
    shown_phone,
    valid_phone,
)
from voice.kiosk.handoff import HandoffFlow
from voice.kiosk.hubcases import CasesUnavailable, HubCases
from voice.kiosk.limits import GuessLimiter
from voice.kiosk.phonecheck import PhoneCheck, not_a_phone
from voice.kiosk.place import PlacePicker, place_speech
from voice.kiosk.session import KioskSession
from voice.kiosk.speech import find_access_code, plain_reply
from voice.kiosk.status import StatusFlow
from voice.kiosk.steps import Kit, Step, ToDialogue

if TYPE_CHECKING:
    from core.rasa_rest import BotMessage, RasaClient

BUSY = "系统有点忙，请稍等一下再说一遍。着急的话，请按“转人工”。"
HOME = "还有什么要办的？请点一下，也可以直接跟我说。"
HOME_TOUCH = "还有什么要办的？请点一下屏幕上的按钮。"
STALE = "这个按钮现在用不了，请看屏幕上新的问题。"
NO_DIGITS = "现在不用输数字，请点屏幕上的按钮，或者直接说。"
NO_DIGITS_TOUCH = "现在不用输数字，请点屏幕上的按钮。"
REPORT_KINDS = frozenset({"description", "category", "location", "urgency"})
SERVICE_KINDS = frozenset({"service_type", "applicant", "time"})
TIMES = ("随时都行", "明天上午", "明天下午")
PROPOSAL_WORD = "建议"
"""The proposal form's own questions name it (这个建议是关于…, 哪里不对？…把建议重新告诉我)."""
ASKS_PROPOSAL = ("有什么建议", "说说您的建议")
"""Words of the question for the proposal itself (when the dialogue names no slot)."""
VOTE_WORDS = ("每户一票", "投票事项")
"""Words of the vote form's own questions (its re-ask for a missing part names no slot)."""
VOTE_SLOTS = frozenset({"vote_option", "vote_household"})
PROPOSAL_SLOTS = frozenset({"proposal_where", "proposal_form_confirmed"})


def asks_proposal(texts: str, slot: str | None = None) -> bool:
    """The dialogue asks for the proposal itself, not a correction of it: by the slot asked
    for (``custom.slot``), else by the question's words."""
    if slot is not None:
        return slot == "proposal_what"
    return any(w in texts for w in ASKS_PROPOSAL) and "哪里不对" not in texts


def yishi_form(expect: str, texts: str, slot: str | None = None) -> str | None:
    """``proposal`` / ``vote`` when the dialogue's question belongs to a 议事 form, else None.

    By the slot asked for when the dialogue names it; else only questions in the dialogue's own
    words are read (where, which option, what is wrong), never a read-back, which repeats what
    the resident said ("我建议…" in a report)."""
    correcting = expect == "free" and "哪里不对" in texts
    if slot is not None and expect in ("location", "free"):
        if slot in VOTE_SLOTS:
            return "vote"
        if slot in PROPOSAL_SLOTS and (expect == "location" or correcting):
            return "proposal"
        return None
    if expect in ("location", "free") and any(w in texts for w in VOTE_WORDS):
        return "vote"
    if expect == "location" or correcting:
        return "proposal" if PROPOSAL_WORD in texts else None
    return None


class TouchTurns:
    """Kiosk-side steps and the number pad (a mixin of ``KioskService``)."""

    cases: HubCases | None
    limiter: GuessLimiter
    rasa: RasaClient

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
        """Provided by ``KioskService``."""
        raise NotImplementedError

    async def to_dialogue(
        self,
        session: KioskSession,
        text: str,
        *,
        payload: str | None = None,
        speech_prefix: str = "",
        heard: str | None = None,
    ) -> list[dict]:
        """Provided by ``KioskService``."""
        raise NotImplementedError

    async def poll_open(self) -> bool:
        """Provided by ``KioskService``."""
        raise NotImplementedError

    async def render(self, session: KioskSession, step: Step) -> dict:
        """A kiosk-side step as the page's reply (or retry) event."""
        event = await self.local_reply(
            session,
            step.text,
            kind=step.kind,
            buttons=step.buttons,
            touch_hint=step.touch,
            speech=step.speech,
        )
        event.update(view=step.view, case_no=step.case_no, print_url=step.print_url)
        if step.heard:
            event["heard"] = step.heard
        if step.case_no:
            session.case_no, session.finished = step.case_no, True
        return event

    async def flow_result(self, session: KioskSession, result: Step | ToDialogue) -> list[dict]:
        """A kiosk-side step's answer: shown and said, or (finished) sent to the dialogue."""
        if isinstance(result, ToDialogue):
            session.flow = None
            return await self.to_dialogue(
                session, result.text, speech_prefix=result.speech_prefix, heard=result.heard
            )
        if isinstance(session.flow, PhoneCheck):  # listen for 对/不对, or for one group
            session.expect, session.expect_digits = session.flow.listen()
        return [await self.render(session, result)]

    async def check_phone(self, session: KioskSession, digits: str) -> list[dict]:
        """A spoken phone number: read back and confirmed before the dialogue gets it."""
        if not valid_phone(digits):
            return [await self.render(session, not_a_phone(digits))]
        session.flow = PhoneCheck(digits)
        return await self.flow_result(session, session.flow.start())

    def kit(self, session: KioskSession) -> Kit:
        """What kiosk-side steps of this session may use."""
        assert self.cases is not None, "the kiosk needs the case system of its hub"

        async def dialogue(message: str) -> list[BotMessage]:
            try:
                return await self.rasa.send(session.sender, message)
            except ServiceUnavailable:
                return plain_reply(BUSY)

        return Kit(cases=self.cases, limiter=self.limiter, session_id=session.id,
                   dialogue=dialogue)  # fmt: skip

    async def buildings(self) -> list[dict]:
        """The community's buildings for the picker ([] when the case system is away)."""
        if self.cases is None:
            return []
        try:
            return await self.cases.buildings()
        except CasesUnavailable:
            return []

    async def start_flow(self, session: KioskSession, name: str) -> dict:
        """查进度 or 转人工: a kiosk-side step over whatever was on screen (a hand-off already
        under way, e.g. one the dialogue started, is asked again rather than made twice)."""
        flow = session.flow
        if name == "human" and isinstance(flow, HandoffFlow) and flow.step != "done":
            return await self.render(session, flow.start())
        if name == "status":
            session.flow = StatusFlow(kit=self.kit(session))
        else:
            session.flow = HandoffFlow(kit=self.kit(session), buildings=await self.buildings())
        return await self.render(session, session.flow.start())

    async def home(self, session: KioskSession) -> dict:
        """The start buttons again (and the way back to an unfinished dialogue question)."""
        session.flow = None
        buttons = []
        last = session.last_dialogue
        if last is not None and not session.finished and session.form:
            buttons.append(touch.btn("接着刚才的事", "kiosk:resume"))
        text = HOME_TOUCH if session.touch_only else HOME  # no microphone: only the buttons
        hint = touch.start(vote=await self.poll_open())
        return await self.local_reply(session, text, buttons=buttons, touch_hint=hint)

    async def handle_local(self, session: KioskSession, payload: str) -> dict:
        """A button the kiosk handles itself (``kiosk:…``)."""
        name = payload.removeprefix(touch.LOCAL)
        if name in ("home", "done"):
            return await self.home(session)
        if name == "resume" and session.last_dialogue is not None:
            session.flow = None
            return dict(session.last_dialogue, autoplay=True)
        if name in ("status", "human"):
            return await self.start_flow(session, name)
        if name.startswith("fix:"):
            return await self.fix(session, name.removeprefix("fix:"))
        if session.flow is not None:
            step = await session.flow.on_button(payload)
            if step is not None:
                return (await self.flow_result(session, step))[0]
        if session.picker is not None:
            picked = session.picker.on_button(payload)
            if isinstance(picked, Step):
                return await self.render(session, picked)
            if picked is not None:
                session.picker = None
                return (
                    await self.to_dialogue(
                        session,
                        picked.describe(),
                        speech_prefix=f"好的，{place_speech(picked)}。",
                        heard=picked.describe(),
                    )
                )[0]
        return await self.local_reply(session, STALE, kind="retry")

    async def fix(self, session: KioskSession, what: str) -> dict:
        """After 不对: open the picker for the part to change; the answer goes to the dialogue."""
        if what == "place":
            session.picker = PlacePicker(buildings=await self.buildings())
            return await self.render(session, session.picker.first("改成哪里？请点楼号。"))
        if what == "building":  # a proposal's building
            session.picker = PlacePicker(buildings=await self.buildings(), whole_buildings=True)
            return await self.render(session, session.picker.first("改成哪栋楼？请点楼号。"))
        if what == "phone":
            session.keypad = "phone"
            step = Step(text="请输入正确的手机号。", touch=touch.hint("keypad", keypad="phone"))
            return await self.render(session, step)
        choices = {
            "category": ("改成哪一类？", touch.category_buttons(), 4),
            "urgency": ("急不急？", [touch.btn("很急"), touch.btn("不急")], 2),
            "service": ("改成办哪一项？", touch.service_buttons(), 3),
            "applicant": ("给谁办？", [touch.btn("我自己"), touch.btn("帮家人办")], 2),
            "time": ("改成什么时候？", [touch.btn(t) for t in TIMES], 3),
        }
        if what not in choices:
            return await self.local_reply(session, STALE, kind="retry")
        text, buttons, columns = choices[what]
        hint = touch.hint("answers", text_box=what == "time", columns=columns)
        return await self.render(session, Step(text=text, buttons=buttons, touch=hint))

    async def handle_digits(self, session: KioskSession, value: str) -> list[dict]:
        """Number-pad digits: for the kiosk-side step, or the dialogue's phone question."""
        session.touch()
        digits = digits_in(value)[:20]
        if not digits:
            return [await self.local_reply(session, "请按数字键输入。", kind="retry")]
        session.add_turn("resident", digits)
        if session.flow is not None:
            return await self.flow_result(session, await session.flow.on_digits(digits))
        picker = session.picker
        if picker is not None and picker.step == "room":
            picked = picker.on_digits(digits)
            if isinstance(picked, Step):
                return [await self.render(session, picked)]
            session.picker = None
            return await self.to_dialogue(
                session,
                picked.describe(),
                speech_prefix=f"好的，{place_speech(picked)}。",
                heard=picked.describe(),
            )
        if session.keypad == "phone":
            if len(digits) in session.answer_digits:  # a case's or a phone's last 4, as asked
                session.keypad = None
                return await self.to_dialogue(session, digits, heard=digits)
            if not valid_phone(digits):
                return [await self.local_reply(session, PHONE_REASK, kind="retry")]
            session.keypad = None
            prefix = f"好的，电话是：{read_back_phone(digits)}。"
            return await self.to_dialogue(
                session, digits, speech_prefix=prefix, heard=shown_phone(digits)
            )
        text = NO_DIGITS_TOUCH if session.touch_only else NO_DIGITS
        return [await self.local_reply(session, text, kind="retry")]

    def touch_for(
        self,
        session: KioskSession,
        messages: list[dict],
        case_no: str | None,
        buildings: list[dict],
        *,
        vote: bool = False,
    ) -> dict:
        """Follow the dialogue: which form runs, a correction, a question asked; the hint
        (``vote``: a poll is open, so the start buttons offer 投票)."""
        expect = session.expect
        texts = "".join(m["text"] for m in messages)
        yishi = yishi_form(expect, texts, session.asked_slot)
        if yishi is not None:
            session.form = yishi
        elif expect in REPORT_KINDS:
            session.form = "report"
        elif expect in SERVICE_KINDS:
            session.form = "service"
        correcting = expect == "free" and "哪里不对" in texts
        if expect == "free" and "想问什么" in texts:
            session.consulting = "ask"
        elif expect == "free" and session.consulting:
            session.consulting = "answered"
        else:
            session.consulting = None
        whole = yishi == "proposal"  # a proposal is about a building, not a flat
        household = yishi == "vote"  # a vote comes from a home: building, unit, room
        picker = PlacePicker(buildings=buildings, whole_buildings=whole, household=household)
        session.picker = picker if expect == "location" else None
        session.keypad = "phone" if expect == "phone" else None
        if case_no:
            session.form, session.consulting = None, None
        return touch.for_dialogue(
            expect,
            buttons=[b for m in messages for b in m["buttons"]],
            buildings=buildings,
            form=session.form,
            correcting=correcting,
            consulting=session.consulting,
            case_no=case_no,
            whole_buildings=whole,
            household=household,
            proposing=expect == "free" and asks_proposal(texts, session.asked_slot),
            vote=vote,
        )

    async def attach_handoff(
        self, session: KioskSession, raw: list[BotMessage], case_no: str
    ) -> Step | None:
        """The dialogue made a call-back task on its own: ask how to reach the resident."""
        if self.cases is None:
            return None
        flow = HandoffFlow(
            kit=self.kit(session),
            buildings=await self.buildings(),
            case_no=case_no,
            access_code=find_access_code(raw, case_no),
        )
        session.flow = flow
        return flow.start()
