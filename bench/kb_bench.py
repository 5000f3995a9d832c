"""Knowledge-base benchmark: retrieval quality and search/index cost as the FAQ store grows.

1. Quality on the held-out *test* phrasings (never used for calibration) with the provisioned
   multilingual-e5-small: top-1 / top-3 / MRR for dense only, lexical only and the calibrated
   hybrid, plus the confident-answer decision at the calibrated threshold.
1b. Quality on REAL FAQ sets nobody on the project wrote (``bench/real_faq.py``: real user
   questions with human paraphrase labels), dev and test parts, for the product's hybrid
   (fusion, calibration and threshold fitted on dev, ``knowledge/data/thresholds.json``) and the
   character n-gram TF-IDF baseline (its own calibration and threshold fitted on the same dev):
   top-1, top-3, the share of queries answered confidently but wrongly.
2. Growth: synthetic indexes of 1k / 10k / 100k phrasing rows (real seed vectors recombined with
   noise, seed texts with extra characters) — search latency with and without the query
   embedding, exact IndexFlatIP vs HNSW (recall@1 against exact), index build time and memory.

Writes ``bench/results/knowledge.json``.
Run: ``.venv/bin/python -m bench.kb_bench [--sizes 1000 10000 100000]``
(needs the kb extra; provisions the model into ``LINLI_DATA_DIR`` if missing).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from bench.machine import machine_info  # noqa: E402
from core.config import HubSettings  # noqa: E402
from core.logging import setup_logging  # noqa: E402
from core.textnorm import normalize_text  # noqa: E402
from knowledge.embed import (  # noqa: E402
    CachedEmbedder,
    Embedder,
    SentenceTransformerEmbedder,
)
from knowledge.evaluate import (  # noqa: E402
    BM25_ONLY,
    DENSE_ONLY,
    LEXICAL_ONLY,
    EvalSet,
    decision_utility,
    fit_all,
    metrics,
    real_set,
    summarize,
)
from knowledge.index import Entry, Fusion, Snapshot  # noqa: E402
from knowledge.provision import provision  # noqa: E402
from knowledge.runtime import passage_cache_path  # noqa: E402
from knowledge.seed import load_heldout, load_seed  # noqa: E402
from knowledge.service import Thresholds  # noqa: E402

logger = logging.getLogger("kb_bench")
OUT = ROOT / "bench" / "results" / "knowledge.json"
PHRASINGS_PER_FAQ = 4


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import resource

    return pages * resource.getpagesize() / 1e6


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """Median, p95 and mean of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(p95, 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
        "n": len(ordered),
    }


def quality(evalset: EvalSet, thresholds: Thresholds) -> dict:
    """Ranking metrics per method and the decision outcome of the calibrated hybrid."""
    test = load_heldout("test")
    out: dict = {"n_test": len(test), "n_in_scope": sum(i.in_scope for i in test)}
    for name, fusion in (
        ("dense", DENSE_ONLY),
        ("lexical", LEXICAL_ONLY),
        ("hybrid", thresholds.fusion),
    ):
        ranked = evalset.rankings(test, fusion)
        m = metrics(test, ranked, evalset.key_of)
        out[name] = {"top1": round(m.top1, 4), "top3": round(m.top3, 4), "mrr": round(m.mrr, 4)}
        if name == "hybrid":
            utility, counts = decision_utility(
                test, ranked, evalset.key_of, thresholds.answer_threshold, thresholds.calibrator
            )
            out["hybrid_decision"] = {
                "threshold": thresholds.answer_threshold,
                "utility": utility,
                "confident_but_wrong_rate": round(counts["wrong"] / max(len(test), 1), 4),
                "right_answer_rate": round(counts["right"] / max(len(test), 1), 4),
                "decision_ms_per_query": decision_ms(test, ranked, thresholds),
                **counts,
            }
    out["fusion"] = {
        "dense_weight": thresholds.fusion.dense_weight,
        "lexical_weight": thresholds.fusion.lexical_weight,
        "bm25_weight": thresholds.fusion.bm25_weight,
    }
    return out


def decision_ms(items: list, ranked: list, thresholds: Thresholds) -> float:
    """What the answer decision adds to a search, in ms per query: the calibrated probabilities
    of the candidates and the content-word check (no model call; the scores come with the
    ranking)."""
    from knowledge.calibration import has_content_words

    has_content_words.cache_clear()
    started = time.perf_counter()
    for item, r in zip(items, ranked, strict=True):
        thresholds.calibrator.probabilities_of(r[:3])
        has_content_words(normalize_text(item.question))
    return round((time.perf_counter() - started) * 1000 / max(len(items), 1), 4)


