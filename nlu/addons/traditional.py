"""Rasa component: Traditional → Simplified, full-width → half-width, no trailing full stop,
before tokenising.

Residents in Hong Kong style input methods, or older relatives' phones, type 我要報事; the model is
trained on Simplified text, so the message is normalised first (OpenCC ``t2s``, NFKC).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from opencc import OpenCC
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

MAX_CHARS = 500


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TraditionalToSimplified(GraphComponent):
    """Rewrites each message's text to Simplified Chinese (the original stays in the tracker)."""

    def __init__(self) -> None:
        self._cc = OpenCC("t2s")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TraditionalToSimplified:
        """No configuration."""
        return cls()

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT)
        if text and not text.startswith("/"):
            # a resident's message is short; a huge one (pasted text, an attack) is cut before the
            # classifiers, which otherwise spend a minute of CPU and answer nothing
            text = self._cc.convert(unicodedata.normalize("NFKC", text[:MAX_CHARS]))
            # speech recognition ends every sentence with 。; it must not change the intent
            message.set(TEXT, text.rstrip("。.!！~～… ") or text)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise every training example."""
        for example in training_data.training_examples:
            self._normalise(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalise incoming messages."""
        for message in messages:
            self._normalise(message)
        return messages
