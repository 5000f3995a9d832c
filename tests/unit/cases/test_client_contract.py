"""One scenario, two implementations: the in-memory FakeCaseClient and the real CaseClient
against the real hub on uvicorn. Keeps the fake that actions/bot tests use honest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from cases.client import CaseClient, CaseClientError, CaseClientProtocol
from core.contracts import CaseCreate, CaseType, Location
from core.errors import InvalidInput
from harness.fakes.case_client import FakeCaseClient

TOKEN = "test-service-token"


@dataclass
class Harness:
    client: CaseClientProtocol
    resolve: Callable[[str, str], None]


@pytest.fixture(params=["fake", "real"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    if request.param == "fake":
        fake = FakeCaseClient()
        yield Harness(client=fake, resolve=fake.resolve)
        return
    hub = request.getfixturevalue("sqlite_hub")
    server = request.getfixturevalue("serve_app")(hub)
    hub_url = server.__enter__()

    def resolve(case_no: str, note: str) -> None:
        from cases import lifecycle
        from cases.crud import get_case
        from cases.db import session_scope
        from cases.statuses import Status

        state = hub.state.cases
        with session_scope(state.sessions) as session:
            case = get_case(session=session, case_no=case_no)
            lifecycle.change_status(session=session, case=case, new_status=Status.RESOLVED,
                                    now=state.clock.now(), actor="t", note=note)  # fmt: skip

    client = CaseClient(hub_url, TOKEN, timeout=10)
    yield Harness(client=client, resolve=resolve)
    await client.aclose()
    server.__exit__(None, None, None)


async def test_contract(harness: Harness) -> None:
    client = harness.client
    assert isinstance(client, CaseClientProtocol)
    report = await client.create_case(CaseCreate(
        type=CaseType.REPORT, category="elevator", location=Location(building="11"),
        contact_phone="13611112222", sender_id="tg:77", idempotency_key="tg:77:1"))  # fmt: skip
    assert report.case_no.startswith("BS-20261121-")
    assert report.status == "dispatched" and report.status_label == "已派单"
    assert report.category_label == "电梯故障"
    assert report.contact_masked == "136****2222"
    assert report.assignee
    same = await client.create_case(CaseCreate(type=CaseType.REPORT, idempotency_key="tg:77:1"))
    assert same.case_no == report.case_no
    service = await client.create_case(CaseCreate(
        type=CaseType.SERVICE, service_code="elderly_allowance", sender_id="tg:77"))  # fmt: skip
    assert service.case_no.startswith("FW-") and service.service_label == "高龄津贴"
    assert report.access_code and same.access_code and report.access_code != same.access_code
    emergency = await client.create_case(
        CaseCreate(type=CaseType.EMERGENCY, description="燃气泄漏：厨房煤气味", sender_id="web:9")
    )
    assert emergency.case_no.startswith("JJ-") and emergency.urgency == "emergency"
    new_alert = [a for a in await client.fetch_outbox("staff") if a.case_no == emergency.case_no]
    assert len(new_alert) == 1 and "还没说" in new_alert[0].text
    assert await client.ack_outbox([new_alert[0].id], "staff") == 1
    with_place = await client.add_details(
        emergency.case_no, "web:9", location=Location(building="12", unit="3", room="401"),
        contact_phone="13912345678")  # fmt: skip
    assert with_place.location.building == "12" and with_place.location.room == "401"
    assert with_place.contact_masked == "139****5678"
    alerts = await client.fetch_outbox("staff")
    assert [(a.case_no, a.channel) for a in alerts] == [(emergency.case_no, "staff")]
    assert "12号楼3单元401室" in alerts[0].text and "【紧急】" in alerts[0].text
    await client.ack_outbox([alerts[0].id], "staff")
    assert any("补充了地点" in h.text for h in await client.get_history(emergency.case_no))
    with pytest.raises(CaseClientError) as not_theirs:
        await client.add_details(emergency.case_no, "web:10", contact_phone="13900001111")
    assert not_theirs.value.status_code == 403
    with pytest.raises(InvalidInput):
        await client.add_details(emergency.case_no, "web:9")
    with pytest.raises(InvalidInput):
        await client.create_case(CaseCreate(type=CaseType.REPORT, category="ufo"))

    assert (await client.get_case(report.case_no.lower())).case_no == report.case_no
    assert await client.get_case("BS-20000101-0001") is None
    mine = await client.list_cases_for_sender("tg:77")
    assert [c.case_no for c in mine] == [service.case_no, report.case_no]
    assert len(await client.list_cases_for_sender("tg:77", limit=1)) == 1
    found = await client.find_case(report.case_no[-4:], phone_tail="2222")
    assert found is not None and found.case_no == report.case_no
    assert await client.find_case(report.case_no[-4:], phone_tail="0000") is None
    with pytest.raises(InvalidInput):
        await client.find_case(report.case_no[-4:])

    history = await client.get_history(report.case_no)
    assert [h.status for h in history[:2]] == ["accepted", "dispatched"]
    assert await client.get_history("BS-20000101-0001") == []

    with pytest.raises(CaseClientError) as early:
        await client.confirm(report.case_no, "tg:77", "resolved")
    assert early.value.status_code == 409
    harness.resolve(report.case_no, "电梯已修好")
    items = await client.fetch_outbox("telegram")
    assert [(i.case_no, i.recipient) for i in items] == [(report.case_no, "77")]
    assert "电梯已修好" in items[0].text
    assert await client.fetch_outbox("kiosk") == []
    assert await client.ack_outbox([items[0].id], "telegram") == 1
    assert await client.fetch_outbox("telegram") == []

    with pytest.raises(CaseClientError) as stranger:
        await client.confirm(report.case_no, "tg:78", "resolved")
    assert stranger.value.status_code == 403
    with pytest.raises(InvalidInput):
        await client.confirm(report.case_no, "tg:77", "so-so")
    again = await client.confirm(report.case_no, "tg:77", "unresolved")
    assert again.case.status == "dispatched" and "重新打开" in again.message
    harness.resolve(report.case_no, "门能关上了")
    partly = await client.confirm(report.case_no, "tg:77", "partial")
    assert partly.case.status == "in_progress" and "继续处理" in partly.message
    assert partly.case.due_at is not None and partly.case.due_at > report.created_at
    harness.resolve(report.case_no, "换了主板")
    done = await client.confirm(report.case_no, "tg:77", "resolved")
    assert done.case.status == "closed" and done.case.status_label == "已关闭"
    with pytest.raises(CaseClientError) as twice:
        await client.confirm(report.case_no, "tg:77", "resolved")
    assert twice.value.status_code == 409

    assert any(s.code == "senior_card" for s in await client.list_services())
    assert (await client.get_service("senior_card")).name == "老年优待证"
    assert await client.get_service("nope") is None
    assert (await client.list_categories())[-1].code == "other"


async def test_lookup_contract(harness: Harness) -> None:
    """A case reported at the kiosk, looked up from Telegram by number + phone last 4."""
    client = harness.client
    case = await client.create_case(CaseCreate(
        type=CaseType.REPORT, category="corridor_light", location=Location(building="5"),
        contact_phone="13566667777", sender_id="kiosk:s1", channel="kiosk"))  # fmt: skip
    no = case.case_no
    assert await client.resident_lookup(no[-4:], "0000", sender_id="tg:5") is None
    wrong_no = f"{(int(no[-4:]) + 1) % 10000:04d}"
    assert await client.resident_lookup(wrong_no, "7777", sender_id="tg:5") is None
    for number in (no[-4:], no, no.replace("-", "")[2:]):
        view = await client.resident_lookup(number, "7777", sender_id="tg:5")
        assert view is not None and view.case.case_no == no
        assert view.case.contact_masked == "135****7777" and view.case.access_code is None
        assert view.history and view.history[0].status == "accepted"
    with pytest.raises(CaseClientError) as early:
        await client.confirm(no, "tg:5", "resolved")
    assert early.value.status_code == 409
    harness.resolve(no, "灯换好了")
    with pytest.raises(CaseClientError) as stranger:
        await client.confirm(no, "tg:6", "resolved")
    assert stranger.value.status_code == 403
    done = await client.confirm(no, "tg:5", "resolved")
    assert done.case.status == "closed"
    for _ in range(2):
        assert await client.resident_lookup(wrong_no, "7777", sender_id="tg:5") is None
    with pytest.raises(CaseClientError) as blocked:
        await client.resident_lookup(no[-4:], "7777", sender_id="tg:5")
    assert blocked.value.status_code == 429 and "不能再查" in blocked.value.detail
