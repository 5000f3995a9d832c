"""Rasa component: words of an acute danger make the message an emergency, whatever DIET said.

A classifier trained on examples can miss an emergency it has not seen phrased that way ("6号楼
起火了" came out ``inform``, "有人闯进我家了" ``goodbye``); a missed emergency is the worst error
the assistant can make. This component runs after the classifiers: when the text names an acute
danger happening now (fire, gas, someone collapsed or trapped, violence, a call for help) and is
not a question about it ("天然气费用可以在社区交吗"), the intent becomes ``emergency``. It only ever
raises an emergency; deciding that something is *not* one stays with the dialogue (inside a form
the action server asks for a real danger signal before acting, ``actions/emergency.py``).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

ACUTE = re.compile(
    r"着火|起火|失火|烧起来|冒黑烟|浓烟|烟很大|到处是烟|"
    r"煤气味|燃气味|天然气味|液化气味|漏气|闻到.{0,6}(煤气|燃气|天然气)|"
    r"困在电梯|关在电梯|电梯里出不来|被困|"
    r"触电|被电到|"
    r"起不来|爬不起来|站不起来|昏倒|晕倒|晕过去|叫不醒|昏迷|不省人事|没有呼吸|没气了|喘不上气|喘不过气|"
    r"救命(?!钱|稻草|的|生活)|快来人|来人啊|"
    r"有人闯|闯进|持刀|拿刀|抢劫|"
    r"要跳楼|往下跳|想不开"
)
"""Acute dangers, said as they happen (a stricter list than the guidance kinds)."""
QUESTION = re.compile(r"[吗嘛？?]|怎么|如何|费用|交费|缴费|多少钱|哪里|能不能|可不可以|有没有")
"""A question about the subject ("燃气费在哪交") is not an emergency."""
_CALL_FOR_HELP = re.compile(r"救命(?!钱|稻草|的|生活)|快来人|来人啊")
MAX_CHARS = 80
"""Someone in danger says it in a breath; a long written message that mentions 着火 or 被困
(a complaint about fire risks, an old incident) is left to the classifiers."""
_HYPOTHETICAL = re.compile(
    r"万一|如果|要是|一旦|以防|防止|隐患|容易|可能会|曾经|上次|去年|以前|多次"
)


def is_acute_danger(text: str) -> bool:
    """True when the text reports an acute danger now (not a question about one)."""
    if not text or text.startswith("/") or len(text) > MAX_CHARS or not ACUTE.search(text):
        return False
    if _HYPOTHETICAL.search(text) and not _CALL_FOR_HELP.search(text):
        return False
    return bool(_CALL_FOR_HELP.search(text)) or not QUESTION.search(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerOverride(GraphComponent):
    """Sets ``emergency`` on messages that name an acute danger."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DangerOverride:
        """No configuration."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Raise the emergency where the words say so."""
        for message in messages:
            intent = message.get(INTENT) or {}
            # also when DIET already said emergency, but too unsure for the fallback threshold
            confident = (
                intent.get("name") == "emergency" and float(intent.get("confidence") or 0) >= 0.9
            )
            if not confident and is_acute_danger(message.get(TEXT) or ""):
                # the others stay in order but well below, so the fallback's ambiguity check
                # (top two within 0.05) cannot turn the emergency into a clarify question
                ranking = [
                    {**e, "confidence": float(e.get("confidence") or 0.0) * 0.5}
                    for e in message.get("intent_ranking") or []
                    if e.get("name") != "emergency"
                ]
                top = {"name": "emergency", "confidence": 1.0}
                message.set(INTENT, top, add_to_output=True)
                message.set("intent_ranking", [top, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their labels."""
        return training_data
