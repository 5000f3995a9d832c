"""Calibrated scores, the decline path and closing the loop from the declined-questions queue.

Hub app with the hashing embedder (fast); the real-model counterpart is ``test_quality.py``.
"""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from knowledge.calibration import Calibrator, features, fit, margins
from knowledge.service import Thresholds
from tests.unit.knowledge.conftest import AUTH, serve

STAFF = {**AUTH, "X-Staff-Name": "%E7%8E%8B%E8%80%81%E5%B8%88"}  # 王老师
OFF_TOPIC = "帮我订一张去北京的火车票"


def _faqs(client: TestClient) -> list[dict]:
    return client.get("/api/kb/faqs", params={"limit": 500}, headers=STAFF).json()["items"]


def test_scores_are_probabilities_even_for_an_exact_faq_question(client: TestClient) -> None:
    questions = [f["question"] for f in _faqs(client)[:25]] + [OFF_TOPIC, "医保卡丢了咋办"]
    for q in questions:
        body = client.get("/api/kb/search", params={"q": q, "k": 5}).json()
        scores = [h["score"] for h in body["hits"]]
        assert scores and all(0.0 <= s <= 1.0 for s in scores), (q, scores)
        assert scores == sorted(scores, reverse=True), (q, scores)
        assert 0 < body["threshold"] <= 1
        assert body["confident"] == (scores[0] >= body["threshold"])
    exact = client.get("/api/kb/search", params={"q": questions[0]}).json()
    assert exact["confident"] and exact["hits"][0]["question"] == questions[0]


def test_calibrator_maps_a_clear_lead_higher_than_a_tie() -> None:
    cal = Calibrator(coef_score=4.0, coef_margin=15.0, intercept=-5.0, coef_overlap=2.0)
    lead = cal.probabilities([1.1, 0.7, 0.6], [1.0, 0.2, 0.1])
    tie = cal.probabilities([1.1, 1.09, 0.6], [1.0, 1.0, 0.1])
    assert all(0.0 < p < 1.0 for p in lead + tie)
    assert lead[0] > tie[0] > tie[1] and lead[0] > lead[1] > lead[2]
    assert margins(__import__("numpy").array([0.9])).tolist() == [0.9]


def test_declined_question_gets_three_suggestions_and_is_queued_with_its_closest_faqs(
    client: TestClient,
) -> None:
    body = {"question": OFF_TOPIC, "channel": "kiosk", "sender_id": "kiosk:7"}
    data = client.post("/api/kb/ask", json=body, headers=AUTH).json()
    assert data["confident"] is False and data["answer"] is None
    assert len(data["suggestions"]) == 3
    threshold = client.get("/api/kb/search", params={"q": OFF_TOPIC}).json()["threshold"]
    assert all(s["score"] < threshold for s in data["suggestions"])
    queue = client.get("/api/kb/unanswered", headers=STAFF).json()
    assert [i["question"] for i in queue] == [OFF_TOPIC]
    closest = queue[0]["closest"]
    assert [c["faq_id"] for c in closest] == [s["faq_id"] for s in data["suggestions"]]
    assert all(0 <= c["score"] <= 1 for c in closest)


def test_adding_a_queued_question_as_a_phrasing_makes_it_searchable_at_once(
    client: TestClient,
) -> None:
    question = "小区里那个给老人吃饭的地方在哪"
    before = client.get("/api/kb/search", params={"q": question}).json()
    assert not before["confident"]
    client.post("/api/kb/ask", json={"question": question, "channel": "rest"}, headers=AUTH)
    item = client.get("/api/kb/unanswered", headers=STAFF).json()[0]
    target = next(f for f in _faqs(client) if "食堂" in f["question"] + f["answer"])
    r = client.post(
        f"/api/kb/unanswered/{item['id']}/alternative",
        json={"faq_id": target["id"]},
        headers=STAFF,
    )
    assert r.status_code == 200 and question in r.json()["alternatives"]
    after = client.get("/api/kb/search", params={"q": question}).json()
    assert after["confident"] and after["hits"][0]["faq_id"] == target["id"]
    assert client.get("/api/kb/unanswered", headers=STAFF).json() == []
    audit = client.get("/api/kb/audit", params={"faq_id": target["id"]}, headers=STAFF).json()
    assert audit[0]["action"] == "add_phrasing_from_unanswered"
    assert audit[0]["actor"] == "staff:王老师"
    missing = client.post(
        "/api/kb/unanswered/99999/alternative", json={"faq_id": target["id"]}, headers=STAFF
    )
    assert missing.status_code == 404 and "待回答" in missing.json()["detail"]


