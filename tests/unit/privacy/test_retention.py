"""Retention: the sweep purges personal data of cases closed more than N days ago."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cases.clock import ManualClock
from cases.db import session_scope
from cases.lifecycle import change_status
from cases.models import Case, CaseEvent, OutboxMessage
from cases.privacy import PURGED
from cases.statuses import Status
from tests.unit.privacy.conftest import AUTH, report

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _resolve(hub: FastAPI, clock: ManualClock, case_no: str) -> None:
    with session_scope(hub.state.cases.sessions) as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        change_status(session=session, case=case, new_status=Status.RESOLVED, now=clock.now(),
                      actor="boss")  # fmt: skip


def _closed_case(api: TestClient, hub: FastAPI, clock: ManualClock, **fields: object) -> str:
    no = report(api, **fields)["case_no"]
    photo = api.post(f"/api/cases/{no}/attachments", headers=AUTH,
                     data={"kind": "photo", "sender_id": fields.get("sender_id", "tg:4242")},
                     files={"file": ("x.png", PNG, "image/png")})  # fmt: skip
    assert photo.status_code == 201, photo.text
    _resolve(hub, clock, no)
    confirm = api.post(f"/api/cases/{no}/confirm", headers=AUTH, json={
        "sender_id": fields.get("sender_id", "tg:4242"), "rating": "resolved",
        "comment": "修好了，有事打13812345678"})  # fmt: skip
    assert confirm.status_code == 200, confirm.text
    return no


def test_sweep_purges_only_cases_closed_longer_than_the_retention(
    api: TestClient, hub: FastAPI, clock: ManualClock
) -> None:
    hub.state.cases.settings.retention_days = 30
    old = _closed_case(api, hub, clock)
    clock.advance(days=20)
    recent = _closed_case(api, hub, clock, sender_id="tg:777", contact_phone="13900001111")
    still_open = report(api, sender_id="tg:888", contact_phone="13700002222")["case_no"]
    attachments = hub.state.settings.data_dir / "attachments"
    assert (attachments / old).is_dir()

    clock.advance(days=11)  # old: closed 31 days ago; recent: 11 days
    stats_before = api.get("/api/public/stats").json()
    swept = api.post("/api/cases-admin/purge", headers=AUTH).json()
    assert swept["purged"] == [old]
    assert api.post("/api/cases-admin/purge", headers=AUTH).json()["purged"] == []  # idempotent

    with session_scope(hub.state.cases.sessions) as session:
        case = session.scalar(select(Case).where(Case.case_no == old))
        assert case.contact_phone is None and case.phone_tail is None and case.sender_id is None
        assert case.description == PURGED and case.room is None and case.unit is None
        # the anonymous statistics stay
        assert (case.category, case.building, case.status, case.rating) == (
            "corridor_light", "5", "closed", "resolved",
        )  # fmt: skip
        events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)))
        assert not any("13812345678" in e.text for e in events)
        assert any(e.kind == "rating" and e.text == "居民评价：解决了" for e in events)
        audit = [e for e in events if e.kind == "privacy"]
        assert len(audit) == 1 and audit[0].internal and audit[0].actor == "system"
        assert "30天" in audit[0].text
        assert (
            session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).all()
            == []
        )
        for no, phone in ((recent, "13900001111"), (still_open, "13700002222")):
            kept = session.scalar(select(Case).where(Case.case_no == no))
            assert kept.contact_phone == phone and kept.description != PURGED
    assert not (attachments / old).exists()
    assert (attachments / recent).is_dir()
    assert api.get("/api/cases", params={"sender_id": "tg:4242"}, headers=AUTH).json() == []
    assert api.get("/api/public/stats").json() == stats_before


def test_periodic_sweep_step_purges_too(api: TestClient, hub: FastAPI, clock: ManualClock) -> None:
    from cases.api import sweep_once

    no = _closed_case(api, hub, clock)
    clock.advance(days=179)
    sweep_once(hub.state.cases)
    assert api.get(f"/api/cases/{no}", headers=AUTH).json()["description"] != PURGED
    clock.advance(days=2)  # default retention: 180 days
    sweep_once(hub.state.cases)
    assert api.get(f"/api/cases/{no}", headers=AUTH).json()["description"] == PURGED


def test_zero_retention_keeps_data(api: TestClient, hub: FastAPI, clock: ManualClock) -> None:
    hub.state.cases.settings.retention_days = 0
    no = _closed_case(api, hub, clock)
    clock.advance(days=3650)
    assert api.post("/api/cases-admin/purge", headers=AUTH).json()["purged"] == []
    assert api.get(f"/api/cases/{no}", headers=AUTH).json()["description"] != PURGED
