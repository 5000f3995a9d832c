"""What the e5-based classifiers (meaning router, meaning blend) share: the sentence vector the
featurizer put on a message, and their logistic-regression weights in Rasa's model storage."""

from __future__ import annotations

import numpy as np
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.e5_engine import DIM

WEIGHT_KEYS = ("coef", "intercept", "classes")


def sentence_vector(message: Message) -> np.ndarray | None:
    """The e5 sentence feature the featurizer put on the message, if it is the only dense one."""
    _, sentence = message.get_dense_features(TEXT)
    if sentence is None or sentence.features.shape[-1] != DIM:
        return None
    return np.asarray(sentence.features, dtype=np.float32).reshape(DIM)


def regression_weights(clf) -> dict[str, np.ndarray]:  # noqa: ANN001 - a fitted LogisticRegression
    """The arrays a fitted scikit-learn logistic regression predicts with."""
    return {
        "coef": clf.coef_.astype(np.float32),
        "intercept": clf.intercept_.astype(np.float32),
        "classes": np.array(clf.classes_, dtype=str),
    }


def save_weights(
    storage: ModelStorage, resource: Resource, filename: str, weights: dict[str, np.ndarray]
) -> None:
    """Write ``weights`` into the component's folder of the model."""
    with storage.write_to(resource) as folder:
        np.savez(folder / filename, **weights)


def load_weights(
    storage: ModelStorage, resource: Resource, filename: str
) -> dict[str, np.ndarray] | None:
    """The weights saved by :func:`save_weights`; None when the component was not trained."""
    try:
        with storage.read_from(resource) as folder:
            with np.load(folder / filename) as data:
                return {k: data[k] for k in WEIGHT_KEYS}
    except (ValueError, FileNotFoundError):
        return None
