"""Votes of one household arriving at the same instant count once, against the real database
(SQLite and PostgreSQL): threads straight into the voting code, and concurrent HTTP requests
to the hub under a real uvicorn server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from deliberation.actors import Actor
from deliberation.db import session_scope
from deliberation.labels import Eligibility, Scope
from deliberation.models import Vote
from deliberation.polls import Ballot, cast_vote, open_poll, tally
from deliberation.thresholds import Threshold
from tests.unit.deliberation.conftest import AUTH, ballot, demo_tail
from tests.unit.knowledge.conftest import serve

ADMIN = Actor(name="staff:test", role="admin")


def _poll(hub: FastAPI) -> int:
    state = hub.state.deliberation
    with session_scope(state.sessions) as session:
        poll = open_poll(
            session=session,
            actor=ADMIN,
            question="1号楼加装电梯",
            options=None,
            scope=Scope.BUILDING,
            scope_codes=["1"],
            eligibility=Eligibility.HOUSEHOLD,
            threshold=Threshold.NONE,
            opens_at=None,
            closes_at=None,
            proposal_id=None,
            now=state.clock.now(),
            default_days=7,
        )
        return poll.id


def test_same_instant_votes_in_threads_count_once(api, hub: FastAPI) -> None:  # noqa: ANN001
    state = hub.state.deliberation
    poll_id = _poll(hub)
    workers = 8
    barrier = threading.Barrier(workers)
    options = ["同意", "不同意"] * (workers // 2)

    def vote(i: int) -> bool:
        b = Ballot(
            building="1",
            unit="1",
            room="101",
            option=options[i],
            channel="telegram",
            resident_key=f"tg:{i}",
            phone_last4=demo_tail("1", "1", "101"),
        )
        barrier.wait()
        with session_scope(state.sessions) as session:  # no hub lock: the database decides
            return cast_vote(
                session=session, poll_id=poll_id, ballot=b, now=state.clock.now(), guard=state.guard
            ).replaced

    with ThreadPoolExecutor(workers) as pool:
        replaced = list(pool.map(vote, range(workers)))
    assert replaced.count(False) == 1  # exactly one first vote, every other one replaced it
    with session_scope(state.sessions) as session:
        rows = session.scalar(select(func.count()).select_from(Vote).where(Vote.poll_id == poll_id))
        assert rows == 1
        assert session.scalar(select(Vote.revision)) == workers
        from deliberation.polls import get_poll

        result = tally(session, get_poll(session, poll_id), state.clock.now())
        assert result.participants == 1 and result.households == 1


def test_same_instant_requests_through_the_hub_count_once(hub: FastAPI) -> None:
    with serve(hub) as url:
        poll_id = _poll(hub)
        barrier = threading.Barrier(6)

        def send(i: int) -> int:
            body = ballot(
                "1",
                "2",
                "201",
                "同意" if i % 2 else "弃权",
                channel=("telegram", "kiosk", "web")[i % 3],
                resident_key=f"{('tg', 'kiosk', 'web')[i % 3]}:{i}",
            )
            barrier.wait()
            r = httpx.post(
                f"{url}/api/deliberation/polls/{poll_id}/votes", headers=AUTH, json=body, timeout=30
            )
            return r.status_code

        with ThreadPoolExecutor(6) as pool:
            codes = list(pool.map(send, range(6)))
        assert codes == [200] * 6
        result = httpx.get(f"{url}/api/deliberation/polls/{poll_id}").json()
        assert result["participants"] == 1 and result["households"] == 1
        assert sum(result["counts"]) == 1
