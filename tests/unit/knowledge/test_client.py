"""KnowledgeClient against a real uvicorn server, plus its error mapping."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from core.errors import ServiceUnavailable
from knowledge.client import KnowledgeApi, KnowledgeClient
from knowledge.schemas import AskResponse, SearchResponse
from tests.unit.knowledge.conftest import TOKEN, make_app, serve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real hub (knowledge part, hashing embedder) served by uvicorn on a free port."""
    with serve(make_app(tmp_path_factory.mktemp("kbclient"))) as url:
        yield url


@pytest.mark.integration
async def test_client_asks_and_searches_a_real_server(hub_url: str) -> None:
    client: KnowledgeApi
    async with KnowledgeClient(hub_url, TOKEN) as client:
        answer = await client.ask("電動車能在樓道充電嗎", channel="telegram", sender_id="tg:42")
        assert isinstance(answer, AskResponse) and answer.confident
        assert answer.answer is not None and "楼道" in answer.answer.answer
        unsure = await client.ask("帮我订一张去北京的火车票", channel="telegram")
        assert not unsure.confident and unsure.answer is None
        found = await client.search("医保卡丢了咋办", k=2)
        assert isinstance(found, SearchResponse) and len(found.hits) == 2


@pytest.mark.integration
async def test_client_with_a_wrong_token_gets_http_error(hub_url: str) -> None:
    async with KnowledgeClient(hub_url, "wrong") as client:
        with pytest.raises(httpx.HTTPStatusError) as err:
            await client.ask("医保卡丢了")
        assert err.value.response.status_code == 401


async def test_connection_refused_is_service_unavailable() -> None:
    async with KnowledgeClient(f"http://127.0.0.1:{_free_port()}", TOKEN, timeout=2) as client:
        with pytest.raises(ServiceUnavailable):
            await client.search("医保")


async def test_server_error_is_service_unavailable() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="bad gateway"))
    async with KnowledgeClient("http://hub", TOKEN, transport=transport) as client:
        with pytest.raises(ServiceUnavailable):
            await client.ask("医保卡丢了")
