"""Property test: any sequence of staff changes, confirmations and sweeps keeps cases sound."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cases import lifecycle
from cases.clock import ManualClock
from cases.config import CasesSettings
from cases.crud import create_case, is_overdue
from cases.db import make_engine, make_session_factory, session_scope
from cases.migrate import upgrade_to_head
from cases.models import Case, CaseEvent, OutboxMessage
from cases.seed import seed_all
from cases.statuses import OPEN_STATUSES, Rating, Status
from core.contracts import CaseCreate, CaseType, Location
from core.errors import InvalidInput

_keys = itertools.count()


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'cases.db'}")
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        seed_all(session, now=ManualClock().now())
    yield factory
    engine.dispose()


ACTIONS = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(list(Status))),
    st.tuples(st.just("confirm"), st.sampled_from(list(Rating))),
    st.tuples(st.just("sweep"), st.integers(min_value=0, max_value=24 * 10)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(ACTIONS, max_size=12),
       category=st.sampled_from(["leak", "garbage", "elevator", "noise"]))  # fmt: skip
def test_any_sequence_keeps_the_case_consistent(sessions, actions, category) -> None:
    config = CasesSettings(auto_close_days=3, escalation_step_hours=24)
    clock = ManualClock()
    sender = f"tg:{next(_keys)}"
    with session_scope(sessions) as session:
        case, _ = create_case(session=session, settings=config, now=clock.now(),
                              case_create=CaseCreate(type=CaseType.REPORT, category=category,
                                                     location=Location(building="21"),
                                                     sender_id=sender))  # fmt: skip
        case_id = case.id
    for kind, arg in actions:
        with session_scope(sessions) as session:
            case = session.get(Case, case_id)
            try:
                if kind == "status":
                    lifecycle.change_status(session=session, case=case, new_status=arg,
                                            now=clock.now(), actor="prop")  # fmt: skip
                elif kind == "confirm":
                    lifecycle.confirm(session=session, case=case, sender_id=sender, rating=arg,
                                      now=clock.now(), settings=config)  # fmt: skip
                else:
                    clock.advance(hours=arg)
                    lifecycle.sweep(session=session, now=clock.now(), settings=config)
            except InvalidInput:
                session.rollback()  # refused changes leave no trace
        with session_scope(sessions) as session:
            case = session.get(Case, case_id)
            _check(session, case, clock)


def _check(session: Session, case: Case, clock: ManualClock) -> None:
    assert case.status in {s.value for s in Status}
    assert 0 <= case.escalation_level <= 2
    if case.status == Status.CLOSED:
        assert case.closed_at is not None
    if case.status == Status.RESOLVED:
        assert case.resolved_at is not None
    if is_overdue(case, clock.now()):
        assert case.status in OPEN_STATUSES
    assert case.assignee_id is not None  # reopening never loses the worker
    events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                  .order_by(CaseEvent.id)))  # fmt: skip
    last_status = [e.to_status for e in events if e.to_status][-1]
    assert last_status == case.status  # the history tells the truth
    outbox = list(session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)))
    assert all(m.channel == "telegram" for m in outbox)
    assert {m.event_id for m in outbox} <= {e.id for e in events if not e.internal}
