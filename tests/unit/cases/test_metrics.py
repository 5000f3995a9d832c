"""Each dashboard / console figure (cases/metrics.py) on a seeded database with tricky data:
last week's cases, hand-offs, emergencies, service applications, a duplicate, a report without a
category, 部分解决, 没解决 then fixed again, another grid."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cases import lifecycle, metrics
from cases.crud import get_case
from cases.models import Grid
from cases.stats import week_stats
from cases.statuses import Status

AUTH = {"Authorization": "Bearer test-service-token"}


def _new(api: TestClient, **body: object) -> str:
    response = api.post("/api/cases", json=body, headers=AUTH)
    assert response.status_code in (200, 201), response.text
    return str(response.json()["case_no"])


def _report(api: TestClient, category: str | None, building: str | None, sender: str) -> str:
    place = {"building": building} if building else None
    return _new(api, type="report", category=category, description="测试", location=place,
                sender_id=sender)  # fmt: skip


def _resolve(db, clock, no: str) -> None:  # type: ignore[no-untyped-def]
    with db() as session:
        case = get_case(session=session, case_no=no)
        lifecycle.change_status(session=session, case=case, new_status=Status.RESOLVED,
                                now=clock.now(), actor="t")  # fmt: skip


def _answer(api: TestClient, no: str, sender: str, rating: str) -> None:
    response = api.post(f"/api/cases/{no}/confirm", json={"sender_id": sender, "rating": rating},
                        headers=AUTH)  # fmt: skip
    assert response.status_code == 200, response.text


@pytest.fixture
def seeded(api: TestClient, db, clock) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The seeded community at Monday 2026-11-23 20:00 local time (the week began at 00:00)."""
    c: dict[str, str] = {}
    # last week (Saturday 10:00): one fixed and confirmed this week, one still open and late
    c["old_fixed"] = _report(api, "corridor_light", "2", "tg:1")
    c["old_late"] = _report(api, "streetlight", "5", "tg:2")
    clock.advance(days=2)  # Monday 10:00: a new week
    _resolve(db, clock, c["old_fixed"])  # 48 h after the report
    _answer(api, c["old_fixed"], "tg:1", "resolved")
    # this week
    c["r1"] = _report(api, "garbage", "3", "tg:11")
    c["dup"] = _report(api, "garbage", "3", "tg:12")  # linked to r1 as a duplicate
    c["r2"] = _report(api, "leak", "4", "tg:13")
    c["r3"] = _report(api, "noise", "1", "tg:14")
    c["r4"] = _report(api, "parking", "13", "tg:15")  # grid G3
    c["r5"] = _report(api, None, None, "tg:16")  # no category, no place
    c["e1"] = _new(api, type="emergency", description="煤气味", location={"building": "3"})
    c["c1"] = _new(api, type="callback", description="转人工")
    c["s1"] = _new(api, type="service", service_code="elderly_allowance")
    clock.advance(hours=4)  # 14:00
    _resolve(db, clock, c["r1"])  # the duplicate follows
    _answer(api, c["r1"], "tg:11", "resolved")
    _resolve(db, clock, c["r2"])
    _answer(api, c["r2"], "tg:13", "partial")  # back to 处理中
    _resolve(db, clock, c["r3"])
    _answer(api, c["r3"], "tg:14", "unresolved")  # reopened, escalated
    clock.advance(hours=6)  # 20:00
    _resolve(db, clock, c["r3"])  # fixed again, 10 h after the report
    _resolve(db, clock, c["r4"])
    _answer(api, c["r4"], "tg:15", "resolved")
    with db() as session:  # deadlines made explicit: three open cases are late
        for key in ("old_late", "r2", "r5", "e1", "c1", "s1"):
            case = get_case(session=session, case_no=c[key])
            late = key in ("old_late", "r5", "e1")
            case.due_at = clock.now() + (timedelta(hours=-1) if late else timedelta(days=1))
        dup = get_case(session=session, case_no=c["dup"])
        assert dup.linked_to is not None and dup.status == Status.RESOLVED.value
        assert get_case(session=session, case_no=c["e1"]).grid.code == "G1"
        assert get_case(session=session, case_no=c["r4"]).grid.code == "G3"
    return c


def _scope(db, clock, grids: list[str] | None = None) -> metrics.Scope:  # type: ignore[no-untyped-def]
    ids = None
    if grids is not None:
        with db() as session:
            ids = frozenset(session.scalars(select(Grid.id).where(Grid.code.in_(grids))))
    return metrics.Scope.this_week(clock.now(), ids)


