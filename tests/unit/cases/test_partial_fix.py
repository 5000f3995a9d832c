"""部分解决 keeps the case open with a follow-up task and a new deadline; 没解决 reopens and
escalates (issue 14, item 3)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from cases import lifecycle
from cases.crud import get_case
from cases.events import case_events
from cases.statuses import Status

AUTH = {"Authorization": "Bearer test-service-token"}


def _create(api: TestClient) -> dict:
    body = {
        "type": "report", "category": "leak", "location": {"building": "3"},
        "description": "卫生间天花板漏水，墙角也在渗", "sender_id": "tg:5",
        "contact_phone": "13800001234",
    }  # fmt: skip
    response = api.post("/api/cases", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def _set(db, clock, case_no: str, status: Status) -> None:
    with db() as session:
        case = get_case(session=session, case_no=case_no)
        lifecycle.change_status(session=session, case=case, new_status=status, now=clock.now(),
                                actor="tester", note="换了一截水管")  # fmt: skip


def _confirm(api: TestClient, case_no: str, rating: str, comment: str | None = None):
    body = {"sender_id": "tg:5", "rating": rating, "comment": comment}
    return api.post(f"/api/cases/{case_no}/confirm", json=body, headers=AUTH)


def test_partly_fixed_stays_open_with_a_follow_up_and_a_new_deadline(api, db, clock) -> None:
    case = _create(api)
    no, worker = case["case_no"], case["assignee"]
    _set(db, clock, no, Status.RESOLVED)
    clock.advance(hours=30)
    response = _confirm(api, no, "partial", comment="天花板好了，墙角还在渗")
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["case"]["status"] == "in_progress" and after["case"]["status_label"] == "处理中"
    assert after["case"]["assignee"] == worker
    due = datetime.fromisoformat(after["case"]["due_at"].replace("Z", "+00:00"))
    assert due == clock.now() + timedelta(hours=48)  # leak: its normal deadline, from now
    # the resident is told when, in China time (clock: 2026-11-22 16:00 CST → due 11-24 16:00)
    assert "继续处理" in after["message"] and "11月24日16点" in after["message"]
    assert "关闭" not in after["message"]
    pushed = api.get("/api/outbox", params={"channel": "telegram"}, headers=AUTH).json()
    assert not any("正在处理" in m["text"] or "重新打开" in m["text"] for m in pushed), pushed
    with db() as session:
        stored = get_case(session=session, case_no=no)
        assert stored.closed_at is None and stored.resolved_at is None
        assert stored.rating == "partial" and stored.overdue_escalations == 0
        events = case_events(session, stored, include_internal=True)
        task = [e.text for e in events if e.internal and "跟进任务" in e.text]
        assert task and "墙角还在渗" in task[0] and "11月24日16点" in task[0]
        assert [e.to_status for e in events if e.to_status][-1] == "in_progress"
    public = [h["text"] for h in api.get(f"/api/cases/{no}/history", headers=AUTH).json()]
    assert not any("跟进任务" in h for h in public)  # the task is for staff


def test_the_follow_up_is_worked_like_any_open_case(api, db, clock, hub) -> None:
    no = _create(api)["case_no"]
    _set(db, clock, no, Status.RESOLVED)
    assert _confirm(api, no, "partial").json()["case"]["status"] == "in_progress"
    clock.advance(hours=49)  # past the new deadline: the sweep escalates it, as it is open
    swept = api.post("/api/cases-admin/sweep", headers=AUTH).json()
    assert no in swept["escalated"]
    _set(db, clock, no, Status.RESOLVED)
    done = _confirm(api, no, "resolved")
    assert done.json()["case"]["status"] == "closed"


def test_partly_fixed_on_an_auto_closed_case_reopens_it(api, db, clock, hub) -> None:
    no = _create(api)["case_no"]
    _set(db, clock, no, Status.RESOLVED)
    clock.advance(days=hub.state.cases.settings.auto_close_days + 1)
    api.post("/api/cases-admin/sweep", headers=AUTH)
    assert api.get(f"/api/cases/{no}", headers=AUTH).json()["status"] == "closed"
    after = _confirm(api, no, "partial").json()
    assert after["case"]["status"] == "in_progress"
    history = [h["text"] for h in api.get(f"/api/cases/{no}/history", headers=AUTH).json()]
    assert any("已重新打开" in h for h in history)


def test_not_fixed_reopens_and_escalates(api, db, clock) -> None:
    no = _create(api)["case_no"]
    _set(db, clock, no, Status.RESOLVED)
    after = _confirm(api, no, "unresolved").json()
    assert after["case"]["status"] == "dispatched"
    with db() as session:
        stored = get_case(session=session, case_no=no)
        assert stored.escalation_level == 1 and stored.reopen_count == 1
