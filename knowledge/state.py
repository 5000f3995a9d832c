"""Per-app knowledge-base state (``app.state.knowledge``): store, embedder, search service."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.config import HubSettings
from knowledge.config import KbSettings
from knowledge.db import make_engine, make_sessionmaker, run_migrations
from knowledge.embed import Embedder
from knowledge.runtime import apply_thread_settings, load_thresholds, make_embedder
from knowledge.seed import seed_if_empty
from knowledge.service import KnowledgeBase

logger = logging.getLogger(__name__)


@dataclass
class KbState:
    """Everything the knowledge-base routes need; ``kb`` is set once startup finished."""

    settings: HubSettings
    kb_settings: KbSettings
    embedder: Embedder | None = None
    """Set before startup to inject an embedder (tests); otherwise built from settings."""
    engine: Engine | None = None
    sessions: sessionmaker[Session] | None = None
    kb: KnowledgeBase | None = None
    search_slots: asyncio.Semaphore | None = None
    """Bounds concurrent embedding jobs so public search cannot flood the thread pool."""

    def start(self) -> None:
        """Migrate, seed, load the embedder and build the first index (blocking)."""
        self.engine = make_engine(self.settings.resolved_kb_url())
        run_migrations(self.engine)
        self.sessions = make_sessionmaker(self.engine)
        if self.kb_settings.seed:
            with self.sessions.begin() as session:
                seed_if_empty(session)
        if self.embedder is None:
            apply_thread_settings(self.kb_settings)
            self.embedder = make_embedder(self.kb_settings, self.settings.ensure_data_dir())
        self.kb = KnowledgeBase(
            sessions=self.sessions,
            embedder=self.embedder,
            thresholds=load_thresholds(self.kb_settings, self.embedder),
            ann_min_vectors=self.kb_settings.ann_min_vectors,
        )
        self.kb.rebuild()

    def stop(self) -> None:
        """Release the database connections."""
        if self.engine is not None:
            self.engine.dispose()
