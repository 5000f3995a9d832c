"""Lexical scorer and the snapshot (faiss exact / HNSW + fusion)."""

from __future__ import annotations

import numpy as np

from knowledge.embed import HashingEmbedder
from knowledge.index import Entry, Fusion, Snapshot
from knowledge.lexical import LexicalIndex, char_ngrams

PHRASINGS = {
    1: ["电动车能在楼道充电吗", "电瓶车在楼里充电行吗"],
    2: ["医保卡丢了怎么办", "社保卡掉了怎么补"],
    3: ["社区食堂几点开饭", "老年食堂营业时间"],
}


DEFAULT_FUSION = Fusion()


def _snapshot(
    fusion: Fusion = DEFAULT_FUSION, ann_min_vectors: int = 50_000
) -> tuple[Snapshot, HashingEmbedder]:
    emb = HashingEmbedder()
    texts = [t for ts in PHRASINGS.values() for t in ts]
    owners = np.array([f for f, ts in PHRASINGS.items() for _ in ts])
    entries = [Entry(f, ts[0], f"答案{f}") for f, ts in PHRASINGS.items()]
    return Snapshot(
        entries,
        texts,
        owners,
        emb.embed_passages(texts),
        fusion=fusion,
        ann_min_vectors=ann_min_vectors,
    ), emb


def test_char_ngrams_drop_punctuation_and_function_unigrams() -> None:
    grams = char_ngrams("医保卡，丢了吗？")
    assert "医" in grams and "医保" in grams and "医保卡" in grams
    assert "吗" not in grams and "，" not in "".join(grams)


def test_lexical_pools_phrasings_per_document() -> None:
    index = LexicalIndex([["医保卡丢了", "社保卡掉了"], ["食堂几点开饭"]])
    scores = index.scores("社保卡丢了")
    assert scores[0] > scores[1] == 0.0
    assert LexicalIndex(["abc"]).scores("！？").tolist() == [0.0]


def test_snapshot_ranks_each_faq_once_by_its_best_phrasing() -> None:
    snap, emb = _snapshot()
    q = "电瓶车能在楼里充电吗"
    hits = snap.search(emb.embed_queries([q])[0], q, k=5)
    assert [h.faq_id for h in hits][0] == 1
    assert len({h.faq_id for h in hits}) == len(hits) == 3
    assert hits[0].score == hits[0].dense * 1.0 + hits[0].lexical * Fusion().lexical_weight


def test_lexical_candidates_get_their_dense_score() -> None:
    snap, emb = _snapshot(Fusion(1.0, 0.5))
    q = "食堂"
    hits = snap.search(emb.embed_queries([q])[0], q, k=3)
    by_id = {h.faq_id: h for h in hits}
    assert by_id[3].lexical > 0 and -1.0 <= by_id[3].dense <= 1.0


def test_hnsw_index_above_the_size_limit_finds_the_same_top_hit() -> None:
    flat, emb = _snapshot()
    hnsw, _ = _snapshot(ann_min_vectors=2)
    assert flat.kind == "IndexFlatIP" and hnsw.kind == "IndexHNSWFlat"
    for q in ("医保卡掉了", "老年食堂几点营业", "楼道里充电"):
        v = emb.embed_queries([q])[0]
        assert flat.search(v, q, 1)[0].faq_id == hnsw.search(v, q, 1)[0].faq_id


def test_empty_snapshot_finds_nothing() -> None:
    assert Snapshot.empty().search(np.zeros(4, dtype=np.float32), "随便", 5) == []
