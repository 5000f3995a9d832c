"""Staff console: login, roles, grid scoping, queue, actions, CSV, notices."""

from __future__ import annotations

import csv
import io

from fastapi import Request
from fastapi.testclient import TestClient

AUTH = {"Authorization": "Bearer test-service-token"}


def _report(api: TestClient, building: str, category: str = "leak", **fields) -> str:
    body = {
        "type": "report",
        "category": category,
        "location": {"building": building},
        "contact_phone": "13812345678",
        "sender_id": "tg:31",
        "description": "需要处理",
    }
    body.update(fields)
    return api.post("/api/cases", json=body, headers=AUTH).json()["case_no"]


def test_no_default_accounts_and_bad_login(api: TestClient, make_user) -> None:
    for user, password in [("admin", "admin"), ("admin", "changethis"), ("root", "root")]:
        response = api.post("/staff/login", data={"username": user, "password": password})
        assert response.status_code == 401
        assert "用户名或密码不对" in response.text
    make_user("zhang", "admin")
    wrong = api.post("/staff/login", data={"username": "zhang", "password": "wrong-password"})
    assert wrong.status_code == 401


def test_pages_require_login(api: TestClient) -> None:
    for url in ("/staff/", "/staff/cases/BS-20261121-0001", "/staff/export.csv", "/staff/notices"):
        response = api.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"] == "/staff/login"
    assert api.get("/staff/login").status_code == 200


def test_admin_queue_detail_and_actions(api: TestClient, login) -> None:
    no = _report(api, "5")
    admin = login("boss", "admin")
    queue = admin.api.get("/staff/")
    assert queue.status_code == 200
    assert no in queue.text and "未办结" in queue.text and "满意度" in queue.text
    detail = admin.api.get(f"/staff/cases/{no}")
    assert "13812345678" in detail.text  # admin calls residents back
    assert "已派单" in detail.text

    r = admin.post(f"/staff/cases/{no}/status", new_status="in_progress", note="师傅已上门")
    assert r.status_code == 303 and "msg=" in r.headers["location"]
    r = admin.post(f"/staff/cases/{no}/note", text="住户下午才在家")
    assert r.status_code == 303
    r = admin.post(f"/staff/cases/{no}/assign", worker_id="2", reason="一组休假")
    assert r.status_code == 303
    detail = admin.api.get(f"/staff/cases/{no}").text
    assert "师傅已上门" in detail and "住户下午才在家" in detail and "【内部备注】" in detail
    assert "一组休假" in detail
    # internal note never reaches the resident
    history = api.get(f"/api/cases/{no}/history", headers=AUTH).json()
    assert not any("住户下午" in h["text"] for h in history)
    assert any("师傅已上门" in h["text"] for h in history)

    r = admin.post(f"/staff/cases/{no}/recategorise", category="drain", reason="其实是下水道")
    assert r.status_code == 303
    assert api.get(f"/api/cases/{no}", headers=AUTH).json()["category"] == "drain"
    bad = admin.post(f"/staff/cases/{no}/status", new_status="accepted")
    assert "%E6%9C%AA%E8%83%BD" in bad.headers["location"]  # "未能完成" message


