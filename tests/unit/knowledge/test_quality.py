"""Retrieval quality with the REAL model on the held-out test phrasings (never calibrated on)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from knowledge.db import make_engine, make_sessionmaker, run_migrations
from knowledge.embed import Embedder
from knowledge.seed import load_heldout, load_seed, seed_if_empty
from knowledge.service import KnowledgeBase, Thresholds
from tests.unit.knowledge.conftest import AUTH, make_app

pytestmark = pytest.mark.slow

TOP1_FLOOR = 0.93
"""Measured 0.988 (83/84) on this set with the provisioned e5 model; floor leaves noise room."""
TOP3_FLOOR = 0.97


@pytest.fixture(scope="module")
def real_kb(real_embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    path = tmp_path_factory.mktemp("kbq") / "kb.db"
    engine = make_engine(f"sqlite:///{path}")
    run_migrations(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        seed_if_empty(session)
    kb = KnowledgeBase(sessions=sessions, embedder=real_embedder, thresholds=Thresholds.load())
    kb.rebuild()
    return kb


@pytest.fixture(scope="module")
def key_of(real_kb: KnowledgeBase) -> dict[int, str]:
    by_question = {s.question: s.key for s in load_seed()}
    return {e.faq_id: by_question[e.question] for e in real_kb.snapshot.entries.values()}


def test_heldout_test_set_top1_and_top3(real_kb: KnowledgeBase, key_of: dict[int, str]) -> None:
    items = [i for i in load_heldout("test") if i.in_scope]
    top1 = top3 = 0
    misses = []
    for item in items:
        keys = [key_of[h.faq_id] for h in real_kb.search(item.question, k=3).hits]
        top1 += keys[0] in item.keys
        top3 += any(k in item.keys for k in keys)
        if keys[0] not in item.keys:
            misses.append((item.question, keys[0]))
    assert top1 / len(items) >= TOP1_FLOOR, misses
    assert top3 / len(items) >= TOP3_FLOOR, misses


def test_confident_answers_are_rarely_wrong_and_out_of_scope_is_declined(
    real_kb: KnowledgeBase, key_of: dict[int, str]
) -> None:
    items = load_heldout("test")
    wrong = declined_oos = oos = answered = 0
    for item in items:
        result = real_kb.search(item.question, k=3)
        if not item.in_scope:
            oos += 1
            declined_oos += not result.confident
        elif result.confident:
            answered += 1
            wrong += key_of[result.hits[0].faq_id] not in item.keys
    assert declined_oos >= oos - 2  # measured 8 of 8 declined
    # calibrated threshold: measured 79 of 84 answered (the rest get suggestions), 1 wrong
    assert answered >= 0.8 * sum(i.in_scope for i in items)
    assert wrong <= 0.05 * answered


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("社区服务中心周六开门吗", ("centre_weekend", "centre_hours")),
        ("老年卡去哪办要带啥", ("senior_card_apply",)),
        ("電動車能在樓道充電嗎", ("ev_stairwell",)),
        ("医保卡丢了咋办", ("mi_card_lost",)),
        ("高零津贴怎么申请", ("allowance_apply",)),
    ],
)
def test_example_resident_questions(
    real_kb: KnowledgeBase, key_of: dict[int, str], question: str, key: tuple[str, ...]
) -> None:
    result = real_kb.search(question)
    assert key_of[result.hits[0].faq_id] in key
    # answered, or (two FAQs both fit) offered as the first suggestion with the other right one
    assert result.confident or key_of[result.hits[1].faq_id] in key


@pytest.mark.parametrize(
    ("question", "wrong_key"),
    [
        ("我想问问", "legal_consult"),  # no content word: never answered (scores 0.47 ≥ 0.44)
        ("独生子女证丢了怎么补办", "senior_card_lost"),  # calibrated 0.42, threshold 0.44
    ],
)
def test_issue_12_examples_are_not_answered_wrongly(
    real_kb: KnowledgeBase, key_of: dict[int, str], question: str, wrong_key: str
) -> None:
    result = real_kb.search(question)
    assert all(0.0 <= h.score <= 1.0 for h in result.hits)
    assert not (result.confident and key_of[result.hits[0].faq_id] == wrong_key)


@pytest.fixture(scope="module")
def real_client(
    real_embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    app = make_app(tmp_path_factory.mktemp("kbapi"), embedder=real_embedder)
    with TestClient(app) as c:
        yield c


def test_api_with_real_model_answers_and_logs(real_client: TestClient) -> None:
    r = real_client.post(
        "/api/kb/ask", json={"question": "電動車能在樓道充電嗎", "channel": "web"}, headers=AUTH
    ).json()
    assert r["confident"] and "楼道" in r["answer"]["answer"]
    r = real_client.post(
        "/api/kb/ask", json={"question": "鱼香肉丝怎么做", "channel": "web"}, headers=AUTH
    ).json()
    assert not r["confident"] and r["answer"] is None
    queue = real_client.get("/api/kb/unanswered", headers=AUTH).json()
    assert [q["question"] for q in queue] == ["鱼香肉丝怎么做"]


def test_model_path_setting_points_at_any_folder(
    real_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge.config import KbSettings
    from knowledge.runtime import resolve_model

    monkeypatch.setenv("KB_MODEL", str(real_model_dir))
    assert resolve_model(KbSettings(), tmp_path) == str(real_model_dir)
    monkeypatch.delenv("KB_MODEL")
    monkeypatch.setenv("KB_AUTO_PROVISION", "false")
    with pytest.raises(FileNotFoundError):
        resolve_model(KbSettings(), tmp_path)
