"""The knowledge base's staff API behind the staff console's login: roles, CSRF, audit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.privacy.conftest import AUTH

NEW_FAQ = {"question": "社区图书室几点开门", "answer": "三楼图书室每天 9:00–17:00 开放。"}


def test_anonymous_is_refused_everywhere(api: TestClient) -> None:
    for method, url in (
        ("GET", "/api/kb/faqs"),
        ("POST", "/api/kb/faqs"),
        ("GET", "/api/kb/unanswered"),
        ("GET", "/api/kb/audit"),
        ("POST", "/api/kb/faqs/1/retire"),
        ("PATCH", "/api/kb/faqs/1"),
        ("GET", "/staff/api/me"),
    ):
        response = api.request(method, url, json=NEW_FAQ if method != "GET" else None)
        assert response.status_code == 401, (method, url, response.text)
    forged = api.post("/api/kb/faqs", json=NEW_FAQ, cookies={"linli_staff": "not-a-session"})
    assert forged.status_code == 401


def test_staff_session_can_curate_and_audit_names_the_user(api: TestClient, login) -> None:
    li = login("li.zhuren", "staff")
    me = li.client.get("/staff/api/me").json()
    assert me["username"] == "li.zhuren" and me["can_edit_kb"] is True
    assert me["csrf_token"] == li.csrf
    headers = {"X-CSRF-Token": li.csrf}
    created = li.client.post("/api/kb/faqs", json=NEW_FAQ, headers=headers)
    assert created.status_code == 201, created.text
    faq_id = created.json()["id"]
    patched = li.client.patch(f"/api/kb/faqs/{faq_id}", json={"answer": "改为 8:30 开门。"},
                              headers=headers)  # fmt: skip
    assert patched.status_code == 200
    audit = li.client.get("/api/kb/audit", params={"faq_id": faq_id}).json()
    assert [a["action"] for a in audit] == ["update", "create"]
    assert {a["actor"] for a in audit} == {"staff:li.zhuren"}
    # an admin may curate too
    boss = login("boss", "admin")
    retired = boss.client.post(f"/api/kb/faqs/{faq_id}/retire", headers={"X-CSRF-Token": boss.csrf})
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert api.get("/api/kb/audit", params={"faq_id": faq_id}, headers=AUTH).json()[0]["actor"] == (
        "staff:boss"
    )


def test_state_changes_need_the_csrf_token(api: TestClient, login) -> None:
    li = login("li", "staff")
    assert li.client.post("/api/kb/faqs", json=NEW_FAQ).status_code == 403
    assert (
        li.client.post("/api/kb/faqs", json=NEW_FAQ, headers={"X-CSRF-Token": "x"}).status_code
        == 403
    )
    other = login("wang", "admin")  # another session's token is not this session's
    wrong = li.client.post("/api/kb/faqs", json=NEW_FAQ, headers={"X-CSRF-Token": other.csrf})
    assert wrong.status_code == 403
    assert li.client.get("/api/kb/faqs").status_code == 200  # reads need no token
    total = api.get("/api/kb/faqs", params={"q": "图书室"}, headers=AUTH).json()["total"]
    assert total == 0


def test_grid_worker_may_read_but_not_edit(api: TestClient, login) -> None:
    gw = login("wangfang", "grid_worker")
    assert gw.client.get("/staff/api/me").json()["can_edit_kb"] is False
    listing = gw.client.get("/api/kb/faqs")
    assert listing.status_code == 200 and listing.json()["total"] > 0
    assert gw.client.get("/api/kb/unanswered").status_code == 200
    faq_id = listing.json()["items"][0]["id"]
    headers = {"X-CSRF-Token": gw.csrf}
    for method, url, body in (
        ("POST", "/api/kb/faqs", NEW_FAQ),
        ("PATCH", f"/api/kb/faqs/{faq_id}", {"answer": "改掉"}),
        ("POST", f"/api/kb/faqs/{faq_id}/retire", None),
    ):
        response = gw.client.request(method, url, json=body, headers=headers)
        assert response.status_code == 403, (method, url)
        assert "网格员" in response.json()["detail"]
    assert api.get(f"/api/kb/faqs/{faq_id}", headers=AUTH).json()["status"] == "active"


def test_service_token_still_works_for_internal_tools(api: TestClient) -> None:
    created = api.post("/api/kb/faqs", json=NEW_FAQ,
                       headers={**AUTH, "X-Staff-Name": "%E7%8E%8B"})  # fmt: skip
    assert created.status_code == 201
    audit = api.get("/api/kb/audit", params={"faq_id": created.json()["id"]}, headers=AUTH).json()
    assert audit[0]["actor"] == "staff:王"
    bad = api.post("/api/kb/faqs", json=NEW_FAQ, headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401


def test_logged_out_session_no_longer_works(api: TestClient, login) -> None:
    li = login("li", "staff")
    assert li.client.get("/api/kb/faqs").status_code == 200
    token = li.client.cookies.get("linli_staff")
    li.client.post("/staff/logout", data={"csrf_token": li.csrf}, follow_redirects=False)
    li.client.cookies.set("linli_staff", token)  # the old cookie replayed after logout
    assert li.client.get("/api/kb/faqs").status_code == 401
