"""A resident's view of a case needs the access code only that resident received; counting
through case numbers reveals nothing."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient
from sqlalchemy import text

from cases import access
from cases.crud import get_case
from cases.numbering import CASE_NO_RE

AUTH = {"Authorization": "Bearer test-service-token"}
CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$")


def _create(api: TestClient, **fields: object) -> dict:
    body = {
        "type": "emergency", "category": "other", "description": "燃气泄漏：厨房里煤气味很重",
        "location": {"building": "12", "unit": "3", "room": "401"}, "sender_id": "web:a1",
        "contact_phone": "13912345678",
    }  # fmt: skip
    body.update(fields)
    response = api.post("/api/cases", json=body, headers=AUTH)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _view(api: TestClient, case_no: str, code: str | None):  # noqa: ANN202
    headers = {} if code is None else {"X-Case-Access": code}
    return api.get(f"/api/resident/cases/{case_no}", headers=headers)


def test_codes_are_random_readable_and_stored_only_as_a_hash(api: TestClient, db) -> None:
    first = _create(api, idempotency_key="k1")
    second = _create(api, idempotency_key="k2")
    assert CODE.match(first["access_code"]) and CODE.match(second["access_code"])
    assert first["access_code"] != second["access_code"]
    with db() as session:
        stored = get_case(session=session, case_no=first["case_no"])
        assert (
            stored.access_hash
            == hashlib.sha256(first["access_code"].replace("-", "").encode()).hexdigest()
        )
        row = str(session.execute(text("SELECT * FROM cases WHERE case_no = :n"),
                                  {"n": first["case_no"]}).one())  # fmt: skip
        assert first["access_code"].replace("-", "") not in row.replace("-", "")
    # never shown again: not by number, not in the sender's list
    assert api.get(f"/api/cases/{first['case_no']}", headers=AUTH).json()["access_code"] is None
    listed = api.get("/api/cases", params={"sender_id": "web:a1"}, headers=AUTH).json()
    assert all(c["access_code"] is None for c in listed)


def test_the_right_code_opens_the_residents_view(api: TestClient) -> None:
    case = _create(api)
    for spelled in (case["access_code"], case["access_code"].lower().replace("-", " ")):
        response = _view(api, case["case_no"], spelled)
        assert response.status_code == 200, response.text
        view = response.json()
        assert view["case"]["case_no"] == case["case_no"]
        assert view["case"]["location"]["building"] == "12"
        assert view["case"]["contact_masked"] == "139****5678"
        assert view["case"]["access_code"] is None
        assert any("已受理" in line["text"] for line in view["history"])


def test_counting_through_numbers_reveals_nothing(api: TestClient) -> None:
    mine = _create(api, idempotency_key="mine")
    others = [_create(api, idempotency_key=f"other-{i}", sender_id=f"web:o{i}") for i in range(3)]
    existing = {c["case_no"] for c in [mine, *others]}
    prefix, day, _ = CASE_NO_RE.match(mine["case_no"]).groups()
    answers = set()
    for seq in range(1, 13):  # existing numbers and numbers never handed out
        number = f"{prefix}-{day}-{seq:04d}"
        for code in (None, "", "AAAA-BBBB-CCCC-DDDD", mine["access_code"]):
            if number == mine["case_no"] and code == mine["access_code"]:
                continue
            response = _view(api, number, code)
            assert response.status_code == 404, (number, code, response.text)
            answers.add((response.status_code, response.text))
    assert len(existing) == 4
    assert len(answers) == 1  # the same answer whether the number exists or not
    assert "燃气" not in next(iter(answers))[1]


def test_a_repeated_submission_gets_a_fresh_code_and_the_old_one_stops(api: TestClient) -> None:
    first = _create(api, idempotency_key="web:a1:emergency:1")
    again = _create(api, idempotency_key="web:a1:emergency:1")
    assert again["case_no"] == first["case_no"]
    assert again["access_code"] != first["access_code"]
    assert _view(api, first["case_no"], first["access_code"]).status_code == 404
    assert _view(api, first["case_no"], again["access_code"]).status_code == 200


def test_the_internal_by_number_endpoints_still_need_the_service_token(api: TestClient) -> None:
    case = _create(api)
    no = case["case_no"]
    for url in (f"/api/cases/{no}", f"/api/cases/{no}/history", f"/api/cases/{no}/attachments"):
        assert api.get(url).status_code == 401
        assert api.get(url, headers={"X-Case-Access": case["access_code"]}).status_code == 401
    details = api.post(f"/api/cases/{no}/details",
                       json={"sender_id": "web:a1", "contact_phone": "13900001111"})  # fmt: skip
    assert details.status_code == 401


def test_code_helpers() -> None:
    code = access.new_access_code()
    assert CODE.match(code)
    assert access.normalize_code(f" {code.lower()} ") == code.replace("-", "")
    assert access.code_matches(access.hash_code(code), code)
    assert not access.code_matches(access.hash_code(code), None)
    assert not access.code_matches(access.hash_code(code), "")
    assert not access.code_matches(None, code)
    assert not access.code_matches(access.hash_code(""), "")  # an empty code opens nothing
    assert len({access.new_access_code() for _ in range(200)}) == 200


def test_deleting_the_residents_data_closes_their_view(api: TestClient, db, clock) -> None:
    from cases import privacy

    case = _create(api, sender_id="web:gone")
    assert _view(api, case["case_no"], case["access_code"]).status_code == 200
    with db() as session:
        req = privacy.ResidentRequest(phone=None, sender_id="web:gone", actor="zhang")
        assert privacy.delete_resident(session, req=req, now=clock.now()).cases == [case["case_no"]]
    assert _view(api, case["case_no"], case["access_code"]).status_code == 404


def test_logs_never_show_an_access_code() -> None:
    import logging

    from core.logging import PiiMaskingFilter

    code = access.new_access_code()
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s "%s %s"',
                               ("127.0.0.1", "GET", f"/kiosk/case/JJ-20261121-0001/print?t={code}"),
                               None)  # fmt: skip
    assert PiiMaskingFilter().filter(record)
    assert code not in record.getMessage() and "print?t=***" in record.getMessage()
