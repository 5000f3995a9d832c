"""Several hub replicas on one PostgreSQL: migrations race-free, case numbers unique, links kept."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from cases.clock import ManualClock
from cases.config import CasesSettings
from cases.crud import create_case
from cases.db import make_engine, make_session_factory, session_scope
from cases.models import Building, Case
from cases.seed import seed_all
from core.contracts import CaseCreate, CaseType, Location
from harness.pgserver import PgServer

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
RETRYABLE = {"40001", "40P01"}
"""PostgreSQL serialization_failure and deadlock_detected."""


def test_two_replicas_share_numbering_and_duplicates(pg: PgServer) -> None:
    url = pg.create_database("replicas")
    # two replica processes start at once: their migrations must not collide
    code = ("import sys; from cases.db import make_engine; from cases.migrate import "
            "upgrade_to_head; upgrade_to_head(make_engine(sys.argv[1]))")  # fmt: skip
    procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT,
                              stderr=subprocess.PIPE) for _ in range(2)]  # fmt: skip
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    engines = [make_engine(url) for _ in range(2)]
    clock = ManualClock()
    factories = [make_session_factory(e) for e in engines]

    def seed(factory) -> None:  # noqa: ANN001
        with session_scope(factory) as session:
            seed_all(session, now=clock.now())

    with ThreadPoolExecutor(max_workers=2) as pool:  # seeding at once is serialised too
        list(pool.map(seed, factories))
    with session_scope(factories[0]) as session:
        assert session.scalar(select(func.count()).select_from(Building)) == 20
    settings = CasesSettings()
    retried: list[str] = []

    def create(i: int) -> tuple[str, str | None]:
        factory = factories[i % 2]
        body = CaseCreate(type=CaseType.REPORT, category="leak" if i % 2 else "garbage",
                          location=Location(building=str(i % 5 + 1)),
                          idempotency_key=f"replica-{i}")  # fmt: skip
        for _ in range(5):
            try:
                with session_scope(factory) as session:
                    case, _ = create_case(session=session, case_create=body, settings=settings,
                                          now=clock.now())  # fmt: skip
                    return case.case_no, case.linked_to.case_no if case.linked_to else None
            except DBAPIError as exc:
                # only a serialisation failure or a deadlock is retried (as the API client
                # retries a 503); any other error fails the test
                code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
                if code not in RETRYABLE:
                    raise
                retried.append(code)
        raise AssertionError("create kept failing")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(create, range(60)))
    numbers = [n for n, _ in results]
    assert len(set(numbers)) == 60
    assert len(retried) < 30, retried  # conflicts happen, but most creates go through at once
    with session_scope(factories[0]) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 60
        roots = session.scalar(
            select(func.count()).select_from(Case).where(Case.linked_to_id.is_(None))
        )
    # 2 categories x 5 buildings → at most a few roots (concurrent first reports may both be roots)
    assert 10 <= roots <= 20
    for engine in engines:
        engine.dispose()
