"""Lifecycle with a controllable clock: statuses, confirmation, reopen, escalation, auto-close."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from cases import lifecycle
from cases.crud import get_case
from cases.statuses import Status

AUTH = {"Authorization": "Bearer test-service-token"}


def _create(api: TestClient, **fields) -> dict:
    body = {
        "type": "report",
        "category": "leak",
        "location": {"building": "3"},
        "description": "卫生间天花板漏水",
        "sender_id": "tg:5",
        "contact_phone": "13800001234",
    }
    body.update(fields)
    response = api.post("/api/cases", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def _set(db, clock, case_no: str, status: Status, note: str | None = None) -> None:
    with db() as session:
        case = get_case(session=session, case_no=case_no)
        lifecycle.change_status(session=session, case=case, new_status=status, now=clock.now(),
                                actor="tester", note=note)  # fmt: skip


def _history(api: TestClient, case_no: str) -> list[str]:
    return [h["text"] for h in api.get(f"/api/cases/{case_no}/history", headers=AUTH).json()]


def _outbox(api: TestClient, channel: str = "telegram") -> list[dict]:
    return api.get("/api/outbox", params={"channel": channel}, headers=AUTH).json()


def _confirm(api: TestClient, case_no: str, rating: str, sender: str = "tg:5"):
    return api.post(f"/api/cases/{case_no}/confirm", json={"sender_id": sender, "rating": rating},
                    headers=AUTH)  # fmt: skip


def test_full_lifecycle_resolved_and_confirmed(api: TestClient, db, clock) -> None:
    case = _create(api)
    no = case["case_no"]
    assert _outbox(api) == []  # creation is answered synchronously, not pushed
    clock.advance(hours=2)
    _set(db, clock, no, Status.IN_PROGRESS)
    clock.advance(hours=3)
    _set(db, clock, no, Status.RESOLVED, note="已更换破损水管")
    messages = _outbox(api)
    assert [m["recipient"] for m in messages] == ["5", "5"]
    assert all(m["case_no"] == no for m in messages)
    assert "正在处理" in messages[0]["text"]
    assert "已更换破损水管" in messages[1]["text"] and "解决了" in messages[1]["text"]
    # what was done comes with 处理好了, then the question (not after the question)
    assert "已经处理好了（已更换破损水管）。请回复“解决了”" in messages[1]["text"], messages[1]

    response = _confirm(api, no, "resolved")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["case"]["status"] == "closed" and body["case"]["status_label"] == "已关闭"
    assert "谢谢" in body["message"]
    assert len(_outbox(api)) == 2  # no push repeats the answer to the resident's 解决了
    history = _history(api, no)
    assert history[0].startswith("您的报事已受理")
    assert any("已派单" in h for h in history)
    assert any("处理中" in h for h in history)
    assert any("已办结" in h and "已更换破损水管" in h for h in history)
    assert "居民评价：解决了" in history
    assert any("已关闭" in h for h in history)
    # a second confirmation is refused kindly
    again = _confirm(api, no, "resolved")
    assert again.status_code == 409 and "评价过" in again.json()["detail"]


def test_unresolved_reopens_to_same_worker_and_escalates(api: TestClient, db, clock) -> None:
    case = _create(api)
    no = case["case_no"]
    worker = case["assignee"]
    _set(db, clock, no, Status.RESOLVED)
    clock.advance(hours=1)
    response = _confirm(api, no, "unresolved")
    assert response.status_code == 200
    reopened = response.json()["case"]
    assert reopened["status"] == "dispatched"
    assert reopened["assignee"] == worker
    # new deadline: the category's urgent SLA (leak: 12 h) from now
    due = datetime.fromisoformat(reopened["due_at"].replace("Z", "+00:00"))
    assert due == clock.now() + timedelta(hours=12)
    with db() as session:
        stored = get_case(session=session, case_no=no)
        assert stored.escalation_level == 1 and stored.reopen_count == 1
    history = _history(api, no)
    assert any("已重新打开" in h for h in history)
    assert any("社区督办" in h for h in history)
    # the resident who said 没解决 is answered at once ("已重新打开…升级督办"); no push repeats
    # it (reopened, escalated, dispatched were three more messages on Telegram)
    assert "升级督办" in response.json()["message"]
    pushed = [m["text"] for m in _outbox(api)]
    assert not any("督办" in t or "重新打开" in t or "派给" in t for t in pushed), pushed

    for expected_level in (2, 2):  # 街道 is the top level
        _set(db, clock, no, Status.RESOLVED)
        assert _confirm(api, no, "unresolved").status_code == 200
        with db() as session:
            assert get_case(session=session, case_no=no).escalation_level == expected_level


def test_confirmation_rules(api: TestClient, db, clock) -> None:
    case = _create(api)
    no = case["case_no"]
    early = _confirm(api, no, "resolved")
    assert early.status_code == 409 and "办结后" in early.json()["detail"]
    _set(db, clock, no, Status.RESOLVED)
    stranger = _confirm(api, no, "resolved", sender="tg:999")
    assert stranger.status_code == 403
    partial = _confirm(api, no, "partial")
    assert partial.status_code == 200
    assert (
        partial.json()["case"]["status"] == "in_progress"
    )  # kept open: tests/…/test_partial_fix.py
    # the follow-up task is internal: residents never see it
    assert not any("回访" in h for h in _history(api, no))
    with db() as session:
        stored = get_case(session=session, case_no=no)
        assert stored.rating == "partial"
    bad = api.post(f"/api/cases/{no}/confirm", json={"sender_id": "tg:5", "rating": "meh"},
                   headers=AUTH)  # fmt: skip
    assert bad.status_code == 422


def test_closed_case_can_still_be_reported_unresolved(api: TestClient, db, clock) -> None:
    no = _create(api)["case_no"]
    _set(db, clock, no, Status.RESOLVED)
    assert _confirm(api, no, "resolved").json()["case"]["status"] == "closed"
    clock.advance(days=1)
    reopened = _confirm(api, no, "unresolved")
    assert reopened.status_code == 200
    assert reopened.json()["case"]["status"] == "dispatched"


def test_overdue_cases_escalate_step_by_step(api: TestClient, db, clock, hub) -> None:
    settings = hub.state.cases.settings
    settings.escalation_step_hours = 24
    case = _create(api)  # leak, normal: 48 h
    no = case["case_no"]

    def sweep() -> dict:
        response = api.post("/api/cases-admin/sweep", headers=AUTH)
        assert response.status_code == 200
        return response.json()

    def level() -> int:
        with db() as session:
            return get_case(session=session, case_no=no).escalation_level

    clock.advance(hours=47)
    assert sweep() == {"escalated": [], "closed": []}
    assert api.get("/api/public/stats").json()["overdue"] == 0
    clock.advance(hours=2)
    assert sweep()["escalated"] == [no]
    assert level() == 1
    assert api.get("/api/public/stats").json()["overdue"] == 1
    assert sweep()["escalated"] == []  # once per step
    clock.advance(hours=24)
    assert sweep()["escalated"] == [no]
    assert level() == 2
    clock.advance(hours=100)
    assert sweep()["escalated"] == []
    assert level() == 2
    texts = [m["text"] for m in _outbox(api)]
    assert any("超过办理时限" in t and "社区督办" in t for t in texts)
    assert any("街道督办" in t for t in texts)
    # a resolved case is no longer overdue
    _set(db, clock, no, Status.RESOLVED)
    assert api.get("/api/public/stats").json()["overdue"] == 0


def test_urgent_deadline_is_shorter(api: TestClient) -> None:
    normal = _create(api, category="elevator", idempotency_key="a")
    urgent = _create(api, category="elevator", urgency="urgent", location={"building": "4"})
    created = datetime.fromisoformat(normal["created_at"].replace("Z", "+00:00"))
    # created Saturday 10:00 local: 24 hours end on Sunday, so the deadline is Monday 8:30
    assert datetime.fromisoformat(normal["due_at"].replace("Z", "+00:00")) - created == \
        timedelta(hours=46, minutes=30)  # fmt: skip
    assert datetime.fromisoformat(urgent["due_at"].replace("Z", "+00:00")) - created == \
        timedelta(hours=4)  # fmt: skip


def test_emergency_starts_escalated_with_one_hour(api: TestClient, db) -> None:
    case = _create(api, type="emergency", category=None, description="煤气味很重",
                   location={"building": "6"})  # fmt: skip
    created = datetime.fromisoformat(case["created_at"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(case["due_at"].replace("Z", "+00:00")) - created == \
        timedelta(hours=1)  # fmt: skip
    assert case["urgency"] == "emergency"
    assert case["assignee"] == "第二网格网格员 李强"
    with db() as session:
        assert get_case(session=session, case_no=case["case_no"]).escalation_level == 1


def test_silent_resolved_cases_close_after_n_days(api: TestClient, db, clock, hub) -> None:
    hub.state.cases.settings.auto_close_days = 3
    no = _create(api)["case_no"]
    _set(db, clock, no, Status.RESOLVED)
    clock.advance(days=2, hours=23)
    assert api.post("/api/cases-admin/sweep", headers=AUTH).json()["closed"] == []
    clock.advance(hours=2)
    assert api.post("/api/cases-admin/sweep", headers=AUTH).json()["closed"] == [no]
    case = api.get(f"/api/cases/{no}", headers=AUTH).json()
    assert case["status"] == "closed"
    assert any("3天内未收到评价" in h for h in _history(api, no))
    # the resident can still say it was fixed (rating recorded, no status change)
    late = _confirm(api, no, "resolved")
    assert late.status_code == 200 and late.json()["case"]["status"] == "closed"


def test_invalid_transitions_are_refused(api: TestClient, db, clock) -> None:
    no = _create(api)["case_no"]
    _set(db, clock, no, Status.CLOSED)
    with pytest.raises(lifecycle.TransitionError, match="不能从"):
        _set(db, clock, no, Status.IN_PROGRESS)
    with pytest.raises(lifecycle.TransitionError, match="已经是"):
        _set(db, clock, no, Status.CLOSED)


def test_recategorise_and_reroute_with_reason(api: TestClient, db, clock) -> None:
    no = _create(api, category="leak", location={"building": "17"})["case_no"]
    with db() as session:
        case = get_case(session=session, case_no=no)
        with pytest.raises(lifecycle.InvalidInput, match="原因"):
            lifecycle.recategorise(session=session, case=case, category="garbage", reason=" ",
                                   now=clock.now(), actor="admin",
                                   settings=api.app.state.cases.settings)  # fmt: skip
    with db() as session:
        case = get_case(session=session, case_no=no)
        lifecycle.recategorise(session=session, case=case, category="garbage",
                               reason="现场看是垃圾堆积导致的积水", now=clock.now(), actor="admin",
                               settings=api.app.state.cases.settings)  # fmt: skip
    case = api.get(f"/api/cases/{no}", headers=AUTH).json()
    assert case["category"] == "garbage"
    assert case["assignee"] == "环卫所 吴师傅"
    history = _history(api, no)
    assert any("改为“垃圾清运”" in h and "垃圾堆积" in h for h in history)
    assert any("改派给环卫所" in h for h in history)


def test_outbox_channels_after_and_ack(api: TestClient, db, clock) -> None:
    senders = {"tg:11": "telegram", "kiosk:s-9": "kiosk", "web:w1": "web", "other": None}
    numbers = {}
    for i, sender in enumerate(senders):
        numbers[sender] = _create(api, sender_id=sender, location={"building": str(i + 1)},
                                  category="garbage")["case_no"]  # fmt: skip
        _set(db, clock, numbers[sender], Status.IN_PROGRESS)
    for sender, channel in senders.items():
        if channel is None:
            continue
        items = _outbox(api, channel)
        assert [(m["case_no"], m["recipient"]) for m in items] == \
            [(numbers[sender], sender.split(":", 1)[1])]  # fmt: skip
    tg = _outbox(api, "telegram")
    first_id = tg[0]["id"]
    after = api.get("/api/outbox", params={"channel": "telegram", "after": first_id},
                    headers=AUTH)  # fmt: skip
    assert after.json() == []
    ack = api.post("/api/outbox/ack", json={"ids": [first_id], "channel": "telegram"},
                   headers=AUTH)  # fmt: skip
    assert ack.json() == {"acked": 1}
    assert _outbox(api, "telegram") == []
    again = api.post("/api/outbox/ack", json={"ids": [first_id]}, headers=AUTH)
    assert again.json() == {"acked": 0}
    assert api.get("/api/outbox", params={"channel": "sms"}, headers=AUTH).status_code == 422
    assert api.get("/api/outbox", params={"channel": "telegram"}).status_code == 401


def test_background_sweeper_escalates_on_its_own(sqlite_hub, clock) -> None:
    import time

    sqlite_hub.state.cases.settings.sweep_interval_s = 0.05
    with TestClient(sqlite_hub) as client:
        no = _create(client, category="garbage")["case_no"]  # 24 h, from Sat 10:00 to Mon 8:30
        clock.advance(hours=47)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            history = _history(client, no)
            if any("超过办理时限" in h for h in history):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the sweeper never escalated the overdue case")
    assert sqlite_hub.state.cases.sweeper is None  # stopped on shutdown


@pytest.mark.parametrize(
    ("comment", "recorded"),
    [
        ("解决了", "居民评价：解决了"),
        ("解决了。", "居民评价：解决了"),
        ("灯亮了，谢谢", "居民评价：解决了（灯亮了，谢谢）"),
    ],
)
def test_a_rating_said_in_its_own_words_is_recorded_once(
    api: TestClient, db, clock, comment: str, recorded: str
) -> None:
    no = _create(api)["case_no"]
    _set(db, clock, no, Status.RESOLVED)
    body = {"sender_id": "tg:5", "rating": "resolved", "comment": comment}
    assert api.post(f"/api/cases/{no}/confirm", json=body, headers=AUTH).status_code == 200
    assert recorded in _history(api, no)
    assert "居民评价：解决了（解决了）" not in _history(api, no)


def test_a_half_hour_is_said_as_people_say_it() -> None:
    from datetime import UTC, datetime

    assert lifecycle._local_when(datetime(2026, 12, 8, 0, 30, tzinfo=UTC)) == "12月8日8点半"
    assert lifecycle._local_when(datetime(2026, 12, 8, 7, 0, tzinfo=UTC)) == "12月8日15点"
