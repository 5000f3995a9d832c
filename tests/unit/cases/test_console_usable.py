"""The staff console is usable (issue 14 item 8): description and time in the queue, errors as
plain Chinese pages and in the red box, no accidental reopening after 办结, tel: links."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

AUTH = {"Authorization": "Bearer test-service-token"}


def _report(api: TestClient, building: str = "5", **fields: object) -> str:
    body = {"type": "report", "category": "leak", "location": {"building": building},
            "contact_phone": "13812345678", "sender_id": "tg:31",
            "description": "卫生间顶上一直在滴水"}  # fmt: skip
    body.update(fields)
    return api.post("/api/cases", json=body, headers=AUTH).json()["case_no"]


def test_queue_shows_description_and_local_created_time(api: TestClient, login) -> None:
    no = _report(api)
    created = api.get(f"/api/cases/{no}", headers=AUTH).json()["created_at"]
    assert created.startswith("2026-11-21T02:00")  # the test clock, UTC
    page = login("boss", "admin").api.get("/staff/").text
    assert "<th>情况</th>" in page and "<th>受理时间</th>" in page
    row = page[page.index(no) :]
    assert "卫生间顶上一直在滴水" in row[:2000]
    assert "11-21 10:00" in row[:2000]  # 02:00 UTC is 10:00 in Shanghai


def test_console_errors_are_pages_in_plain_chinese(api: TestClient, login) -> None:
    no = _report(api)
    admin = login("boss", "admin")
    forged = admin.api.post(f"/staff/cases/{no}/note", data={"csrf_token": "x", "text": "hi"})
    missing = admin.api.post(f"/staff/cases/{no}/note", data={"text": "hi"})
    unknown = admin.api.get("/staff/cases/BS-20991231-9999")
    for response, code in ((forged, 403), (missing, 422), (unknown, 404)):
        assert response.status_code == code
        assert response.headers["content-type"].startswith("text/html")
        assert '{"detail"' not in response.text and "detail" not in response.text
        assert 'class="error"' in response.text and "回到事项队列" in response.text
    assert "页面已过期" in forged.text and "没有找到编号" in unknown.text
    # the console's JSON endpoints stay JSON
    assert admin.api.get("/staff/api/alerts").headers["content-type"] == "application/json"


def test_a_refused_change_shows_in_the_red_box(api: TestClient, login) -> None:
    no = _report(api)
    admin = login("boss", "admin")
    bad = admin.post(f"/staff/cases/{no}/recategorise", category="leak", reason="再确认")
    page = admin.api.get(bad.headers["location"]).text
    error = re.search(r'<p class="error" role="alert">([^<]*)</p>', page)
    assert error and "未能完成" in error.group(1)
    assert 'class="msg"' not in page
    ok = admin.post(f"/staff/cases/{no}/note", text="下午上门")
    assert 'class="msg"' in admin.api.get(ok.headers["location"]).text


def test_after_resolving_save_does_not_reopen(api: TestClient, login) -> None:
    no = _report(api)
    admin = login("boss", "admin")
    assert admin.post(f"/staff/cases/{no}/status", new_status="resolved").status_code == 303
    page = admin.api.get(f"/staff/cases/{no}").text
    select = re.search(r'<select name="new_status"[^>]*>(.*?)</select>', page, re.S)
    assert select and "required" in select.group(0)
    options = re.findall(r"<option ([^>]*)>", select.group(1))
    selected = [o for o in options if "selected" in o]
    assert selected == ['value="" selected disabled'], options  # nothing chosen until staff pick
    # and a 保存 without a choice changes nothing
    admin.post(f"/staff/cases/{no}/status", new_status="")
    assert api.get(f"/api/cases/{no}", headers=AUTH).json()["status"] == "resolved"


def test_phone_is_a_tel_link_for_those_who_call_back(api: TestClient, login) -> None:
    no = _report(api)
    admin = login("boss", "admin").api.get(f"/staff/cases/{no}").text
    assert '<a href="tel:13812345678">13812345678</a>' in admin
    staff = login("clerk", "staff").api.get(f"/staff/cases/{no}").text
    assert 'href="tel:' not in staff and "13812345678" not in staff
