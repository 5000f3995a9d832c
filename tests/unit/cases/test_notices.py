"""Community notices to a scope (issue 16): the channels' feed, the public list by building,
who may send where from the console, the end time, and the migration that adds the scope."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.unit.cases.test_no_internal_words import internal_words, visible_text

AUTH = {"Authorization": "Bearer test-service-token"}
SEEDED = 3
"""The demo community's notices (all community-wide)."""
_names = itertools.count(1)


def _publish(staff, **fields: object) -> httpx.Response:  # noqa: ANN001
    data = {"title": "通知", "body": "", "scope_kind": "community", **fields}
    return staff.post("/staff/notices", **data)


def _feed(api: TestClient, **params: object) -> list[dict]:
    response = api.get("/api/notices/feed", params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def _titles(items: list[dict]) -> list[str]:
    return [n["title"] for n in items]


def test_feed_needs_the_service_token(api: TestClient) -> None:
    assert api.get("/api/notices/feed").status_code == 401
    bad = {"Authorization": "Bearer wrong"}
    assert api.get("/api/notices/feed", headers=bad).status_code == 401


def test_feed_carries_the_scope_oldest_first_after_an_id(api: TestClient, login, clock) -> None:
    admin = login("boss", "admin")
    assert _publish(admin, title="全社区消防演练").status_code == 303
    clock.advance(minutes=5)
    r = _publish(admin, title="第一网格停电", scope_kind="grids", grids=["G1"])
    assert "已发布给第一网格" in admin.api.get(r.headers["location"]).text
    _publish(admin, title="5号楼6号楼停水", scope_kind="buildings", buildings=["6", "5"])

    items = _feed(api)
    assert [n["id"] for n in items] == sorted(n["id"] for n in items)  # oldest first
    assert len(items) == SEEDED + 3
    mine = {n["title"]: n for n in items[SEEDED:]}
    assert mine["全社区消防演练"]["scope_kind"] == "community"
    assert mine["全社区消防演练"]["scope_values"] == []
    assert mine["第一网格停电"]["scope_kind"] == "grids"
    assert mine["第一网格停电"]["scope_values"] == ["G1"]
    assert mine["5号楼6号楼停水"]["scope_kind"] == "buildings"
    assert mine["5号楼6号楼停水"]["scope_values"] == ["5", "6"]
    first = mine["全社区消防演练"]
    assert set(first) == {
        "id", "title", "body", "scope_kind", "scope_values", "published_at", "expires_at"
    }  # fmt: skip
    assert first["published_at"] == "2026-11-21T10:00:00+08:00"  # local time
    assert first["expires_at"] is None

    after = _feed(api, after=first["id"])
    assert _titles(after) == ["第一网格停电", "5号楼6号楼停水"]
    assert _titles(_feed(api, after=first["id"], limit=1)) == ["第一网格停电"]
    assert _feed(api, after=after[-1]["id"]) == []


def test_expired_and_withdrawn_notices_leave_the_feed_and_the_wall(
    api: TestClient, login, clock
) -> None:
    admin = login("boss", "admin")
    r = _publish(admin, title="今晚议事会", body="19:00 社区活动室", expires_at="2026-11-21T20:00")
    assert r.status_code == 303
    _publish(admin, title="长期提示")
    items = {n["title"]: n for n in _feed(api)}
    assert items["今晚议事会"]["expires_at"] == "2026-11-21T20:00:00+08:00"
    wall = api.get("/api/public/notices").json()
    assert "今晚议事会" in _titles(wall)
    assert (
        next(n for n in wall if n["title"] == "今晚议事会")["expires_at"]
        == "2026-11-21T20:00+08:00"
    )

    clock.advance(hours=10, minutes=1)  # 20:01 local: the meeting notice has ended
    assert "今晚议事会" not in _titles(_feed(api))
    assert "今晚议事会" not in _titles(api.get("/api/public/notices").json())
    assert "今晚议事会" not in _titles(api.get("/api/public/notices?building=5").json())
    page = admin.api.get("/staff/notices").text
    assert "今晚议事会" in page and "已结束" in page

    kept = items["长期提示"]["id"]
    assert admin.post(f"/staff/notices/{kept}/hide").status_code == 303
    assert "长期提示" not in _titles(_feed(api))


def test_public_notices_by_building(api: TestClient, login) -> None:
    admin = login("boss", "admin")
    _publish(admin, title="G1通知", scope_kind="grids", grids=["G1"])  # buildings 1–5
    _publish(admin, title="G3通知", scope_kind="grids", grids=["G3"])  # buildings 11–15
    _publish(admin, title="5号楼通知", scope_kind="buildings", buildings=["5"])
    _publish(admin, title="12号楼通知", scope_kind="buildings", buildings=["12", "13"])
    _publish(admin, title="全体通知")

    everything = _titles(api.get("/api/public/notices", params={"limit": 50}).json())
    assert {"G1通知", "G3通知", "5号楼通知", "12号楼通知", "全体通知"} <= set(everything)

    five = api.get("/api/public/notices", params={"building": "5", "limit": 50}).json()
    assert set(_titles(five)) - {"G1通知", "5号楼通知", "全体通知"} == {
        "停水通知",
        "高龄津贴集中办理",
        "电动车安全提示",
    }  # fmt: skip (the seeded community-wide ones)
    assert "G3通知" not in _titles(five) and "12号楼通知" not in _titles(five)
    assert _titles(five)[0] == "全体通知"  # newest first
    labels = {n["title"]: n["scope_label"] for n in five}
    assert labels["G1通知"] == "第一网格" and labels["5号楼通知"] == "5号楼"

    twelve = _titles(api.get("/api/public/notices", params={"building": "12号楼"}).json())
    assert "G3通知" in twelve and "12号楼通知" in twelve and "5号楼通知" not in twelve
    unknown = _titles(api.get("/api/public/notices", params={"building": "99"}).json())
    assert "全体通知" in unknown and not {"G1通知", "G3通知", "5号楼通知"} & set(unknown)
    limited = api.get("/api/public/notices", params={"building": "5", "limit": 2}).json()
    assert len(limited) == 2


def test_grid_worker_sends_only_inside_their_grids(api: TestClient, login) -> None:
    worker = login("li", "grid_worker", ["G1"])  # buildings 1–5
    page = worker.api.get("/staff/notices")
    assert page.status_code == 200
    assert 'value="G1"' in page.text and 'value="G2"' not in page.text
    assert 'name="buildings" value="5"' in page.text
    assert 'name="buildings" value="6"' not in page.text
    assert 'value="community"' not in page.text  # the whole community is not theirs

    assert _publish(worker, title="G1停电", scope_kind="grids", grids=["G1"]).status_code == 303
    assert (
        _publish(worker, title="3号楼", scope_kind="buildings", buildings=["3"]).status_code == 303
    )
    refused = [
        _publish(worker, title="全体", scope_kind="community"),
        _publish(worker, title="G2", scope_kind="grids", grids=["G1", "G2"]),
        _publish(worker, title="6号楼", scope_kind="buildings", buildings=["5", "6"]),
    ]
    for r in refused:
        assert r.status_code == 403, r.text
        assert "只能给自己负责的网格" in r.text
    titles = _titles(_feed(api))
    assert "G1停电" in titles and "3号楼" in titles
    assert not {"全体", "G2", "6号楼"} & set(titles)

    # withdrawing: their own, not the community's or another grid's
    seeded = _feed(api)[0]["id"]
    assert worker.post(f"/staff/notices/{seeded}/hide").status_code == 403
    other = login("wang", "grid_worker", ["G2"])
    _publish(other, title="G2停水", scope_kind="grids", grids=["G2"])
    g2 = next(n["id"] for n in _feed(api) if n["title"] == "G2停水")
    assert worker.post(f"/staff/notices/{g2}/hide").status_code == 403
    mine = next(n["id"] for n in _feed(api) if n["title"] == "G1停电")
    assert worker.post(f"/staff/notices/{mine}/hide").status_code == 303
    assert worker.post("/staff/notices/99999/hide").status_code == 404
    assert "G1停电" not in _titles(_feed(api)) and "G2停水" in _titles(_feed(api))


def test_console_form_scope_time_and_refusals(api: TestClient, login, db) -> None:
    from cases.models import Notice

    admin = login("boss", "admin")
    page = admin.api.get("/staff/notices").text
    for shown in ("发给谁", "全社区", "第一网格", "第四网格", "20号楼", "结束时间"):
        assert shown in page
    assert 'type="datetime-local" name="expires_at"' in page

    r = _publish(
        admin,
        title="5、6号楼停水",
        scope_kind="buildings",
        buildings=["5", "6"],
        grids=["G4"],
        expires_at="2026-11-22T18:00",
    )  # fmt: skip (ticked grids are ignored when buildings are chosen)
    assert r.status_code == 303
    done = admin.api.get(r.headers["location"]).text
    assert "已发布给5号楼、6号楼，11-22 18:00结束" in done
    with db() as session:
        row = session.scalar(sa.select(Notice).where(Notice.title == "5、6号楼停水"))
        assert row.scope_kind == "buildings" and row.scope_values == ["5", "6"]
        assert row.expires_at == datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # stored UTC
    assert "11-22 18:00" in done and "5号楼、6号楼" in done

    for fields, words in (
        ({"scope_kind": "grids"}, "请至少选择一个网格"),
        ({"scope_kind": "buildings"}, "请至少选择一个楼栋"),
        ({"scope_kind": "buildings", "buildings": ["88"]}, "没有这个楼栋：88"),
        ({"expires_at": "2026-11-21T09:00"}, "结束时间已经过去了"),
        ({"expires_at": "明天"}, "结束时间的格式不对"),
        ({"title": "  "}, "请填写公告标题"),
    ):
        r = _publish(admin, **{"title": "通知", **fields})
        assert r.status_code == 303, (fields, r.text)
        shown = admin.api.get(r.headers["location"]).text
        assert "未能发布" in shown and words in shown, (fields, words)
    assert len(_feed(api)) == SEEDED + 1

    stale = admin.api.post("/staff/notices", data={"csrf_token": "x", "title": "t"})
    assert stale.status_code == 403 and "页面已过期" in stale.text
    shown = visible_text(admin.api.get("/staff/notices").text).replace("boss", "")  # login name
    assert not internal_words(shown), internal_words(shown)


def test_case_client_reads_the_feed(hub: FastAPI, api: TestClient, login) -> None:
    import asyncio

    from cases.client import CaseClient
    from core.contracts import NoticeFeedItem

    admin = login("boss", "admin")
    _publish(admin, title="G2议事会", body="周六9点", scope_kind="grids", grids=["G2", "G1"])

    async def read() -> tuple[list[NoticeFeedItem], list[NoticeFeedItem]]:
        client = CaseClient(
            "http://hub", "test-service-token", transport=httpx.ASGITransport(app=hub)
        )
        try:
            return await client.notices_feed(), await client.notices_feed(after=SEEDED, limit=5)
        finally:
            await client.aclose()

    everything, newer = asyncio.run(read())
    assert len(everything) == SEEDED + 1 and all(isinstance(n, NoticeFeedItem) for n in newer)
    item = newer[0]
    assert (item.title, item.body, item.scope_kind, item.scope_values) == (
        "G2议事会", "周六9点", "grids", ["G1", "G2"]
    )  # fmt: skip
    assert item.published_at.utcoffset().total_seconds() == 8 * 3600
    assert item.expires_at is None


# --- the migration ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: SQLite in tmp_path, or a new database on the run's PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server = request.getfixturevalue("pg_server")
    name = f"linli_notice_mig_{next(_names)}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


def test_migration_makes_old_notices_community_wide(empty_db_url: str) -> None:
    from alembic import command

    from cases.db import make_engine
    from cases.migrate import alembic_config, upgrade_to_head

    engine = make_engine(empty_db_url)
    command.upgrade(alembic_config(engine), "0003")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO notices (title, body, published_at, active) VALUES (:t, :b, :p, :a)"
            ),
            {"t": "旧公告", "b": "正文", "p": datetime(2026, 11, 1, 2, 0), "a": True},
        )
    upgrade_to_head(engine)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT title, scope_kind, scope_values, expires_at FROM notices")
        ).one()
    assert row.title == "旧公告" and row.scope_kind == "community" and row.expires_at is None
    values = row.scope_values  # SQLite hands back the JSON text
    assert (values if isinstance(values, list) else json.loads(values)) == []

    from cases.db import make_session_factory
    from cases.models import Notice

    with make_session_factory(engine)() as session:
        notice = session.scalar(sa.select(Notice))
        assert notice.scope_values == [] and notice.scope_kind == "community"
        session.add(
            Notice(
                title="新公告", published_at=datetime(2026, 11, 2, tzinfo=UTC),
                scope_kind="buildings", scope_values=["5"],
            )
        )  # fmt: skip
        session.commit()

    command.downgrade(alembic_config(engine), "0003")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("notices")}
        assert "scope_kind" not in columns and "expires_at" not in columns
        assert conn.execute(sa.text("SELECT count(*) FROM notices")).scalar() == 2
    upgrade_to_head(engine)
    engine.dispose()
