"""The kiosk's printable slip opens only with the resident's access code: counting through case
numbers shows nothing (issue 14, item 1)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cases.numbering import CASE_NO_RE
from core.rasa_rest import messages_of
from voice.kiosk.speech import find_access_code, print_url

AUTH = {"Authorization": "Bearer test-token"}


def _create(client: TestClient, sender: str, description: str) -> dict:
    response = client.post("/api/cases", headers=AUTH, json={
        "type": "report", "category": "leak", "description": description,
        "location": {"building": "7", "unit": "1", "room": "302"}, "channel": "kiosk",
        "sender_id": sender, "contact_declined": True,
    })  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def test_slips_open_only_with_their_own_code(kiosk_app) -> None:
    app, _, _ = kiosk_app()
    with TestClient(app) as client:
        mine = _create(client, "kiosk:s1", "卫生间天花板漏水，邻居家的事")
        other = _create(client, "kiosk:s2", "墙皮被泡得起鼓了")
        prefix, day, _ = CASE_NO_RE.match(mine["case_no"]).groups()
        answers = set()
        for seq in range(1, 9):  # two real numbers, six never handed out
            number = f"{prefix}-{day}-{seq:04d}"
            for query in ("", "?t=", "?t=2222-3333-4444-5555", f"?t={other['access_code']}"):
                if number == other["case_no"] and other["access_code"] in query:
                    continue
                page = client.get(f"/kiosk/case/{number}/print{query}")
                assert page.status_code == 404, (number, query)
                answers.add(page.text)
        own = client.get(print_url(mine["case_no"], mine["access_code"]))
    assert len(answers) == 1  # the same page whether the number exists or not
    assert "漏水" not in next(iter(answers)) and "起鼓" not in next(iter(answers))
    assert own.status_code == 200
    assert mine["case_no"] in own.text and "7号楼1单元302室" in own.text
    assert mine["access_code"] in own.text  # printed on the slip for the resident
    assert "起鼓" not in own.text
    assert own.headers["cache-control"] == "no-store"


def test_the_slip_address_carries_the_code_from_the_dialogue() -> None:
    reply = messages_of(
        [
            {"text": "已受理！您的报事编号是 BS-20261121-0042（尾号 0 0 4 2）。"},
            {
                "custom": {
                    "case_no": "BS-20261121-0042",
                    "type": "report",
                    "access_code": "AB2C-D3EF",
                }
            },
        ]
    )
    assert find_access_code(reply, "BS-20261121-0042") == "AB2C-D3EF"
    assert find_access_code(reply, "BS-20261121-0043") is None
    assert (
        find_access_code(messages_of([{"text": "编号 BS-20261121-0042"}]), "BS-20261121-0042")
        is None
    )
    url = print_url("BS-20261121-0042", "AB2C-D3EF")
    assert url == "/kiosk/case/BS-20261121-0042/print?t=AB2C-D3EF"
    assert print_url("BS-20261121-0042", None) is None
