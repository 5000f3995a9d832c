"""The knowledge base service: atomic swap under concurrent search, Traditional input, threshold."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from knowledge import crud
from knowledge.db import make_engine, make_sessionmaker, run_migrations
from knowledge.embed import HashingEmbedder
from knowledge.models import Unanswered
from knowledge.schemas import FaqCreate, FaqUpdate
from knowledge.seed import seed_if_empty
from knowledge.service import KnowledgeBase, Thresholds


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    run_migrations(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        seed_if_empty(session)
    embedder = HashingEmbedder()
    kb = KnowledgeBase(
        sessions=sessions, embedder=embedder, thresholds=Thresholds.load(key="hashing")
    )
    kb.rebuild()
    return kb


def _key_question(key: str) -> str:
    from knowledge.seed import load_seed

    return next(s.question for s in load_seed() if s.key == key)


def test_traditional_input_is_normalised_and_finds_the_answer(kb: KnowledgeBase) -> None:
    result = kb.search("電動車能在樓道充電嗎")
    assert result.query == "电动车能在楼道充电吗"
    assert result.hits[0].question == _key_question("ev_stairwell")
    assert result.confident


def test_below_threshold_question_is_not_answered_and_is_logged(kb: KnowledgeBase) -> None:
    for _ in range(2):
        result = kb.ask("帮我订一张去北京的火车票", channel="telegram")
        assert not result.confident
    with kb.sessions() as session:
        items = session.query(Unanswered).all()
    assert [(i.question, i.count, i.last_channel) for i in items] == [
        ("帮我订一张去北京的火车票", 2, "telegram")
    ]
    assert items[0].last_asked >= items[0].first_asked


def test_confident_question_is_not_logged(kb: KnowledgeBase) -> None:
    assert kb.ask("電動車能在樓道充電嗎").confident
    with kb.sessions() as session:
        assert session.query(Unanswered).count() == 0


def test_retired_and_expired_faqs_are_not_served(kb: KnowledgeBase) -> None:
    from datetime import date, timedelta

    target = kb.search("电动车能在楼道充电吗").hits[0].faq_id
    with kb.sessions.begin() as session:
        crud.retire_faq(session=session, faq_id=target, actor="t")
        old = crud.create_faq(
            session=session,
            data=FaqCreate(
                question="去年的防汛演练几点开始",
                answer="已结束",
                valid_until=date.today() - timedelta(days=1),
            ),
            actor="t",
        )
    kb.rebuild()
    assert target not in kb.snapshot.entries and old.id not in kb.snapshot.entries


def test_searches_never_fail_while_the_index_is_rebuilt_and_swapped(kb: KnowledgeBase) -> None:
    errors: list[BaseException] = []
    answered: list[int] = []
    stop = threading.Event()
    target = kb.search("医保卡丢了怎么办").hits[0].faq_id

    def searcher() -> None:
        while not stop.is_set():
            try:
                result = kb.search("医保卡丢了怎么办", k=3)
                assert result.hits, "search returned nothing during a swap"
                assert result.hits[0].faq_id == target
                answered.append(result.hits[0].faq_id)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
                return

    threads = [threading.Thread(target=searcher) for _ in range(4)]
    for t in threads:
        t.start()
    generation = kb.generation
    try:
        for i in range(15):
            with kb.sessions.begin() as session:
                faq = crud.create_faq(
                    session=session,
                    data=FaqCreate(question=f"第{i}号临时通知在哪里看", answer=f"通知{i}"),
                    actor="t",
                )
                crud.update_faq(
                    session=session,
                    faq_id=faq.id,
                    data=FaqUpdate(alternatives=[f"通知{i}的说法"]),
                    actor="t",
                )
            kb.rebuild()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert kb.generation == generation + 15
    assert len(answered) > 0
    assert kb.search("第14号临时通知在哪里看").hits[0].question == "第14号临时通知在哪里看"


def test_empty_question_finds_nothing(kb: KnowledgeBase) -> None:
    result = kb.search("   ")
    assert result.hits == [] and not result.confident


def test_logged_questions_have_phone_numbers_masked(kb: KnowledgeBase) -> None:
    kb.ask("我的电话13812345678，小区游泳池几点开", channel="web")
    with kb.sessions() as session:
        (item,) = session.query(Unanswered).all()
    assert "13812345678" not in item.question and "138****5678" in item.question


@pytest.mark.parametrize(
    "question", ["我想问问", "请问一下", "在吗？", "我有个问题", "想打听个事儿", "麻烦问一下情况"]
)
def test_a_question_without_content_words_is_never_answered(
    kb: KnowledgeBase, question: str
) -> None:
    from dataclasses import replace

    kb.thresholds = replace(kb.thresholds, answer_threshold=0.0)  # answer anything with a word
    result = kb.search(question)
    assert result.hits and not result.confident
    assert kb.search("医保卡丢了咋办").confident
