"""The knowledge base: FAQ store + embedder + swappable search snapshot + confidence threshold."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from core.contracts import FaqHit
from core.pii import mask_pii
from core.textnorm import normalize_text
from knowledge import crud
from knowledge.calibration import Calibrator, has_content_words
from knowledge.embed import Embedder
from knowledge.index import Entry, Fusion, Scored, Snapshot

logger = logging.getLogger(__name__)

THRESHOLDS_FILE = Path(__file__).parent / "data" / "thresholds.json"
CALIBRATION_DEPTH = 3
"""Candidates ranked for every query (the calibration compares the first with the second)."""
MAX_EMBED_CHARS = 500
"""Longer questions are cut here before embedding (the model reads 512 tokens at most)."""


@dataclass(frozen=True)
class Thresholds:
    """Fusion weights, the score calibration and the answer threshold, fitted on dev queries."""

    answer_threshold: float
    """Answer only when the first hit's calibrated probability reaches this."""
    fusion: Fusion = Fusion()
    calibrator: Calibrator = Calibrator()

    @classmethod
    def load(cls, path: Path | None = None, key: str = "default") -> Thresholds:
        """Read the fitted values (``python -m knowledge calibrate`` writes them)."""
        data = json.loads((path or THRESHOLDS_FILE).read_text(encoding="utf-8"))
        return cls.load_entry(data.get(key) or data["default"])

    @classmethod
    def load_entry(cls, entry: dict) -> Thresholds:
        """From one entry of ``thresholds.json``."""
        cal = entry.get("calibrator") or {}
        return cls(
            answer_threshold=float(entry["answer_threshold"]),
            fusion=Fusion(
                float(entry["dense_weight"]),
                float(entry["lexical_weight"]),
                float(entry.get("bm25_weight", 0.0)),
            ),
            calibrator=Calibrator(**{k: float(v) for k, v in cal.items()}),
        )


@dataclass(frozen=True)
class SearchResult:
    """Hits for one question and whether the best one is good enough to answer."""

    query: str
    hits: list[FaqHit]
    """Best first; ``score`` is the calibrated probability that the hit is the right FAQ."""
    confident: bool
    scored: list[Scored]
    """The ranking scores behind the hits (fused, dense, character, word)."""


class KnowledgeBase:
    """Search over the servable FAQs; rebuilds aside and swaps the snapshot atomically.

    All methods block (embedding, faiss, database): async callers use ``asyncio.to_thread``.
    """

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        embedder: Embedder,
        thresholds: Thresholds,
        ann_min_vectors: int = 50_000,
    ) -> None:
        """Args: sessions: FAQ store sessions; embedder: vectors; thresholds: calibrated values;
        ann_min_vectors: HNSW above this many phrasings."""
        self.sessions = sessions
        self.embedder = embedder
        self.thresholds = thresholds
        self.ann_min_vectors = ann_min_vectors
        self._snapshot = Snapshot.empty()
        self._build_lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}
        self.generation = 0
        self.last_build_seconds = 0.0

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot searches currently use."""
        return self._snapshot

    def _vectors(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            for text, vec in zip(todo, self.embedder.embed_passages(todo), strict=True):
                self._cache[text] = vec
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts]).astype(np.float32)

    def rebuild(self) -> Snapshot:
        """Read the servable FAQs, build a new snapshot aside, then swap it in.

        Searches running meanwhile keep using the old snapshot; there is no moment without one.
        Only new phrasings are embedded (vectors are cached by text).
        """
        with self._build_lock:
            started = time.perf_counter()
            with self.sessions() as session:
                faqs = crud.servable_faqs(session=session, today=date.today())
                entries, texts, owners = [], [], []
                for faq in faqs:
                    entries.append(Entry(faq.id, faq.question, faq.answer))
                    for phrasing in dict.fromkeys([faq.question, *(faq.alternatives or [])]):
                        text = normalize_text(phrasing)
                        if text:
                            texts.append(text)
                            owners.append(faq.id)
            vectors = self._vectors(texts)
            snapshot = Snapshot(
                entries,
                texts,
                np.asarray(owners, dtype=np.int64),
                vectors,
                ann_min_vectors=self.ann_min_vectors,
                fusion=self.thresholds.fusion,
            )
            live = set(texts)
            self._cache = {t: v for t, v in self._cache.items() if t in live}
            self._snapshot = snapshot  # the atomic swap: one reference assignment
            self.generation += 1
            self.last_build_seconds = time.perf_counter() - started
            logger.info(
                "Knowledge index rebuilt: %d FAQs, %d phrasings, %s, %.2f s",
                len(entries),
                len(texts),
                snapshot.kind,
                self.last_build_seconds,
            )
            return snapshot

    def search(self, question: str, k: int = 5) -> SearchResult:
        """Normalise (Traditional → Simplified …), embed and rank; calibrated scores in [0, 1];
        ``confident`` when the first reaches the threshold and the question has a content word
        (see :func:`knowledge.calibration.has_content_words`)."""
        text = normalize_text(question)[:MAX_EMBED_CHARS]
        snapshot = self._snapshot
        if not text or snapshot.size == 0:
            return SearchResult(text, [], False, [])
        query_vec = self.embedder.embed_queries([text])[0]
        scored = snapshot.search(query_vec, text, max(k, CALIBRATION_DEPTH))
        probabilities = self.thresholds.calibrator.probabilities_of(scored)
        hits = []
        for s, p in zip(scored[:k], probabilities, strict=False):
            entry = snapshot.entries[s.faq_id]
            hits.append(
                FaqHit(
                    faq_id=s.faq_id,
                    question=entry.question,
                    answer=entry.answer,
                    score=round(p, 4),
                )
            )
        confident = (
            bool(hits)
            and hits[0].score >= self.thresholds.answer_threshold
            and has_content_words(text)
        )
        return SearchResult(text, hits, confident, scored[:k])

    def ask(self, question: str, *, channel: str | None = None) -> SearchResult:
        """Search; when not confident, log the question (phone/ID numbers masked) for staff."""
        result = self.search(question, k=3)
        if not result.confident and result.query:
            self.log_declined(result, channel=channel)
        return result

    def log_declined(self, result: SearchResult, *, channel: str | None = None) -> None:
        """Queue a declined or out-of-scope question for staff (phone/ID numbers masked)."""
        best = result.hits[0] if result.hits else None
        with self.sessions.begin() as session:
            crud.record_unanswered(
                session=session,
                question=mask_pii(result.query),
                channel=channel,
                best_faq_id=best.faq_id if best else None,
                best_score=best.score if best else None,
            )
        logger.info("Declined question queued (best score %s)", best.score if best else None)
