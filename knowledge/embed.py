"""Sentence embedders: the ``Embedder`` interface, sentence-transformers, and a hashing fake."""

from __future__ import annotations

import hashlib
import logging
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors (cosine = inner product)."""

    name: str = "embedder"
    dim: int

    @abstractmethod
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for residents' questions, shape ``(len(texts), dim)``."""

    @abstractmethod
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for FAQ phrasings, shape ``(len(texts), dim)``."""


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model with the e5 ``query: `` / ``passage: `` prompts."""

    def __init__(self, model: str | Path, *, batch_size: int = 64, device: str = "cpu") -> None:
        """Load the model (blocking: call off the event loop).

        Args:
            model: a local folder or a hub name.
            batch_size: encode batch size.
            device: torch device.
        """
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(model), device=device)
        self._batch_size = batch_size
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())
        self.name = str(model)
        prompts = getattr(self._model, "prompts", {}) or {}
        self._query_kw = {"prompt_name": "query"} if "query" in prompts else {"prompt": "query: "}
        self._passage_kw = (
            {"prompt_name": "passage"} if "passage" in prompts else {"prompt": "passage: "}
        )
        logger.info("Loaded embedding model %s (dim %d)", self.name, self.dim)

    def _encode(self, texts: list[str], kwargs: dict) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            **kwargs,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed with the ``query: `` prompt."""
        return self._encode(texts, self._query_kw)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed with the ``passage: `` prompt."""
        return self._encode(texts, self._passage_kw)


class HashingEmbedder(Embedder):
    """Deterministic bag of hashed character uni/bigrams: a fast stand-in for unit tests.

    Texts sharing characters get similar vectors, so retrieval behaves plausibly without a
    model. Its real counterpart is :class:`SentenceTransformerEmbedder` (tested as slow).
    """

    name = "hashing"

    def __init__(self, dim: int = 256) -> None:
        """Args: dim: vector size."""
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for gram in grams:
            if gram.isspace():
                continue
            h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def _many(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts]).astype(np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Same as passages: the fake has no prompts."""
        return self._many(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Hash character uni/bigrams into a normalised vector."""
        return self._many(texts)


class CachedEmbedder(Embedder):
    """Wraps an embedder and keeps passage vectors on disk, so restarts do not re-embed.

    The cache file belongs to one model (``fingerprint``); queries are never cached.
    """

    def __init__(self, inner: Embedder, path: Path) -> None:
        """Args: inner: the real embedder; path: ``.npz`` file (created on first save)."""
        import threading

        self.inner = inner
        self.dim = inner.dim
        self.name = inner.name
        self.path = Path(path)
        self._lock = threading.Lock()
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.is_file():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    texts, vectors = data["texts"], data["vectors"]
                if vectors.ndim == 2 and vectors.shape[1] == self.dim:
                    self._vectors = dict(zip(texts.tolist(), vectors, strict=True))
                    logger.info("Loaded %d cached passage vectors", len(self._vectors))
            except (OSError, ValueError, KeyError):
                logger.warning("Ignoring unreadable embedding cache %s", self.path)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Delegated (queries are not cached)."""
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Cached vectors; only unseen texts reach the model, then the cache is saved."""
        with self._lock:
            todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
            if todo:
                self._vectors.update(zip(todo, self.inner.embed_passages(todo), strict=True))
                self._save()
            if not texts:
                return np.zeros((0, self.dim), dtype=np.float32)
            return np.stack([self._vectors[t] for t in texts]).astype(np.float32)

    def _save(self) -> None:
        import os
        import tempfile

        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._vectors)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(fd)
        try:
            np.savez(
                tmp,
                texts=np.asarray(texts, dtype=str),
                vectors=np.stack([self._vectors[t] for t in texts]).astype(np.float32),
            )
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def model_fingerprint(model: str) -> str:
    """Identify a model for cache keys: folder path + provisioning marker, or the hub name."""
    folder = Path(model)
    marker = folder / "linli_provisioned.json"
    extra = marker.read_text(encoding="utf-8") if marker.is_file() else ""
    digest = hashlib.sha256((str(folder.resolve()) + extra).encode()).hexdigest()
    return digest[:16]
