"""Rasa component: a message of digits alone is an answer (``inform``), whatever DIET thinks.

Residents answer "手机号后四位？" with "1111", "房号？" with "301", "电话？" with "138 1234 5678".
The classifiers, trained on sentences, sometimes read such a bare number as ``out_of_scope``
(0.46 for "1111") and the rule for that intent then answers "这个我帮不上忙" and the number the
assistant had just asked for is lost. Digits only (Arabic or spoken Chinese numerals, with the
spaces and dashes people type between groups) are always the answer to a question: the form or
``action_handle_inform`` decides which.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_DIGITS_ONLY = re.compile(r"[0-9零〇一二两三四五六七八九幺洞]{3,20}")
_SEPARATORS = re.compile(r"[\s\-—_.,，。、·]+")


def is_bare_number(text: str) -> bool:
    """Three or more digits, nothing else but separators: "1111", "138-1234-5678", "五二零一"."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    return bool(_DIGITS_ONLY.fullmatch(compact))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DigitsAreAnswers(GraphComponent):
    """Sets ``inform`` on messages that are only a number."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DigitsAreAnswers:
        """No configuration."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """A bare number is an answer."""
        for message in messages:
            if not is_bare_number(message.get(TEXT) or ""):
                continue
            ranking = [
                {**e, "confidence": float(e.get("confidence") or 0.0) * 0.5}
                for e in message.get("intent_ranking") or []
                if e.get("name") != "inform"
            ]
            top = {"name": "inform", "confidence": 1.0}
            message.set(INTENT, top, add_to_output=True)
            message.set("intent_ranking", [top, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their labels."""
        return training_data
