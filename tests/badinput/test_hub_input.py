"""Malformed JSON, wrong types and oversized bodies to the hub's APIs: a 4xx with a Chinese
message, never a 5xx, and nothing stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def has_chinese(text: str) -> bool:
    """True when the text contains at least one CJK character."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def detail_of(r) -> str:  # type: ignore[no-untyped-def]
    """The error message of a hub JSON error (cases: {"detail"}; Open311: [{"description"}])."""
    body = r.json()
    if isinstance(body, list):
        return " ".join(str(e.get("description", "")) for e in body)
    detail = body.get("detail")
    return detail if isinstance(detail, str) else str(detail)


def case_count(client: TestClient) -> int:
    """How many cases the hub stored (straight from the database)."""
    from sqlalchemy import func, select

    from cases.models import Case

    state = client.app.state.cases  # type: ignore[attr-defined]
    with state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


VALID = {
    "type": "report",
    "category": "leak",
    "description": "楼上漏水",
    "location": {"building": "2"},
}

BAD_BODIES = [
    pytest.param(b"{not json", id="malformed-json"),
    pytest.param(b"", id="empty-body"),
    pytest.param(b"[]", id="array"),
    pytest.param(b"null", id="null"),
    pytest.param(b'{"type": 5, "category": ["x"], "description": {"a": 1}}', id="wrong-types"),
    pytest.param(b'{"type": "report", "urgency": "whenever", "description": "x"}', id="bad-enum"),
    pytest.param(
        b'{"type": "report", "location": "5\\u53f7\\u697c", "description": "x"}',
        id="location-as-string",
    ),
    pytest.param(b'{"type": "report", "description": "\\ud800"}', id="lone-surrogate"),
    pytest.param("\ufeff{}".encode(), id="bom"),
    pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_case_bodies_get_a_chinese_4xx(hub_client: TestClient, body: bytes) -> None:
    before = case_count(hub_client)
    r = hub_client.post("/api/cases", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert has_chinese(detail_of(r)), r.text
    assert case_count(hub_client) == before


def test_oversized_description_is_refused_cleanly(hub_client: TestClient) -> None:
    before = case_count(hub_client)
    r = hub_client.post("/api/cases", json={**VALID, "description": "漏" * 1_000_000})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert has_chinese(detail_of(r))
    assert case_count(hub_client) == before


def test_oversized_body_of_junk_is_refused_cleanly(hub_client: TestClient) -> None:
    junk = b'{"type": "report", "description": "x", "pad": "' + b"a" * 5_000_000 + b'"}'
    r = hub_client.post("/api/cases", content=junk, headers={"Content-Type": "application/json"})
    assert r.status_code < 500, (r.status_code, r.text[:300])


def test_injection_text_is_stored_as_data(hub_client: TestClient) -> None:
    text = "楼道灯坏了'; DROP TABLE cases; -- <script>alert('x')</script> \u0000\u0007 😀"
    r = hub_client.post(
        "/api/cases", json={**VALID, "description": text, "sender_id": "web:inject"}
    )
    assert r.status_code in (201, 422), r.text
    if r.status_code == 422:  # refusing NUL/control characters is fine, with a Chinese message
        assert has_chinese(detail_of(r))
        return
    stored = hub_client.get(f"/api/cases/{r.json()['case_no']}").json()
    assert "DROP TABLE cases" in stored["description"] and "<script>" in stored["description"]
    assert case_count(hub_client) >= 1  # the table is still there


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        pytest.param("get", "/api/cases", {"params": {"limit": "many"}}, id="cases-limit-text"),
        pytest.param("get", "/api/cases", {"params": {"limit": -5}}, id="cases-limit-negative"),
        pytest.param("get", "/api/cases/%00%27%3B--", {}, id="case-no-injection"),
        pytest.param("get", "/api/cases/" + "A" * 5000, {}, id="case-no-huge"),
        pytest.param(
            "post", "/api/cases/XX-1/confirm", {"content": b"{bad"}, id="confirm-malformed"
        ),
        pytest.param("get", "/api/kb/search", {"params": {"q": ""}}, id="kb-empty"),
        pytest.param("get", "/api/kb/search", {"params": {"q": "问" * 2_000}}, id="kb-huge"),
        pytest.param(
            "get",
            "/api/kb/search",
            {"params": {"q": "'; DROP TABLE faq;--", "k": "x"}},
            id="kb-k-text",
        ),
        pytest.param(
            "post",
            "/open311/v2/requests.json",
            {"data": {"service_code": "nope"}},
            id="o311-bad-service",
        ),
        pytest.param(
            "post", "/open311/v2/requests.json", {"content": b"\xff\xfe"}, id="o311-garbage"
        ),
        pytest.param(
            "get",
            "/open311/v2/requests.json",
            {"params": {"start_date": "yesterday"}},
            id="o311-bad-date",
        ),
    ],
)
def test_bad_queries_never_5xx(
    hub_client: TestClient, method: str, path: str, kwargs: dict
) -> None:
    r = getattr(hub_client, method)(path, **kwargs)
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400 and "json" in r.headers.get("content-type", ""):
        assert has_chinese(detail_of(r)), r.text[:300]