REAL_SETS = ("lcqmc_gov", "afqmc")


def quality_real(embedder: Embedder, thresholds: Thresholds, names: tuple[str, ...]) -> dict:
    """Product hybrid vs TF-IDF baseline (and dense/BM25 alone) on the real dev and test sets."""
    from bench.real_faq import load_or_build

    out: dict = {}
    for name in names:
        try:
            real = load_or_build(name)
        except FileNotFoundError as exc:
            out[name] = {"skipped": str(exc)}
            logger.warning("Real set %s skipped: %s", name, exc)
            continue
        data = {"name": name, "faqs": real.faqs, "dev": real.dev, "test": real.test}
        dev, test = real_set(embedder, data, "dev"), real_set(embedder, data, "test")
        entry: dict = {"source": real.source, "sizes": real.summary()}
        for method, fusion in (
            ("tfidf_baseline", LEXICAL_ONLY),
            ("dense", DENSE_ONLY),
            ("bm25", BM25_ONLY),
        ):
            calibrator, threshold, report = fit_all([dev], fusion)
            entry[method] = {
                "dev": report[dev.name],
                "test": summarize(
                    test.items,
                    test.evalset.rankings(test.items, fusion),
                    test.evalset.key_of,
                    calibrator,
                    threshold,
                ),
            }
        entry["hybrid"] = {
            part.name.rsplit("_", 1)[-1]: summarize(
                part.items,
                part.evalset.rankings(part.items, thresholds.fusion),
                part.evalset.key_of,
                thresholds.calibrator,
                thresholds.answer_threshold,
            )
            for part in (dev, test)
        }
        for method in ("tfidf_baseline", "dense", "bm25", "hybrid"):
            d = entry[method]["dev"]
            logger.info(
                "%s %s dev: top1 %.3f top3 %.3f confident-but-wrong %.3f",
                name,
                method,
                d["top1"],
                d["top3"],
                d["confident_but_wrong_rate"],
            )
        out[name] = entry
    return out


def synthetic(evalset: EvalSet, rows: int, rng: np.random.Generator) -> tuple:
    """``rows`` phrasing rows grown from the seed: recombined vectors, varied texts."""
    base_v, base_t = evalset.vectors, evalset.texts
    n = len(base_t)
    a = rng.integers(0, n, rows)
    b = rng.integers(0, n, rows)
    vectors = base_v[a] + 0.35 * base_v[b] + 0.08 * rng.standard_normal((rows, base_v.shape[1]))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    chars = sorted({c for t in base_t for c in t if "\u4e00" <= c <= "\u9fff"})
    extra = rng.integers(0, len(chars), (rows, 3))
    texts = [base_t[i] + "".join(chars[j] for j in e) for i, e in zip(a, extra, strict=True)]
    owners = np.arange(rows) // PHRASINGS_PER_FAQ + 1
    entries = [
        Entry(int(f), texts[int(f - 1) * PHRASINGS_PER_FAQ], "答案") for f in np.unique(owners)
    ]
    return entries, texts, owners, vectors