def test_reports_received_counts_only_this_weeks_reports_and_the_chart_adds_up(
    seeded,
    db,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    everyone, g1 = _scope(db, clock), _scope(db, clock, ["G1"])
    with db() as session:
        assert metrics.reports_received(session, everyone) == 6  # no emergency, hand-off, 办事
        assert metrics.reports_by_category(session, everyone) == {
            "garbage": 2, "leak": 1, "noise": 1, "parking": 1, "other": 1}  # fmt: skip
        assert metrics.reports_received(session, g1) == 4
        assert metrics.reports_by_category(session, g1) == {"garbage": 2, "leak": 1, "noise": 1}
        assert metrics.received_by_type(session, everyone) == {
            "report": 6, "emergency": 1, "callback": 1, "service": 1}  # fmt: skip
        assert metrics.received_by_type(session, g1) == {
            "report": 4, "emergency": 1, "callback": 0, "service": 0}  # fmt: skip


def test_confirmed_is_a_share_of_this_weeks_reports(seeded, db, clock) -> None:  # type: ignore[no-untyped-def]
    everyone, g1 = _scope(db, clock), _scope(db, clock, ["G1"])
    with db() as session:
        # r1 and r4; not last week's report, not the duplicate closed with r1, not 部分解决
        assert metrics.reports_confirmed(session, everyone) == 2
        assert metrics.reports_confirmed(session, g1) == 1
    assert metrics.confirmed_rate(2, 6) == 0.333
    assert metrics.confirmed_rate(1, 99) == 0.01  # the wall once said 100% here
    assert metrics.confirmed_rate(0, 0) is None


def test_open_and_overdue_are_what_the_queue_lists(seeded, db, clock) -> None:  # type: ignore[no-untyped-def]
    everyone, g1, g3 = _scope(db, clock), _scope(db, clock, ["G1"]), _scope(db, clock, ["G3"])
    with db() as session:
        # last week's late one, 部分解决 (back to work), no-category, emergency, hand-off, 办事
        assert metrics.open_now(session, everyone) == 6
        assert metrics.overdue_now(session, everyone) == 3
        assert metrics.open_now(session, g1) == 3  # old_late, r2, e1
        assert metrics.overdue_now(session, g1) == 2
        assert metrics.open_now(session, g3) == 0


def test_closed_this_week(seeded, db, clock) -> None:  # type: ignore[no-untyped-def]
    everyone, g1 = _scope(db, clock), _scope(db, clock, ["G1"])
    with db() as session:
        assert metrics.closed_this_week(session, everyone) == 3  # old_fixed, r1, r4
        assert metrics.closed_this_week(session, g1) == 2


def test_hours_to_fix_counts_reports_finished_this_week_and_still_finished(
    seeded,
    db,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    everyone, g1, g4 = _scope(db, clock), _scope(db, clock, ["G1"]), _scope(db, clock, ["G4"])
    with db() as session:
        # old_fixed 48 h, r1 4 h, its duplicate 4 h, r3 10 h (reopened, fixed again), r4 10 h;
        # r2 (部分解决) is open again and does not count
        assert metrics.avg_hours_to_fix(session, everyone) == 15.2
        assert metrics.avg_hours_to_fix(session, g1) == 16.5
        assert metrics.avg_hours_to_fix(session, g4) is None


def test_satisfaction_takes_each_cases_latest_answer_this_week(seeded, db, clock, api) -> None:  # type: ignore[no-untyped-def]
    everyone, g1 = _scope(db, clock), _scope(db, clock, ["G1"])
    with db() as session:
        ratings = metrics.ratings_this_week(session, everyone)
        assert sorted(ratings) == ["partial", "resolved", "resolved", "resolved", "unresolved"]
        assert metrics.satisfaction(ratings) == 0.7
        assert metrics.satisfaction(metrics.ratings_this_week(session, g1)) == 0.625
    # r3 was fixed again and is now confirmed: still one answer for r3, the latest
    _answer(api, seeded["r3"], "tg:14", "resolved")
    with db() as session:
        ratings = metrics.ratings_this_week(session, everyone)
        assert len(ratings) == 5 and metrics.satisfaction(ratings) == 0.9
    clock.advance(days=7)  # next week: nobody answered yet
    with db() as session:
        assert metrics.ratings_this_week(session, metrics.Scope.this_week(clock.now())) == []


def test_week_stats_gathers_the_definitions(seeded, db, clock, api) -> None:  # type: ignore[no-untyped-def]
    with db() as session:
        stats = week_stats(session, now=clock.now())
    assert stats.reports_this_week == sum(c.count for c in stats.by_category) == 6
    assert stats.received_this_week == 9
    assert (stats.confirmed_this_week, stats.confirmed_rate) == (2, 0.333)
    assert (stats.open, stats.overdue, stats.closed_this_week) == (6, 3, 3)
    assert (stats.avg_hours_to_fix, stats.satisfaction, stats.rated_this_week) == (15.2, 0.7, 5)
    assert {c.code: c.name for c in stats.by_category}["other"] == "其他"
    assert api.get("/api/public/stats").json() == stats.model_dump()


def _card(page: str, card: str) -> str:
    match = re.search(rf'id="card-{card}">[^<]*<b[^>]*>([^<]*)</b>', page)
    assert match, card
    return match.group(1).strip()


def test_grid_workers_cards_cover_their_grids_like_their_queue(seeded, login) -> None:  # type: ignore[no-untyped-def]
    worker = login("wang", "grid_worker", ["G1"]).api.get("/staff/").text
    assert "我的网格：第一网格" in worker
    assert (_card(worker, "open"), _card(worker, "overdue")) == ("3", "2")
    assert _card(worker, "reports") == "4"
    assert _card(worker, "confirmed") == "25%"
    assert _card(worker, "closed") == "2"
    assert _card(worker, "satisfaction") in ("62%", "63%")
    assert _card(worker, "hours") == "16.5 小时"
    assert "共 3 件" in worker  # the open queue beside the cards
    staff = login("li", "staff").api.get("/staff/").text
    assert (_card(staff, "open"), _card(staff, "reports"), _card(staff, "confirmed")) == \
        ("6", "6", "33%")  # fmt: skip
    assert "我的网格" not in staff and "共 6 件" in staff
    assert "另有紧急求助 1、转人工 1、办事 1" in staff
