"""Embedders: the hashing fake, its real sentence-transformers counterpart, the disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.embed import CachedEmbedder, Embedder, HashingEmbedder


def _check_contract(embedder: Embedder) -> None:
    texts = ["电动车能在楼道充电吗", "电瓶车可以在楼道里充电吗", "医保卡丢了怎么办"]
    q = embedder.embed_queries(texts)
    p = embedder.embed_passages(texts)
    for vecs in (q, p):
        assert vecs.shape == (3, embedder.dim) and vecs.dtype == np.float32
        assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    # paraphrases are closer than unrelated questions
    assert float(q[0] @ p[1]) > float(q[0] @ p[2])
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


def test_hashing_embedder_honours_the_contract() -> None:
    _check_contract(HashingEmbedder())


def test_hashing_embedder_is_deterministic() -> None:
    a = HashingEmbedder().embed_passages(["社区食堂几点开饭"])
    b = HashingEmbedder().embed_passages(["社区食堂几点开饭"])
    assert np.array_equal(a, b)


@pytest.mark.slow
def test_sentence_transformer_embedder_honours_the_contract(real_embedder: Embedder) -> None:
    _check_contract(real_embedder)
    assert real_embedder.dim == 384


class CountingEmbedder(HashingEmbedder):
    """Counts how many passages reach the model."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return super().embed_passages(texts)


def test_cache_embeds_each_passage_once_and_survives_restart(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    cache = CachedEmbedder(inner, tmp_path / "c.npz")
    first = cache.embed_passages(["甲", "乙", "甲"])
    cache.embed_passages(["乙", "丙"])
    assert inner.calls == 3
    inner2 = CountingEmbedder()
    again = CachedEmbedder(inner2, tmp_path / "c.npz").embed_passages(["甲", "乙", "丙"])
    assert inner2.calls == 0
    assert np.array_equal(again[:2], first[:2])
