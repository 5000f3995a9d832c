"""Bundled seed FAQs and held-out phrasings (``knowledge/data``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from knowledge import crud
from knowledge.schemas import FaqCreate

logger = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
SEED_SOURCE = "示例内容（上线前请按本社区实际情况修改）"
SEED_ACTOR = "system:seed"


@dataclass(frozen=True)
class SeedFaq:
    """One seed entry; ``key`` is stable across databases (the held-out set refers to it)."""

    key: str
    category: str
    question: str
    alternatives: tuple[str, ...]
    answer: str

    def to_create(self) -> FaqCreate:
        """As an FAQ to insert."""
        return FaqCreate(
            question=self.question,
            alternatives=list(self.alternatives),
            answer=self.answer,
            category=self.category,
            source=SEED_SOURCE,
            owner="社区服务中心",
        )


@dataclass(frozen=True)
class HeldOut:
    """A held-out resident phrasing and the seed keys whose answers are right (empty: none)."""

    question: str
    keys: tuple[str, ...]

    @property
    def in_scope(self) -> bool:
        """True if some FAQ should answer it."""
        return bool(self.keys)


def load_seed(path: Path | None = None) -> list[SeedFaq]:
    """Read the seed FAQ YAML."""
    raw = yaml.safe_load((path or DATA / "seed_faqs.yml").read_text(encoding="utf-8"))
    return [
        SeedFaq(r["key"], r["category"], r["q"], tuple(r.get("alt") or ()), r["a"]) for r in raw
    ]


def load_heldout(part: str, path: Path | None = None) -> list[HeldOut]:
    """Read one part (``calibration`` or ``test``) of the held-out phrasings."""
    raw = yaml.safe_load((path or DATA / "heldout.yml").read_text(encoding="utf-8"))
    out = []
    for r in raw[part]:
        key = r["key"]
        keys = () if key is None else (key,) if isinstance(key, str) else tuple(key)
        out.append(HeldOut(r["q"], keys))
    return out


def seed_if_empty(session: Session, seed: list[SeedFaq] | None = None) -> int:
    """Insert the seed FAQs into an empty store (audited as ``system:seed``); return how many."""
    if crud.count_faqs(session=session):
        return 0
    entries = seed if seed is not None else load_seed()
    for entry in entries:
        crud.create_faq(session=session, data=entry.to_create(), actor=SEED_ACTOR, action="seed")
    logger.info("Seeded the FAQ store with %d entries", len(entries))
    return len(entries)
