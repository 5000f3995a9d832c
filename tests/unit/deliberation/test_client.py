"""The channels' typed client against the real hub (ASGI transport): propose, find open polls
for a building, vote and change it, kind refusals with their Chinese words, the outbox."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cases.clock import ManualClock
from deliberation.client import DeliberationClient, DeliberationClientError
from deliberation.schemas import ProposalIn, VoteIn
from tests.unit.deliberation.conftest import TOKEN, demo_tail


@pytest.fixture
def client(hub: FastAPI, api: TestClient) -> DeliberationClient:
    import httpx

    return DeliberationClient("http://hub", TOKEN, transport=httpx.ASGITransport(app=hub))


async def test_a_channel_proposes_and_votes(
    client: DeliberationClient, login, clock: ManualClock
) -> None:
    receipt = await client.submit_proposal(
        ProposalIn(
            what="5号楼门口加装扶手",
            scope="building",
            place="5",
            channel="telegram",
            resident_key="tg:42",
        )
    )
    assert receipt.status_label == "待审核" and "第1号" in receipt.message
    with pytest.raises(DeliberationClientError) as empty:
        await client.submit_proposal(ProposalIn(what="", resident_key="tg:42"))
    assert empty.value.status_code == 422 and "建议内容是空的" in empty.value.detail
    mine = await client.my_proposal(receipt.number, "tg:42")
    assert mine is not None and mine.status == "pending"
    assert await client.my_proposal(receipt.number, "tg:43") is None

    staff = login("wangzr", "admin")
    staff.post(
        "/api/deliberation/polls", question="5号楼加装扶手", scope="building", scope_codes=["5"]
    )
    staff.post("/api/deliberation/polls", question="全社区评选", scope="community")
    assert {p.question for p in await client.open_polls(building="5")} == {
        "5号楼加装扶手",
        "全社区评选",
    }
    assert [p.question for p in await client.open_polls(building="6")] == ["全社区评选"]

    vote = VoteIn(
        building="5",
        unit="1",
        room="101",
        option="同意",
        channel="telegram",
        resident_key="tg:42",
        phone_last4=demo_tail("5", "1", "101"),
    )
    assert (await client.vote(1, vote)).replaced is False
    again = await client.vote(1, vote.model_copy(update={"option": "不同意", "relation": "女儿"}))
    assert again.replaced is True
    poll = await client.get_poll(1)
    assert poll is not None and poll.counts == [0, 1, 0]
    assert await client.get_poll(99) is None
    with pytest.raises(DeliberationClientError) as unknown:
        await client.vote(99, vote)
    assert unknown.value.status_code == 404 and "没有找到这个投票" in unknown.value.detail
    assert staff.post(f"/api/deliberation/proposals/{receipt.number}/approve").status_code == 200
    clock.advance(days=8)  # (the staff login has expired by then)
    with pytest.raises(DeliberationClientError) as closed:
        await client.vote(1, vote)
    assert closed.value.status_code == 409 and "结束" in closed.value.detail
    assert await client.open_polls() == []

    messages = await client.fetch_outbox("telegram")
    assert [m.recipient for m in messages] == ["42"]
    assert await client.ack_outbox([m.id for m in messages], "telegram") == 1
    assert await client.fetch_outbox("telegram") == []
    await client.aclose()