def test_csrf_is_enforced(api: TestClient, login) -> None:
    no = _report(api, "5")
    admin = login("boss", "admin")
    forged = admin.api.post(f"/staff/cases/{no}/note", data={"csrf_token": "x", "text": "hi"},
                            follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403
    missing = admin.api.post(f"/staff/cases/{no}/note", data={"text": "hi"})
    assert missing.status_code == 422


def test_grid_worker_sees_only_their_grid(api: TestClient, login) -> None:
    mine = _report(api, "3")  # G1
    theirs = _report(api, "13")  # G3
    nowhere = _report(api, "", category="noise", location={"landmark": "东门"})
    worker = login("wang", "grid_worker", ["G1"])
    queue = worker.api.get("/staff/", params={"status": ""}).text
    assert mine in queue and theirs not in queue and nowhere not in queue
    assert worker.api.get(f"/staff/cases/{mine}").status_code == 200
    for other in (theirs, nowhere):
        response = worker.api.get(f"/staff/cases/{other}")
        assert response.status_code == 404
        assert "13812345678" not in response.text
        post = worker.post(f"/staff/cases/{other}/status", new_status="in_progress")
        assert post.status_code == 404
        note = worker.post(f"/staff/cases/{other}/note", text="偷看")
        assert note.status_code == 404
    # can work their own case, but not re-route it
    assert worker.post(f"/staff/cases/{mine}/status", new_status="in_progress").status_code == 303
    assert worker.post(f"/staff/cases/{mine}/assign", worker_id="1").status_code == 403
    # notices: only to their own grids (tests/unit/cases/test_notices.py)
    community = worker.post("/staff/notices", title="停水", scope_kind="community")
    assert community.status_code == 403
    rows = list(csv.reader(io.StringIO(worker.api.get("/staff/export.csv").text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == [mine]
    assert rows[1][9] == "13812345678"  # grid workers call back their residents


def test_csv_masks_phones_for_plain_staff(api: TestClient, login) -> None:
    no = _report(api, "7")
    staff = login("li", "staff")
    response = staff.api.get("/staff/export.csv", params={"status": "open"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][0] == "编号" and rows[0][9] == "联系电话"
    assert rows[1][0] == no and rows[1][9] == "138****5678"
    assert "13812345678" not in response.text
    detail = staff.api.get(f"/staff/cases/{no}").text
    assert "13812345678" not in detail and "138****5678" in detail


def test_queue_filters(api: TestClient, login, clock) -> None:
    leak = _report(api, "1", "leak")
    garbage = _report(api, "16", "garbage")
    admin = login("boss", "admin")
    only_leak = admin.api.get("/staff/", params={"category": "leak"}).text
    assert leak in only_leak and garbage not in only_leak
    only_g4 = admin.api.get("/staff/", params={"grid": "G4"}).text
    assert garbage in only_g4 and leak not in only_g4
    # garbage (24 h from Sat 10:00: Mon 8:30, in working hours) is overdue, leak (48 h) not
    clock.advance(hours=47)
    assert admin.api.get("/staff/", follow_redirects=False).status_code == 303  # 12 h login
    admin = login("boss2", "admin")
    overdue = admin.api.get("/staff/", params={"overdue": "true"}).text
    assert garbage in overdue and leak not in overdue and "已超期" in overdue
    search = admin.api.get("/staff/", params={"q": leak[-4:]}).text
    assert leak in search and garbage not in search


def test_logout_ends_session(api: TestClient, login) -> None:
    admin = login("boss", "admin")
    response = admin.post("/staff/logout")
    assert response.status_code == 303
    assert admin.api.get("/staff/", follow_redirects=False).status_code == 303


def test_notices_editing_reaches_public_feed(api: TestClient, login) -> None:
    admin = login("boss", "admin")
    r = admin.post("/staff/notices", title="电梯年检", body="周五上午10号楼电梯年检停用两小时")
    assert r.status_code == 303
    feed = api.get("/api/public/notices").json()
    assert feed[0]["title"] == "电梯年检"
    page = admin.api.get("/staff/notices").text
    assert "电梯年检" in page
    r = admin.post(f"/staff/notices/{feed[0]['id']}/hide")
    assert r.status_code == 303
    assert all(n["title"] != "电梯年检" for n in api.get("/api/public/notices").json())


def test_staff_from_request_for_other_hub_parts(api: TestClient, login, hub) -> None:
    from cases.api.staff_deps import staff_from_request

    @hub.get("/probe-staff")
    def probe(request: Request) -> dict:
        staff = staff_from_request(request)
        return {"user": staff.user.username if staff else None,
                "grids": sorted(g.code for g in staff.user.grids) if staff else []}  # fmt: skip

    worker = login("wang", "grid_worker", ["G2"])
    assert worker.api.get("/probe-staff").json() == {"user": "wang", "grids": ["G2"]}
    assert api.get("/probe-staff").json() == {"user": None, "grids": []}


def test_repeated_failed_logins_lock_the_account_for_a_while(api: TestClient, make_user,
                                                              clock) -> None:  # fmt: skip
    password = make_user("zhao", "staff")
    for _ in range(5):
        bad = api.post("/staff/login", data={"username": "zhao", "password": "guess-guess"})
        assert bad.status_code == 401
    locked = api.post("/staff/login", data={"username": "zhao", "password": password},
                      follow_redirects=False)  # fmt: skip
    assert locked.status_code == 429 and "15分钟" in locked.text
    clock.advance(minutes=16)
    ok = api.post("/staff/login", data={"username": "zhao", "password": password},
                  follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