def growth(
    evalset: EvalSet, embedder: Embedder, fusion: Fusion, sizes: list[int], n_queries: int
) -> list[dict]:
    """Build flat and HNSW indexes per size; time searches; HNSW recall@1 vs exact."""
    rng = np.random.default_rng(7)
    test = [i for i in load_heldout("test")]
    queries = [normalize_text(i.question) for i in test][:n_queries]
    qvecs = evalset.query_vectors(queries)
    results = []
    for size in sizes:
        entries, texts, owners, vectors = synthetic(evalset, size, rng)
        row: dict = {"rows": size, "faqs": len(entries)}
        tops: dict[str, list[int]] = {}
        for kind, ann_min in (("flat", size + 1), ("hnsw", 0)):
            gc.collect()
            rss0 = rss_mb()
            t0 = time.perf_counter()
            snap = Snapshot(entries, texts, owners, vectors, fusion=fusion, ann_min_vectors=ann_min)
            build_s = time.perf_counter() - t0
            rss1 = rss_mb()
            import faiss

            index_bytes = len(faiss.serialize_index(snap.dense))
            lex = snap.lexical._matrix  # noqa: SLF001 - measuring its size
            lexical_bytes = lex.data.nbytes + lex.indices.nbytes + lex.indptr.nbytes
            snap.search(qvecs[0], queries[0], 5)  # warm up
            no_embed = []
            found = []
            for v, q in zip(qvecs, queries, strict=True):
                t = time.perf_counter()
                hits = snap.search(v, q, 5)
                no_embed.append((time.perf_counter() - t) * 1000)
                found.append(hits[0].faq_id if hits else -1)
            tops[kind] = found
            dense_only = Snapshot.__new__(Snapshot)
            dense_only.__dict__.update(snap.__dict__)
            dense_only.fusion = DENSE_ONLY
            dense_ms = []
            for v, q in zip(qvecs, queries, strict=True):
                t = time.perf_counter()
                dense_only.search(v, q, 5)
                dense_ms.append((time.perf_counter() - t) * 1000)
            with_embed = []
            for q in queries[: max(10, n_queries // 3)]:
                t = time.perf_counter()
                v = embedder.embed_queries([q])[0]
                snap.search(v, q, 5)
                with_embed.append((time.perf_counter() - t) * 1000)
            row[kind] = {
                "index": snap.kind,
                "build_s": round(build_s, 3),
                "rss_delta_mb": round(rss1 - rss0, 1),
                "dense_index_mb": round(index_bytes / 1e6, 2),
                "lexical_index_mb": round(lexical_bytes / 1e6, 2),
                "search_hybrid_without_embedding": percentiles(no_embed),
                "search_dense_only_without_embedding": percentiles(dense_ms),
                "search_with_query_embedding": percentiles(with_embed),
            }
            logger.info(
                "%d rows %s: build %.2fs, hybrid p50 %.2f ms, with embedding p50 %.1f ms",
                size,
                kind,
                build_s,
                row[kind]["search_hybrid_without_embedding"]["p50_ms"],
                row[kind]["search_with_query_embedding"]["p50_ms"],
            )
            del snap, dense_only
        agree = sum(a == b for a, b in zip(tops["flat"], tops["hnsw"], strict=True))
        row["hnsw_top1_agreement_with_exact"] = round(agree / len(queries), 4)
        results.append(row)
    return results


def main() -> None:
    """Run the benchmark and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--faiss-threads", type=int, default=1, help="as KB_FAISS_THREADS")
    parser.add_argument("--torch-threads", type=int, default=1, help="as KB_TORCH_THREADS")
    parser.add_argument("--skip-growth", action="store_true", help="quality only")
    parser.add_argument(
        "--real-sets", nargs="*", default=list(REAL_SETS), help="real FAQ sets to measure"
    )
    args = parser.parse_args()
    setup_logging("INFO")
    import faiss

    faiss.omp_set_num_threads(args.faiss_threads)
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    for noisy in ("sentence_transformers", "transformers", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = HubSettings()
    t0 = time.perf_counter()
    model_dir = provision(settings.ensure_data_dir()).path
    provision_s = time.perf_counter() - t0

    rss_before = rss_mb()
    t0 = time.perf_counter()
    inner = SentenceTransformerEmbedder(model_dir)
    load_s = time.perf_counter() - t0
    rss_model = rss_mb() - rss_before

    seed = load_seed()
    texts = [normalize_text(p) for s in seed for p in dict.fromkeys([s.question, *s.alternatives])]
    t0 = time.perf_counter()
    inner.embed_passages(texts)
    embed_s = time.perf_counter() - t0
    single = []
    for q in [i.question for i in load_heldout("test")][:30]:
        t = time.perf_counter()
        inner.embed_queries([q])
        single.append((time.perf_counter() - t) * 1000)

    cache = passage_cache_path(settings.data_dir, str(model_dir))
    embedder = CachedEmbedder(inner, cache)
    evalset = EvalSet(embedder, seed)
    thresholds = Thresholds.load()

    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "faiss_threads": args.faiss_threads,
        "torch_threads": args.torch_threads,
        "load_average_at_start": list(__import__("os").getloadavg()),
        "machine": machine_info(with_rasa=False),
        "model": {
            "path": str(model_dir),
            "provision_s_(skip_if_built)": round(provision_s, 2),
            "load_s": round(load_s, 2),
            "rss_delta_mb_after_load": round(rss_model, 1),
            "seed_phrasings": len(texts),
            "passage_embedding_per_s": round(len(texts) / embed_s, 1),
            "single_query_embedding": percentiles(single),
        },
        "thresholds": {
            "answer_threshold": thresholds.answer_threshold,
            "calibrator": thresholds.calibrator.as_dict(),
        },
        "quality_heldout_test": quality(evalset, thresholds),
        "quality_real": quality_real(embedder, thresholds, tuple(args.real_sets)),
    }
    if not args.skip_growth:
        report["growth"] = growth(evalset, embedder, thresholds.fusion, args.sizes, args.queries)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    logger.info("Wrote %s", args.out)


if __name__ == "__main__":
    main()
