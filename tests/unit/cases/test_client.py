"""The real CaseClient against the real hub served by uvicorn on a loopback port."""

from __future__ import annotations

import socket

import httpx
import pytest

from cases.client import CaseClient, CaseClientError, CaseClientProtocol
from core.contracts import CaseCreate, CaseType, Location
from core.errors import InvalidInput, ServiceUnavailable

TOKEN = "test-service-token"


async def test_client_round_trip(hub_url: str) -> None:
    async with CaseClient(hub_url, TOKEN, timeout=5) as client:
        assert isinstance(client, CaseClientProtocol)
        created = await client.create_case(
            CaseCreate(
                type=CaseType.REPORT,
                category="elevator",
                location=Location(building="12"),
                description="电梯停在三楼不动了",
                contact_phone="13711112222",
                sender_id="kiosk:s1",
                idempotency_key="kiosk:s1:1",
            )
        )
        assert created.case_no.startswith("BS-")
        assert created.contact_masked == "137****2222"
        again = await client.create_case(
            CaseCreate(type=CaseType.REPORT, category="elevator", idempotency_key="kiosk:s1:1")
        )
        assert again.case_no == created.case_no
        fetched = await client.get_case(created.case_no)
        assert fetched is not None and fetched.status_label == "已派单"
        assert await client.get_case("BS-20000101-0001") is None
        mine = await client.list_cases_for_sender("kiosk:s1")
        assert [c.case_no for c in mine] == [created.case_no]
        found = await client.find_case(created.case_no[-4:], phone_tail="2222")
        assert found is not None and found.case_no == created.case_no
        assert await client.find_case(created.case_no[-4:], phone_tail="9999") is None

        services = await client.list_services()
        assert any(s.code == "residence_certificate" for s in services)
        service = await client.get_service("elderly_allowance")
        assert service is not None and "户口本" in service.materials
        assert await client.get_service("nope") is None
        categories = await client.list_categories()
        assert any(c.code == "garbage" and c.department == "环卫" for c in categories)

        with pytest.raises(InvalidInput, match="类别"):
            await client.create_case(CaseCreate(type=CaseType.REPORT, category="ufo"))


async def test_client_wrong_token_is_a_client_error(hub_url: str) -> None:
    async with CaseClient(hub_url, "wrong", timeout=5) as client:
        with pytest.raises(CaseClientError) as info:
            await client.get_case("BS-20261121-0001")
        assert info.value.status_code == 401


async def test_client_unreachable_hub_raises_service_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there
    async with CaseClient(f"http://127.0.0.1:{port}", TOKEN, timeout=2) as client:
        with pytest.raises(ServiceUnavailable):
            await client.list_services()


async def test_client_5xx_raises_service_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, json={"detail": "bad gateway"})

    client = CaseClient("http://hub", TOKEN, transport=httpx.MockTransport(handler))
    async with client:
        with pytest.raises(ServiceUnavailable):
            await client.get_case("BS-20261121-0001")


async def test_client_history_confirm_and_outbox(hub_url: str, hub) -> None:
    from cases import lifecycle
    from cases.crud import get_case
    from cases.db import session_scope
    from cases.statuses import Status

    async with CaseClient(hub_url, TOKEN, timeout=5) as client:
        created = await client.create_case(
            CaseCreate(
                type=CaseType.REPORT,
                category="drain",
                sender_id="tg:900",
                location=Location(building="4"),
            )  # fmt: skip
        )
        with pytest.raises(CaseClientError) as early:
            await client.confirm(created.case_no, "tg:900", "resolved")
        assert early.value.status_code == 409 and "办结" in early.value.detail
        state = hub.state.cases
        with session_scope(state.sessions) as session:
            case = get_case(session=session, case_no=created.case_no)
            lifecycle.change_status(session=session, case=case, new_status=Status.RESOLVED,
                                    now=state.clock.now(), actor="t", note="疏通了")  # fmt: skip
        items = await client.fetch_outbox("telegram")
        assert [(i.case_no, i.recipient) for i in items] == [(created.case_no, "900")]
        assert "疏通了" in items[0].text
        assert await client.ack_outbox([items[0].id], "telegram") == 1
        assert await client.fetch_outbox("telegram") == []

        result = await client.confirm(created.case_no, "tg:900", "unresolved")
        assert result.case.status == "dispatched"
        assert "重新打开" in result.message
        history = await client.get_history(created.case_no)
        assert history[0].status == "accepted" and history[0].status_label == "已受理"
        assert any("没解决" in h.text for h in history)
        assert await client.get_history("BS-20000101-0001") == []