def test_grid_worker_style_anonymous_caller_cannot_add_a_phrasing(client: TestClient) -> None:
    r = client.post("/api/kb/unanswered/1/alternative", json={"faq_id": 1})
    assert r.status_code == 401


def _near_misses(n: int = 200, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """First hits of real-looking queries: right ones score a few hundredths above near misses,
    and near misses share more characters with their FAQ at the same fused score (LCQMC shape)."""
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for i in range(n):
        right = i % 2 == 0
        fused = rng.uniform(0.955, 0.975) if right else rng.uniform(0.935, 0.955)
        lexical = rng.uniform(0.3, 0.6) if right else rng.uniform(0.5, 0.8)
        margin = rng.uniform(0.05, 0.15)  # real sets: the lead says little about right or wrong
        rows.append(features([fused, fused - margin], [0.5, 0.2], [lexical, 0.2])[0])
        labels.append(int(right))
    return np.stack(rows), np.asarray(labels)


def test_fit_uses_a_fused_score_that_separates_within_a_few_hundredths() -> None:
    x, y = _near_misses()
    cal = fit(x, y)
    p = np.asarray([cal._p(*row) for row in x])  # noqa: SLF001
    # standardised fit: a narrow-range score is not held back by the penalty
    assert p[y == 1].mean() > 0.75 and p[y == 0].mean() < 0.25
    accuracy = float(((p >= 0.5) == (y == 1)).mean())
    assert accuracy > 0.9


def test_character_overlap_the_meaning_does_not_back_lowers_the_probability() -> None:
    x, y = _near_misses()
    cal = fit(x, y)
    assert cal.coef_lexical < 0 < cal.coef_score
    same_score = cal.probabilities([0.955, 0.85], [0.5, 0.2], [0.45, 0.2])[0]
    more_chars = cal.probabilities([0.955, 0.85], [0.5, 0.2], [0.75, 0.2])[0]
    assert more_chars < same_score
    # a fitted entry round-trips through thresholds.json; old entries (no coef_lexical) still load
    entry = {"answer_threshold": 0.5, "dense_weight": 1.0, "lexical_weight": 0.2}
    assert Thresholds.load_entry({**entry, "calibrator": cal.as_dict()}).calibrator.coef_lexical < 0
    old = {"coef_score": 4.0, "coef_margin": 15.0, "coef_overlap": 2.0, "intercept": -5.5}
    assert Thresholds.load_entry({**entry, "calibrator": old}).calibrator.coef_lexical == 0.0


@pytest.mark.parametrize(
    ("q", "status"),
    [
        ("", 422),
        ("   ", 422),
        ("问" * 5000, 422),
        ("🙂🙂🙂", 200),
        ("👴🏻社区🏥在哪？？", 200),
        ("社保卡 lost 了 どうする 怎么补办", 200),
        ("ＡＢＣ１２３老年卡", 200),
        ("\u200b\u200d\ufeff", 200),
        ("<script>alert(1)</script>", 200),
    ],
)
def test_bad_input_gets_a_kind_answer_never_a_5xx(client: TestClient, q: str, status: int) -> None:
    r = client.get("/api/kb/search", params={"q": q})
    assert r.status_code == status, r.text
    body = r.json()
    if status == 422:
        detail = body["detail"]
        assert isinstance(detail, str) and any("\u4e00" <= c <= "\u9fff" for c in detail)
    else:
        assert isinstance(body["hits"], list) and all(0 <= h["score"] <= 1 for h in body["hits"])
        assert body["confident"] or body["message"]


def test_a_5000_character_question_through_a_real_server_is_a_kind_422(kb_app) -> None:  # noqa: ANN001
    with serve(kb_app) as base:
        r = httpx.get(f"{base}/api/kb/search", params={"q": "社区" * 2500}, timeout=30)
        assert r.status_code == 422 and "太长" in r.json()["detail"]
        r = httpx.get(f"{base}/api/kb/search", timeout=30)
        assert r.status_code == 422 and "问题" in r.json()["detail"]
