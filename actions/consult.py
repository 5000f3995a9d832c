"""咨询: answer from the curated knowledge base, or say honestly that we don't know and offer
a person."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.clarify import text_before_clarify
from actions.submit import channel_of
from core.contracts import FaqHit
from core.errors import LinliError
from core.textnorm import normalize_text

logger = logging.getLogger(__name__)

NOT_SURE = "我不太确定，您是想问："
"""Said when the knowledge base is not confident: the closest questions follow as buttons."""
NOT_SURE_NOTE = "都不是的话，可以点“转人工”，您的问题也已经记下来交给工作人员了。"
ASK_WHAT = "您想问什么？请直接说，比如“老年卡去哪办”。"
OFFER_HUMAN = {"title": "转人工", "payload": "转人工"}
_MARKS = re.compile(r"[\s，。、,.!！?？~～…：:；;“”\"'（）()]+")
_NO_CONTENT = re.compile(
    r"^(我|俺)?(想|要)?(问问|问一下|问问题|问个问题|咨询|咨询一下|打听一下|请教一下|有个问题|有问题)?"
    r"(请问|麻烦问一下)?[\s，。,.!！?？~～…]*$"
)
"""A request to ask with no question in it yet (the welcome button says “我想问问”)."""


class AnswerQuestion(Action):
    """Search the FAQ knowledge base through the hub and answer when confident."""

    def name(self) -> str:
        """Action name."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answer, suggest, or hand over; resume the form if one was running."""
        question = (tracker.latest_message.get("text") or "").strip()
        in_form = bool((tracker.active_loop or {}).get("name"))
        earlier = None if in_form else text_before_clarify(tracker.events)
        if earlier and (question.startswith("/") or _NO_CONTENT.match(question)):
            # "我想问问" pressed after "您是想…？": the question is what they said first; a real
            # question typed instead of pressing a button ("我有个问题" → "社区有法律咨询吗")
            # is the question
            question = earlier
        if (
            not question
            or question.startswith("/")
            or len(question) < 3
            or _NO_CONTENT.match(question)
        ):
            dispatcher.utter_message(text=ASK_WHAT)
            return []
        client = runtime.knowledge_client()
        reply = None
        if client is not None:
            try:
                reply = await client.ask(
                    question, channel_of(tracker.sender_id).value, tracker.sender_id
                )
            except (LinliError, httpx.HTTPError) as exc:
                logger.warning("Knowledge base unavailable: %s", exc)
        if reply is not None and reply.confident and reply.answer is not None:
            dispatcher.utter_message(text=naming_the_question(question, reply.answer))
        elif reply is not None and reply.suggestions:
            dispatcher.utter_message(
                text=f"{NOT_SURE}\n{NOT_SURE_NOTE}",
                buttons=[
                    {"title": s.question, "payload": s.question} for s in reply.suggestions[:3]
                ]
                + [OFFER_HUMAN],
            )
        else:
            dispatcher.utter_message(
                text="这个问题我暂时答不上来。需要的话可以说“转人工”，工作人员会回答您。",
                buttons=[OFFER_HUMAN],
            )
        if in_form:
            dispatcher.utter_message(text="我们接着刚才的事。")
            return []
        # wait for the resident: reached as a follow-up (a suggested question chosen where a form
        # or an alarm would have started) no rule predicts what comes next, and the fallback
        # would add "抱歉，我没太听明白"
        return [FollowupAction("action_listen")]


def _bare(text: str) -> str:
    return _MARKS.sub("", normalize_text(text))


def naming_the_question(asked: str, answer: FaqHit) -> str:
    """The answer, opened by the question it answers ("关于“独生子女证怎么办理”：…").

    A near miss is then heard for what it is: "独生子女证丢了怎么补办" answered with how to apply
    for the certificate tells the resident it is not their question, and they ask again or press
    转人工 instead of acting on the wrong procedure. A resident who pressed a suggested question
    (or typed an FAQ question word for word) gets the answer alone: they chose it already.
    """
    if _bare(asked) == _bare(answer.question):
        return answer.answer
    return f"关于“{answer.question.rstrip('？?')}”：\n{answer.answer}"


def answers_a_consult_prompt(
    events: list[dict[str, Any]], text: str, *, tapped_only: bool = False
) -> bool:
    """Whether the latest message answers the assistant's own prompt to ask: one of the closest
    questions it offered under 您是想问：, tapped (or typed word for word), or — unless
    ``tapped_only`` — whatever is said right after 您想问什么？.

    The NLU reads such a message afresh and can take an FAQ question for something else
    ("电动车着火了怎么办？" for an emergency or unsure, "高龄津贴怎么申请" for unsure), so the
    answer the resident chose would be lost; the flows that would start check this first.
    """
    bare = _bare(text)
    users = 0
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users == 2:
                return False
        elif kind == "bot" and users == 1:
            said = event.get("text") or ""
            buttons = (event.get("data") or {}).get("buttons") or []
            if said.startswith(NOT_SURE) and any(
                _bare(str(b.get("payload") or "")) == bare
                for b in buttons
                if b.get("payload") != OFFER_HUMAN["payload"]  # 转人工 is no question
            ):
                return bool(bare)
            if not tapped_only and said == ASK_WHAT:
                return True
    return False
