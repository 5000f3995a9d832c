"""When the NLU is unsure (``nlu_fallback``): an answer is still an answer, a choice is a choice.

Before asking "您是想反映问题、问点事情，还是要办事？", two things are checked:

* the case number / phone digits the assistant had just asked for, however the NLU read them
  ("单子尾号是0001，报的时候留的手机尾数是5678"): the case is looked up;
* the words of the clarify question's own choices, typed or spoken ("反映问题", "问问题",
  "办事"): that flow starts, with what the resident said first when it was the question.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.consult import answers_a_consult_prompt
from actions.parsing import prepare
from actions.status import answer_status_followup

_FILLER = r"(我|俺)?(是|就是)?(来)?(要|想)?(要|想)?(来)?"
CHOICES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^{_FILLER}(反映问题|反映情况|反映|报事|报个事|报个问题)$"), "report_form"),
    (
        re.compile(rf"^{_FILLER}(问问题|问个问题|问问|问事|问点事情?|咨询)$"),
        "action_answer_question",
    ),
    (re.compile(rf"^{_FILLER}(办事|办个事|办点事|办事情|办手续)$"), "service_form"),
)
"""The clarify question's choices in words (nlu/domain.yml ``utter_clarify``) → what starts."""


def clarify_choice(text: str) -> str | None:
    """The form or action a choice word starts ("反映问题" → ``report_form``), else None."""
    bare = re.sub(r"[\s，,。.！!？?、…~～]|吧|呀|啊|吗|嗯|的", "", prepare(text))
    for pattern, target in CHOICES:
        if pattern.match(bare):
            return target
    return None


class Clarify(Action):
    """The answer to ``nlu_fallback``."""

    def name(self) -> str:
        """Action name."""
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Look up the case asked about, start the flow chosen in words, or ask which flow."""
        status = await answer_status_followup(dispatcher, tracker, domain)
        if status is not None:
            return status
        text = tracker.latest_message.get("text") or ""
        if answers_a_consult_prompt(tracker.events, text):
            # the question asked after 您想问什么？, or a suggested one tapped: answer it
            return [FollowupAction("action_answer_question")]
        target = clarify_choice(text)
        if target is not None:
            return [FollowupAction(target)]
        dispatcher.utter_message(response="utter_clarify")
        return []
