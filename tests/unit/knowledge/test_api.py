"""The knowledge-base HTTP API: search, ask, staff CRUD, import/export, queue, audit, page."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.unit.knowledge.conftest import AUTH, make_app

STAFF = {**AUTH, "X-Staff-Name": "%E7%8E%8B%E8%80%81%E5%B8%88"}  # 王老师, percent-encoded


def test_search_is_public_and_accepts_traditional(client: TestClient) -> None:
    r = client.get("/api/kb/search", params={"q": "電動車能在樓道充電嗎", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "电动车能在楼道充电吗" and body["confident"] is True
    assert len(body["hits"]) == 3 and set(body["hits"][0]) == {
        "faq_id",
        "question",
        "answer",
        "score",
    }
    assert "楼道" in body["hits"][0]["answer"]


def test_search_rejects_overlong_questions_in_chinese(client: TestClient) -> None:
    r = client.get("/api/kb/search", params={"q": "问" * 201})
    assert r.status_code == 422 and "太长" in r.json()["detail"]
    assert client.get("/api/kb/search", params={"q": " "}).status_code == 422
    assert client.get("/api/kb/search", params={"q": "医保", "k": 99}).status_code == 422


def test_ask_needs_the_service_token(client: TestClient) -> None:
    body = {"question": "医保卡丢了咋办", "channel": "telegram", "sender_id": "tg:1"}
    assert client.post("/api/kb/ask", json=body).status_code == 401
    assert (
        client.post("/api/kb/ask", json=body, headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    r = client.post("/api/kb/ask", json=body, headers=AUTH)
    assert r.status_code == 200
    data = r.json()
    assert data["confident"] is True and "挂失" in data["answer"]["answer"]
    assert len(data["suggestions"]) <= 3


def test_ask_without_a_configured_token_is_unavailable(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, token=None)) as c:
        r = c.post(
            "/api/kb/ask",
            json={"question": "医保卡丢了", "channel": "rest"},
            headers={"Authorization": "Bearer x"},
        )
        assert r.status_code == 503
        assert c.get("/api/kb/faqs", headers={"Authorization": "Bearer x"}).status_code == 503


def test_unconfident_ask_is_queued_and_turned_into_an_faq(client: TestClient) -> None:
    q = {"question": "小区游泳池几点开放", "channel": "kiosk", "sender_id": "kiosk:1"}
    for _ in range(3):
        data = client.post("/api/kb/ask", json=q, headers=AUTH).json()
        assert data["confident"] is False and data["answer"] is None
        assert 1 <= len(data["suggestions"]) <= 3
    queue = client.get("/api/kb/unanswered", headers=STAFF).json()
    assert [(i["question"], i["count"], i["last_channel"]) for i in queue] == [
        ("小区游泳池几点开放", 3, "kiosk")
    ]
    r = client.post(
        f"/api/kb/unanswered/{queue[0]['id']}/faq",
        json={"answer": "小区没有游泳池，最近的是体育中心游泳馆。"},
        headers=STAFF,
    )
    assert r.status_code == 201
    faq = r.json()
    assert faq["question"] == "小区游泳池几点开放" and faq["owner"] == "staff:王老师"
    assert client.get("/api/kb/unanswered", headers=STAFF).json() == []
    resolved = client.get("/api/kb/unanswered", params={"status": "resolved"}, headers=STAFF).json()
    assert resolved[0]["faq_id"] == faq["id"]
    # searchable at once, and now answered
    data = client.post("/api/kb/ask", json=q, headers=AUTH).json()
    assert data["confident"] is True and data["answer"]["faq_id"] == faq["id"]
    audit = client.get("/api/kb/audit", params={"faq_id": faq["id"]}, headers=STAFF).json()
    assert audit[0]["action"] == "create_from_unanswered" and audit[0]["actor"] == "staff:王老师"


def test_staff_endpoints_need_auth(client: TestClient) -> None:
    for method, url in (
        ("GET", "/api/kb/faqs"),
        ("POST", "/api/kb/faqs"),
        ("GET", "/api/kb/faqs/export"),
        ("POST", "/api/kb/faqs/import"),
        ("GET", "/api/kb/unanswered"),
        ("GET", "/api/kb/audit"),
        ("POST", "/api/kb/faqs/1/retire"),
        ("PATCH", "/api/kb/faqs/1"),
    ):
        assert client.request(method, url).status_code == 401, url


def test_crud_is_audited_and_changes_are_searchable_at_once(client: TestClient) -> None:
    new = {
        "question": "社区图书室几点开门",
        "alternatives": ["圖書室開放時間"],
        "answer": "三楼图书室每天 9:00–17:00 开放。",
        "category": "community",
        "valid_until": "2099-12-31",
        "owner": "李",
    }
    created = client.post("/api/kb/faqs", json=new, headers=STAFF)
    assert created.status_code == 201
    faq = created.json()
    assert faq["alternatives"] == ["图书室开放时间"]  # normalised to Simplified
    hit = client.get("/api/kb/search", params={"q": "图书室开放时间"}).json()["hits"][0]
    assert hit["faq_id"] == faq["id"]

    r = client.patch(
        f"/api/kb/faqs/{faq['id']}", json={"answer": "改为 8:30–17:30。"}, headers=STAFF
    )
    assert r.json()["answer"] == "改为 8:30–17:30。"
    hit = client.get("/api/kb/search", params={"q": "图书室开放时间"}).json()["hits"][0]
    assert hit["answer"] == "改为 8:30–17:30。"

    assert (
        client.post(f"/api/kb/faqs/{faq['id']}/retire", headers=STAFF).json()["status"] == "retired"
    )
    hits = client.get("/api/kb/search", params={"q": "图书室开放时间"}).json()["hits"]
    assert faq["id"] not in [h["faq_id"] for h in hits]

    audit = client.get("/api/kb/audit", params={"faq_id": faq["id"]}, headers=STAFF).json()
    assert [a["action"] for a in audit] == ["retire", "update", "create"]
    update = audit[1]
    assert (
        update["before"]["answer"] == new["answer"]
        and update["after"]["answer"] == "改为 8:30–17:30。"
    )
    assert all(a["actor"] == "staff:王老师" for a in audit)
    assert client.get("/api/kb/faqs/999999", headers=STAFF).status_code == 404
    listed = client.get(
        "/api/kb/faqs", params={"q": "图书室", "status": "retired"}, headers=STAFF
    ).json()
    assert [f["id"] for f in listed["items"]] == [faq["id"]]


def test_malformed_csv_import_names_the_line_and_changes_nothing(client: TestClient) -> None:
    before = client.get("/api/kb/faqs/export", params={"format": "jsonl"}, headers=STAFF).text
    audit_before = client.get("/api/kb/audit", params={"limit": 1000}, headers=STAFF).json()
    csv_text = (
        "question,alternatives,answer,category\n"
        "新问题一,说法,答案一,x\n"
        "新问题二,说法,答案二,x\n"
        "这一行少了答案和分类\n"
        "新问题四,说法,答案四,x\n"
    )
    r = client.post(
        "/api/kb/faqs/import",
        params={"format": "csv"},
        content=csv_text.encode(),
        headers={**STAFF, "Content-Type": "text/csv"},
    )
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert (
        detail["line"] == 4
        and "第4行" in detail["message"]
        and "没有做任何修改" in detail["message"]
    )
    assert (
        client.get("/api/kb/faqs/export", params={"format": "jsonl"}, headers=STAFF).text == before
    )
    assert client.get("/api/kb/audit", params={"limit": 1000}, headers=STAFF).json() == audit_before
    # an unknown id on a later line also rolls back the whole file
    r = client.post(
        "/api/kb/faqs/import",
        files={"file": ("f.csv", ("id,question,answer\n,新的,答\n424242,不存在的,答\n").encode())},
        headers=STAFF,
    )
    assert r.status_code == 400 and r.json()["detail"]["line"] == 3
    assert (
        client.get("/api/kb/faqs/export", params={"format": "jsonl"}, headers=STAFF).text == before
    )


def test_export_import_round_trip_and_gbk_csv(client: TestClient) -> None:
    exported = client.get("/api/kb/faqs/export", params={"format": "csv"}, headers=STAFF)
    assert exported.headers["content-type"].startswith("text/csv")
    total = client.get("/api/kb/faqs", headers=STAFF).json()["total"]
    r = client.post(
        "/api/kb/faqs/import", files={"file": ("faqs.csv", exported.content)}, headers=STAFF
    )
    assert r.json() == {"created": 0, "updated": total}
    gbk = "question,answer\n停车场晚上收费吗,晚上 8 点后免费。\n".encode("gb18030")
    r = client.post("/api/kb/faqs/import", files={"file": ("excel.csv", gbk)}, headers=STAFF)
    assert r.json() == {"created": 1, "updated": 0}
    jsonl = (
        '{"question": "快递可以放门卫吗", "answer": "可以，门卫代收。",'
        ' "alternatives": ["门卫代收快递"]}\n'
    )
    r = client.post(
        "/api/kb/faqs/import", files={"file": ("x.jsonl", jsonl.encode())}, headers=STAFF
    )
    assert r.json() == {"created": 1, "updated": 0}
    hit = client.get("/api/kb/search", params={"q": "门卫代收快递"}).json()["hits"][0]
    assert hit["answer"] == "可以，门卫代收。"


def test_answers_with_script_are_returned_verbatim_and_page_renders_text_only(
    client: TestClient,
) -> None:
    evil = "<script>window.__pwned = 1</script><img src=x onerror=alert(1)>"
    faq = client.post(
        "/api/kb/faqs", json={"question": "脚本测试问题", "answer": evil}, headers=STAFF
    ).json()
    assert faq["answer"] == evil  # stored as typed; the page must escape it
    page = client.get("/staff/kb/")
    assert page.status_code == 200 and "知识库维护" in page.text
    js = client.get("/staff/kb/kb.js").text
    assert "textContent" in js
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", js)


def test_status_reports_the_index(client: TestClient) -> None:
    status = client.get("/api/kb/status", headers=STAFF).json()
    assert status["index"] == "IndexFlatIP" and status["faqs"] >= 150
    assert status["phrasings"] > status["faqs"] * 2


def test_hub_composes_the_knowledge_part(tmp_path: Path, monkeypatch) -> None:
    from core.config import HubSettings
    from core.hub import create_app

    monkeypatch.setenv("KB_EMBEDDER", "hashing")
    app = create_app(HubSettings(data_dir=tmp_path, service_token="t"))
    assert hasattr(app.state, "knowledge")
    paths = set(app.openapi()["paths"])
    assert {"/api/kb/search", "/api/kb/ask", "/api/kb/faqs", "/api/kb/faqs/import"} <= paths
    assert "/staff/kb" in {getattr(r, "path", None) for r in app.routes}
