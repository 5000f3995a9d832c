"""Routing table: category + building → grid, department, worker (pure rules and seeded data)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cases.routing import RoutingTable, WorkerRef, normalize_building, route
from core.contracts import CaseType

AUTH = {"Authorization": "Bearer test-service-token"}

TABLE = RoutingTable(
    building_grid={"1": "G1", "2": "G1", "7": "G2"},
    rules={
        "leak": ("物业", "department"),
        "garbage": ("环卫", "department"),
        "noise": ("民政", "grid"),
        "streetlight": ("市政", "department"),
    },
    workers=(
        WorkerRef(1, "网格员甲", 0, "G1", None),
        WorkerRef(2, "网格员乙", 0, "G2", None),
        WorkerRef(3, "物业一组", 0, "G1", "物业"),
        WorkerRef(4, "环卫所", 0, None, "环卫"),
        WorkerRef(5, "社区值班", 1, None, "社区"),
        WorkerRef(6, "街道督办", 2, None, "社区"),
    ),
)


@pytest.mark.parametrize(
    ("case_type", "category", "building", "grid", "department", "worker"),
    [
        (CaseType.REPORT, "leak", "1", "G1", "物业", 1 + 2),  # grid's own 物业 handler
        (CaseType.REPORT, "leak", "7号楼", "G2", "物业", 2),  # no 物业 handler for G2 → grid worker
        (CaseType.REPORT, "garbage", "7", "G2", "环卫", 4),  # department-wide handler
        (CaseType.REPORT, "noise", "2栋", "G1", "民政", 1),  # grid-handled category
        (CaseType.REPORT, "noise", None, None, "民政", 5),  # no building → community desk
        (CaseType.REPORT, "leak", "99", None, "物业", 5),  # unknown building → community desk
        (CaseType.REPORT, "elevator", "1", "G1", "物业", 1),  # no rule: taxonomy dept, grid worker
        (CaseType.SERVICE, None, "7", "G2", "民政", 2),
        (CaseType.CALLBACK, None, "7", "G2", "社区", 5),
        (CaseType.EMERGENCY, None, "1", "G1", "安全", 1),
    ],
)
def test_route_rules(case_type, category, building, grid, department, worker) -> None:
    decision = route(TABLE, case_type=case_type, category=category, building=building)
    assert decision.grid_code == grid
    assert decision.department == department
    assert decision.worker is not None and decision.worker.id == worker
    assert decision.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", "5"), ("5号楼", "5"), ("１２栋", "12"), ("05", "5"), ("", None), (None, None),
     ("东区A座", "东区A座")],
)  # fmt: skip
def test_normalize_building(text, expected) -> None:
    assert normalize_building(text) == expected


@pytest.mark.parametrize(
    ("body", "assignee", "grid_code"),
    [
        ({"category": "leak", "location": {"building": "3"}}, "物业维修一组 赵师傅", "G1"),
        ({"category": "leak", "location": {"building": "12"}}, "物业维修三组 孙师傅", "G3"),
        ({"category": "garbage", "location": {"building": "18"}}, "环卫所 吴师傅", "G4"),
        ({"category": "streetlight", "location": {"building": "8"}}, "街道市政所 陈工", "G2"),
        ({"category": "group_rental", "location": {"building": "9"}}, "第二网格网格员 李强", "G2"),
        ({"category": "neighbour_dispute", "location": {"building": "20"}}, "第四网格网格员 刘洋",
         "G4"),
        ({"category": "noise", "location": {"landmark": "东门"}}, "社区居委会 何主任", None),
    ],
)  # fmt: skip
def test_seeded_routing_through_api(api: TestClient, db, body, assignee, grid_code) -> None:
    from cases.crud import get_case

    case = api.post("/api/cases", json={"type": "report", **body}, headers=AUTH).json()
    assert case["assignee"] == assignee
    assert case["status"] == "dispatched"
    with db() as session:
        stored = get_case(session=session, case_no=case["case_no"])
        assert (stored.grid.code if stored.grid else None) == grid_code


def test_seed_has_the_demo_hierarchy(api: TestClient, db) -> None:
    from sqlalchemy import func, select

    from cases.models import Building, Community, Department, Grid, RoutingRule, Street
    from core.taxonomy import categories

    with db() as session:

        def count(model):
            return session.scalar(select(func.count()).select_from(model))

        assert count(Street) == 1 and count(Community) == 1
        assert count(Grid) == 4
        assert count(Building) == 20
        names = set(session.scalars(select(Department.code)))
        assert {"物业", "市政", "环卫", "民政", "安全"} <= names
        assert count(RoutingRule) == len(categories())
